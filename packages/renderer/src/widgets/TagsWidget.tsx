import { useState } from 'react';
import type { WidgetProps } from './types.js';

/** Free tags: Enter or comma adds what was typed, Backspace on an empty input removes the last. */
export function TagsWidget({ id, value, onChange, onBlur, describedBy, invalid }: WidgetProps) {
  const tags = Array.isArray(value) ? (value as string[]) : [];
  const [draft, setDraft] = useState('');
  const add = () => {
    const tag = draft.trim();
    if (tag && !tags.includes(tag)) onChange([...tags, tag]);
    setDraft('');
  };
  return (
    <div className="at-input at-tags">
      {tags.map((tag) => (
        <span key={tag} className="at-chip">
          {tag}
          <button
            type="button"
            className="at-chip-remove"
            aria-label={`× ${tag}`}
            onClick={() => onChange(tags.filter((t) => t !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        className="at-tags-input"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          } else if (e.key === 'Backspace' && draft === '' && tags.length > 0)
            onChange(tags.slice(0, -1));
        }}
        onBlur={() => {
          add();
          onBlur();
        }}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}
