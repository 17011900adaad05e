import { CURRENCY_CODES } from '@atrium/metadata';
import { useMemo } from 'react';
import { Button, ComboBox, Input, ListBox, ListBoxItem, Popover } from 'react-aria-components';
import type { WidgetProps } from './types.js';

/** The record currency (`currency_code`): ISO 4217 codes with their names in the user's language. */
export function CurrencyCodeWidget({
  id,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  required,
  ctx,
}: WidgetProps) {
  const items = useMemo(() => {
    const names = new Intl.DisplayNames(ctx.locale, { type: 'currency' });
    return CURRENCY_CODES.map((code) => ({
      id: code,
      name: `${code} · ${names.of(code) ?? code}`,
    }));
  }, [ctx.locale]);
  return (
    <ComboBox
      className="at-combobox"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
      defaultItems={items}
      selectedKey={typeof value === 'string' && value ? value : null}
      onSelectionChange={(key) => onChange(key === null ? '' : String(key))}
      onBlur={onBlur}
      menuTrigger="focus"
      isInvalid={invalid}
      isRequired={required}
    >
      <div className="at-input at-combobox-group">
        <Input id={id} className="at-combobox-input" />
        <Button className="at-icon-button" aria-label="▾">
          <span aria-hidden="true">▾</span>
        </Button>
      </div>
      <Popover className="at-popover">
        <ListBox className="at-listbox">
          {(item: { id: string; name: string }) => (
            <ListBoxItem className="at-option" id={item.id} textValue={item.name}>
              {item.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
