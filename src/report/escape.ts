/**
 * Everything a key's owner controls (descriptions, tags, aliases, policies) is untrusted text.
 * These functions make it inert where the report puts it: a Markdown table, a CSV cell, the
 * terminal.
 */

/**
 * The characters no output shows as they are (one list for Markdown, CSV and the terminal): the
 * C0 controls but tab, line feed and carriage return, which each format treats itself; DEL; the
 * C1 controls (U+009B is a one-character CSI: a terminal escape sequence without ESC); and the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
 * text display in another order than it reads ("Trojan Source"). Written as a character-class
 * body so each escaper can add what its format cannot carry.
 */
export const CONTROL_CHARACTERS = String.raw`\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069`;

const CONTROL = new RegExp(`[${CONTROL_CHARACTERS}]`, 'g');

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A character shown as its escape: `\r`, `\x1b` below U+0080, `\u009b` from there on. */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ??
    (code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/**
 * Shows each control character (see {@link CONTROL_CHARACTERS}) as its escape, `\x1b` or
 * `\u202e`, instead of letting it act: nothing is hidden, nothing moves the cursor, recolours
 * the terminal or reorders the text. Tab, line feed and carriage return are left to the caller.
 *
 * @example showControlCharacters('ok\x1b[2J') // 'ok\\x1b[2J' (a backslash, "x1b[2J")
 */
export function showControlCharacters(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * Anything one of escapeMarkdown's replacements would change: a character it shows as its
 * escape, replaces or escapes, an autolink scheme or "www.", a leading list or heading marker.
 */
const NEEDS_ESCAPING = new RegExp(
  String.raw`[${CONTROL_CHARACTERS}\t\n\r&<>\\` +
    '`' +
    String.raw`*_{}[\]#+!|~@]|\b(?:https?|ftp|mailto|xmpp):|\bwww\.|^(?:[-=]|\d+\.)`,
  'i',
);

/**
 * Escapes text for a GitHub-flavoured Markdown table cell or inline run: no emphasis, link,
 * image, HTML, mention, autolink or table break survives; line breaks and tabs become spaces;
 * control characters are shown as their escapes (`\x1b`, see {@link showControlCharacters}).
 * The result stays readable as plain text (ARNs keep their colons).
 */
export function escapeMarkdown(text: string): string {
  // Most cells (ARNs, ids, specs, dates) hold nothing to escape: one test instead of nine passes.
  if (!NEEDS_ESCAPING.test(text)) return text;
  return (
    showControlCharacters(text)
      .replace(/\r\n|\r|\n|\t/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Brackets are escaped, so parentheses cannot complete a link and stay as they are.
      // The backslash of a shown control character is escaped too: it reads `\x1b` rendered.
      .replace(/[\\`*_{}[\]#+!|~@]/g, (c) => `\\${c}`)
      // Autolinks: a scheme's colon and "www." would become links.
      .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
      .replace(/\bwww\./gi, 'www\\.')
      // A leading "-", "=" or "1." could start a list or a heading underline.
      .replace(/^([-=]|\d+\.)/, '\\$1')
  );
}

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection): `= + - @`,
 * tab, CR, and the full-width `＝ ＋ － ＠` that some spreadsheets (Apple Numbers) read as them.
 */
const FORMULA_START = '=+\\-@\\t\\r\\uff1d\\uff0b\\uff0d\\uff20';
const FORMULA_START_CODES = new Set(
  ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'].map((c) => c.charCodeAt(0)),
);

/** A line of a cell that starts with a formula trigger: at the start of the text or after CR or LF. */
const FORMULA_LINE = new RegExp(`(?<=^|[\\r\\n])(?=[${FORMULA_START}])`, 'g');

/**
 * Neutralises a CSV cell against formula injection: each line of a value from user-controlled
 * text (the whole value, and each line after a CR or LF, which a spreadsheet may read as a row
 * of its own) that starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
 * apostrophe, which spreadsheets show as text. Apply it only to user-controlled text, never to
 * numbers.
 */
export function neutralizeFormula(text: string): string {
  if (text.includes('\n') || text.includes('\r')) return text.replace(FORMULA_LINE, "'");
  return FORMULA_START_CODES.has(text.charCodeAt(0)) ? `'${text}` : text;
}

/** What makes a CSV text cell more than a first-character check: a control character, CR or LF. */
const CSV_NEEDS_ESCAPING = new RegExp(`[${CONTROL_CHARACTERS}\\r\\n]`);

/**
 * A CSV text cell from user-controlled text: control characters shown as their escapes (`\x1b`,
 * see {@link showControlCharacters}; tab, CR and LF are kept, the writer quotes a cell holding
 * CR or LF) and every line neutralised against formula injection ({@link neutralizeFormula}).
 * Text with neither is only checked for a leading formula trigger.
 */
export function escapeCsvText(text: string): string {
  return neutralizeFormula(CSV_NEEDS_ESCAPING.test(text) ? showControlCharacters(text) : text);
}

const TERMINAL_UNSAFE = new RegExp(`[${CONTROL_CHARACTERS}\\r]`, 'g');
const TERMINAL_UNSAFE_ONE_LINE = new RegExp(`[${CONTROL_CHARACTERS}\\r\\n]`, 'g');

/**
 * Text for a terminal: control characters (see {@link showControlCharacters}) and carriage
 * returns are shown as their escapes (`\x1b`, `\u009b`, `\r`), so nothing read from AWS or an
 * evidence file can move the cursor, clear the screen, set the window title, recolour or reorder
 * what follows. Line feeds and tabs are kept, unless `oneLine`: then a line feed shows as `\n`
 * and the text stays on its line (an error message, a progress line).
 */
export function terminalSafe(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? TERMINAL_UNSAFE_ONE_LINE : TERMINAL_UNSAFE, visible);
}

const HTML_SPECIAL: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Anything escapeHtml changes: a character HTML treats specially, or a control character. */
const HTML_NEEDS_ESCAPING = new RegExp(`[${CONTROL_CHARACTERS}\\r&<>"']`);

/**
 * Escapes text for HTML element content and quoted attribute values: `& < > " '` become
 * character references, so no tag, attribute, entity or script survives; control characters
 * are shown as their escapes (`\x1b`, `\u202e`, see {@link showControlCharacters}). Line breaks
 * and tabs are kept (the page's styles decide how they show); a CR or CRLF becomes LF, as the
 * HTML parser would read it.
 *
 * @example escapeHtml('<img src=x onerror=alert(1)>') // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: string): string {
  if (!HTML_NEEDS_ESCAPING.test(text)) return text;
  return showControlCharacters(text)
    .replace(/\r\n?/g, '\n')
    .replace(/[&<>"']/g, (c) => HTML_SPECIAL[c] as string);
}
