import { FieldValue } from '../FieldValue.js';
import type { WidgetProps } from './types.js';

/** Formula and autonumber: the engine computes them; the form shows the stored value. */
export function ReadOnlyWidget({ field, id, record, ctx, currency }: WidgetProps) {
  return (
    <output id={id} className="at-readonly">
      <FieldValue field={field} value={record?.[field.name]} ctx={ctx} currency={currency} />
    </output>
  );
}
