import type { FieldDef } from '@atrium/metadata';
import type { ComponentType } from 'react';
import type { RecordValues, RenderContext } from '../client.js';

/** What every input widget receives; values are in the form's shape (see form-values.ts). */
export interface WidgetProps {
  field: FieldDef;
  /** The input's id; the field's `<label>` has `${id}-label`. */
  id: string;
  value: unknown;
  onChange(value: unknown): void;
  onBlur(): void;
  invalid: boolean;
  /** Ids of the help text and error message. */
  describedBy?: string;
  required: boolean;
  ctx: RenderContext;
  /** The record being edited (read-only widgets show its computed values). */
  record?: RecordValues;
  /** The record's currency code, for money inputs. */
  currency?: string | null;
}

export type Widget = ComponentType<WidgetProps>;
