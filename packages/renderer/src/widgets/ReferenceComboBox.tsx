import { useEffect, useRef, useState } from 'react';
import { Button, ComboBox, Input, ListBox, ListBoxItem, Popover } from 'react-aria-components';
import { message } from '../messages.js';
import type { WidgetProps } from './types.js';

export interface ReferenceOption {
  id: string;
  name: string;
  detail?: string;
}

interface ReferenceComboBoxProps extends WidgetProps {
  /** Options matching what was typed (the widget debounces). */
  search(q: string): Promise<ReferenceOption[]>;
  /** The name of the current value when the widget did not list it (e.g. on first render). */
  resolve(id: string): Promise<string | undefined>;
  initialName?: string;
}

/**
 * A searchable single choice among records or users: type to search, pick to set the id. The
 * current value keeps its name shown even before any search ran.
 */
export function ReferenceComboBox(props: ReferenceComboBoxProps) {
  const {
    id,
    value,
    onChange,
    onBlur,
    invalid,
    describedBy,
    required,
    ctx,
    search,
    resolve,
    initialName,
  } = props;
  const selected = typeof value === 'string' && value !== '' ? value : null;
  const [items, setItems] = useState<ReferenceOption[]>([]);
  const [text, setText] = useState(initialName ?? '');
  const names = useRef(new Map<string, string>());
  const latest = useRef(0);

  useEffect(() => {
    if (!selected) return;
    const known = names.current.get(selected) ?? (initialName || undefined);
    if (known) {
      setText(known);
      return;
    }
    let live = true;
    resolve(selected).then(
      (name) => {
        if (live && name) {
          names.current.set(selected, name);
          setText(name);
        }
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [selected, initialName, resolve]);

  const runSearch = (q: string) => {
    const ticket = ++latest.current;
    setTimeout(() => {
      if (ticket !== latest.current) return;
      search(q).then(
        (found) => {
          if (ticket !== latest.current) return;
          for (const o of found) names.current.set(o.id, o.name);
          setItems(found);
        },
        () => setItems([]),
      );
    }, 150);
  };

  return (
    <ComboBox
      className="at-combobox"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
      items={items}
      selectedKey={selected}
      inputValue={text}
      onInputChange={(q) => {
        setText(q);
        runSearch(q);
        if (q === '') onChange('');
      }}
      onSelectionChange={(key) => {
        const next = key === null ? '' : String(key);
        onChange(next);
        if (next) setText(names.current.get(next) ?? '');
      }}
      onOpenChange={(open) => {
        if (open) runSearch(text === (selected && names.current.get(selected)) ? '' : text);
      }}
      onBlur={onBlur}
      menuTrigger="focus"
      allowsEmptyCollection
      isInvalid={invalid}
      isRequired={required}
    >
      <div className="at-input at-combobox-group">
        <Input id={id} className="at-combobox-input" placeholder={message(ctx.locale, 'search')} />
        <Button className="at-icon-button" aria-label="▾">
          <span aria-hidden="true">▾</span>
        </Button>
      </div>
      <Popover className="at-popover">
        <ListBox
          className="at-listbox"
          renderEmptyState={() => (
            <div className="at-option at-muted">{message(ctx.locale, 'noResults')}</div>
          )}
        >
          {(item: ReferenceOption) => (
            <ListBoxItem className="at-option" id={item.id} textValue={item.name}>
              <span>{item.name}</span>
              {item.detail && <span className="at-muted"> {item.detail}</span>}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
