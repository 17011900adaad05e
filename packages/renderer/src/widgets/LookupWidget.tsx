import { useCallback } from 'react';
import { findModule, recordNameField, recordTitle } from '../metadata.js';
import { ReferenceComboBox } from './ReferenceComboBox.js';
import type { WidgetProps } from './types.js';

/** A lookup: searches the target module by text (`q`) and shows the target's record name. */
export function LookupWidget(props: WidgetProps) {
  const { field, ctx, record } = props;
  const target = field.target ? findModule(ctx.documents, field.target) : undefined;
  const nameField = target ? recordNameField(target) : 'id';
  const search = useCallback(
    async (q: string) => {
      if (!target) return [];
      const page = await ctx.client.list(target.name, {
        ...(q && { q }),
        limit: 20,
        fields: [...new Set(['id', nameField])],
      });
      return page.data.map((r) => ({ id: String(r.id), name: recordTitle(target, r) }));
    },
    [ctx.client, target, nameField],
  );
  const resolve = useCallback(
    async (id: string) => {
      if (!target) return undefined;
      return recordTitle(target, await ctx.client.get(target.name, id));
    },
    [ctx.client, target],
  );
  const current = record?.[field.name];
  const initialName =
    current && typeof current === 'object' && target
      ? recordTitle(target, current as Record<string, unknown>)
      : undefined;
  return (
    <ReferenceComboBox {...props} search={search} resolve={resolve} initialName={initialName} />
  );
}
