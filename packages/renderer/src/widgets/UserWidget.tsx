import { useCallback } from 'react';
import { ReferenceComboBox } from './ReferenceComboBox.js';
import type { WidgetProps } from './types.js';

/** A user (owner, assignee): searched by name or e-mail through the client's user list. */
export function UserWidget(props: WidgetProps) {
  const { ctx } = props;
  const search = useCallback(
    async (q: string) =>
      (await ctx.client.users(q || undefined)).map((u) => ({
        id: u.id,
        name: u.name,
        detail: u.email,
      })),
    [ctx.client],
  );
  const resolve = useCallback(
    async (id: string) => (await ctx.client.users()).find((u) => u.id === id)?.name,
    [ctx.client],
  );
  return <ReferenceComboBox {...props} search={search} resolve={resolve} />;
}
