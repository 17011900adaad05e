import type { Problem } from '@atrium/metadata';

/**
 * Paths of the numbers in a JSON text that a JavaScript number does not hold exactly:
 * `999999999999999.99` parses to 1e15 and `9007199254740993` to …992, so the value stored would
 * not be the value sent. Such a number is refused at its path instead of being rounded silently.
 * `0.1` or `1.50` are fine: the parsed number reads back as the same decimal.
 *
 * `text` must be valid JSON (parse it first); the scan only tracks where each number sits.
 */
export function inexactNumbers(text: string): string[] {
  // Cheap pre-check: a number that can lose digits has 16+ digits or an exponent.
  if (!/[0-9.]{16,}|\d[eE]/.test(text)) return [];
  const found: string[] = [];
  const stack: { key: string | number; expectKey: boolean; array: boolean }[] = [];
  const path = () =>
    stack
      .map((s, i) => (s.array ? `[${s.key}]` : i === 0 ? String(s.key) : `.${String(s.key)}`))
      .join('');
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) top.key = JSON.parse(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === '{' || c === '[') {
      stack.push({ key: c === '[' ? 0 : '', expectKey: c === '{', array: c === '[' });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ':') {
      (stack[stack.length - 1] as { expectKey: boolean }).expectKey = false;
      i++;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.array) top.key = (top.key as number) + 1;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j] as string)) j++;
      const token = text.slice(i, j);
      if (!isExact(token)) found.push(path() || '(body)');
      i = j;
    } else {
      i++;
    }
  }
  return found;
}

/** The number `token` (JSON syntax) reads back from a double as the same decimal value. */
function isExact(token: string): boolean {
  const n = Number(token);
  return Number.isFinite(n) && decimal(token) === decimal(String(n));
}

/** A decimal in one canonical form: sign, significant digits, exponent. */
function decimal(s: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const zeros = (/0*$/.exec(digits) as RegExpExecArray)[0].length;
  digits = digits.slice(0, digits.length - zeros);
  exponent += zeros;
  return `${m[1]}${digits}e${exponent}`;
}

/** The problems of a body whose numbers do not survive parsing, as a refusal's details. */
export function inexactNumberProblems(text: string, message: string): Problem[] {
  return inexactNumbers(text).map((path) => ({ path, message }));
}
