import { type FieldDef, type Locale, labelText } from '@atrium/metadata';

/** About how wide a text of 14 px runs: Chinese characters square, Latin ones about half. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(ch) ? 14 : 7.5;
  return Math.ceil(width);
}

/** A chip's frame (dot, gap, padding, border), and a cell's padding with its edit button. */
const CHIP = 30;
const CELL = 16 + 28;
/** A heading's padding and its sort arrow. */
const HEADING = 36;

/**
 * The width a list column opens at (the user may resize it): a picklist's as wide as its
 * longest option's chip, a date or a yes/no narrower than text, the record's name widest; never
 * narrower than its heading. Estimated from the labels in the caller's language, so `Proposal /
 * quote` is not cut to `Proposal / …` while a column of short dates wastes no room.
 */
export function columnSize(field: FieldDef, locale: Locale, isName: boolean): number {
  const heading = textWidth(labelText(field.label, locale, field.name)) + HEADING;
  const content = isName ? 220 : contentWidth(field, locale);
  return Math.min(280, Math.max(96, heading, content));
}

function contentWidth(field: FieldDef, locale: Locale): number {
  switch (field.type) {
    case 'picklist': {
      const widest = Math.max(
        0,
        ...(field.options ?? []).map((o) => textWidth(labelText(o.label, locale, o.value))),
      );
      return widest + CHIP + CELL;
    }
    case 'boolean':
      return 96;
    case 'date':
      return 128;
    case 'integer':
    case 'decimal':
    case 'percent':
    case 'autonumber':
      return 120;
    default:
      return 160;
  }
}
