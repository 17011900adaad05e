import { CheckboxWidget } from './CheckboxWidget.js';
import { CurrencyCodeWidget } from './CurrencyCodeWidget.js';
import { DateWidget } from './DateWidget.js';
import { LookupWidget } from './LookupWidget.js';
import { MultiSelectWidget } from './MultiSelectWidget.js';
import { NumberWidget } from './NumberWidget.js';
import { ReadOnlyWidget } from './ReadOnlyWidget.js';
import { SelectWidget } from './SelectWidget.js';
import { TagsWidget } from './TagsWidget.js';
import { TextareaWidget } from './TextareaWidget.js';
import { TextWidget } from './TextWidget.js';
import type { Widget } from './types.js';
import { UserWidget } from './UserWidget.js';

/**
 * The input for each `widget` name of the field-type registry (@atrium/metadata FIELD_TYPES).
 * Adding a field type is one entry there and one here. The app may pass its own map to override.
 */
export const WIDGETS: Record<string, Widget> = {
  text: TextWidget,
  email: TextWidget,
  phone: TextWidget,
  url: TextWidget,
  textarea: TextareaWidget,
  integer: NumberWidget,
  decimal: NumberWidget,
  currency: NumberWidget,
  percent: NumberWidget,
  checkbox: CheckboxWidget,
  date: DateWidget,
  datetime: DateWidget,
  select: SelectWidget,
  multiselect: MultiSelectWidget,
  tags: TagsWidget,
  lookup: LookupWidget,
  user: UserWidget,
  readonly: ReadOnlyWidget,
  /** Not a field type: the record currency system field. */
  currency_code: CurrencyCodeWidget,
};
