/**
 * CSV writer per RFC 4180: fields separated by commas, records ended by CRLF (RFC 4180 section 2.1:
 * "each record is located on a separate line, delimited by a line break (CRLF)"), a field quoted
 * when it holds a comma, a double quote, CR or LF, and a double quote inside a quoted field doubled
 * (2.6, 2.7). Text is UTF-8 without a byte-order mark (Athena and most tools read it as is; RFC 4180
 * defines no BOM). Pure.
 *
 * Formula injection: spreadsheet programs evaluate a cell that starts with `=`, `+`, `-` or `@` (and
 * some strip a leading tab or CR first). Node names, tags and patch titles are user-controlled, so
 * such a cell is prefixed with `'` (the OWASP "CSV Injection" advice): it shows as text and cannot
 * run. The guard applies to every cell; report values that legitimately start with `-` do not exist
 * (counts are never negative, times start with a digit).
 */

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const NEEDS_QUOTES = /[",\r\n]/;

/** A cell that would start a formula gets a leading `'`. */
export function guardFormula(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value[0]!) ? `'${value}` : value;
}

/** One field: formula guard, then RFC 4180 quoting when needed. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = guardFormula(typeof value === 'number' ? String(value) : value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_LINE_END = '\r\n';

/** Header and rows, every record (the last one too) ended by CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}${CSV_LINE_END}`).join('');
}
