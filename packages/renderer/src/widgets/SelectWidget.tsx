import { labelText } from '@atrium/metadata';
import { Button, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';
import type { WidgetProps } from './types.js';

const NONE = '__none__';

/** A picklist: the options in their order and the user's language; "—" clears an optional one. */
export function SelectWidget({
  field,
  id,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  required,
  ctx,
}: WidgetProps) {
  const items = [
    ...(required ? [] : [{ id: NONE, label: '—', color: undefined as string | undefined }]),
    ...(field.options ?? []).map((o) => ({
      id: o.value,
      label: labelText(o.label, ctx.locale, o.value),
      color: o.color,
    })),
  ];
  return (
    <Select
      className="at-select"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
      selectedKey={value === '' || value === null || value === undefined ? null : String(value)}
      onSelectionChange={(key) => onChange(key === NONE || key === null ? '' : String(key))}
      onBlur={onBlur}
      isInvalid={invalid}
      isRequired={required}
      placeholder="—"
    >
      <Button id={id} className="at-input at-select-button">
        <SelectValue className="at-select-value" />
        <span aria-hidden="true" className="at-caret">
          ▾
        </span>
      </Button>
      <Popover className="at-popover">
        <ListBox className="at-listbox" items={items}>
          {(item) => (
            <ListBoxItem className="at-option" id={item.id} textValue={item.label}>
              {item.color && (
                <span
                  className="at-chip-dot"
                  style={{ background: item.color }}
                  aria-hidden="true"
                />
              )}
              {item.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
