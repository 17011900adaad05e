/** A CSV text read as lines of fields, or the 1-based line where a quoted field is not closed. */
export type CsvParse = { lines: string[][] } | { unclosedAt: number };

/**
 * Reads CSV as spreadsheets write it (RFC 4180): comma separated, fields quoted with "" when they
 * hold a comma, quote or line break (a quote inside doubled), CRLF or LF line ends, a UTF-8
 * byte-order mark ignored. Blank lines are skipped.
 *
 * @example parseCsv('a,"b ""c"""\r\n1,2') // { lines: [['a', 'b "c"'], ['1', '2']] }
 */
export function parseCsv(text: string): CsvParse {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines: string[][] = [];
  let line: string[] = [];
  let field = '';
  let i = 0;
  let lineNo = 1;
  let quotedFrom = 0;
  let inQuotes = false;
  const endLine = () => {
    line.push(field);
    field = '';
    if (line.length > 1 || line[0] !== '') lines.push(line);
    line = [];
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        if (c === '\n') lineNo++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      inQuotes = true;
      quotedFrom = lineNo;
    } else if (c === ',') {
      line.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endLine();
      lineNo++;
    } else field += c;
    i++;
  }
  if (inQuotes) return { unclosedAt: quotedFrom };
  if (field !== '' || line.length > 0) endLine();
  return { lines };
}
