/**
 * Everything a key's owner controls (descriptions, tags, aliases, policies) is untrusted text.
 * These functions make it inert where the report puts it.
 */

/**
 * Anything one of escapeMarkdown's replacements would change: a character it drops, replaces
 * or escapes, an autolink scheme or "www.", a leading list or heading marker.
 */
const NEEDS_ESCAPING =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among those replaced
  /[\u0000-\u001f\u007f&<>\\`*_{}[\]#+!|~@]|\b(?:https?|ftp|mailto|xmpp):|\bwww\.|^(?:[-=]|\d+\.)/i;

/**
 * Escapes text for a GitHub-flavoured Markdown table cell or inline run: no emphasis, link,
 * image, HTML, mention, autolink or table break survives; line breaks become spaces; control
 * characters are dropped. The result stays readable as plain text (ARNs keep their colons).
 */
export function escapeMarkdown(text: string): string {
  // Most cells (ARNs, ids, specs, dates) hold nothing to escape: one test instead of nine passes.
  if (!NEEDS_ESCAPING.test(text)) return text;
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/\r\n|\r|\n|\t/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Brackets are escaped, so parentheses cannot complete a link and stay as they are.
      .replace(/[\\`*_{}[\]#+!|~@]/g, (c) => `\\${c}`)
      // Autolinks: a scheme's colon and "www." would become links.
      .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
      .replace(/\bwww\./gi, 'www\\.')
      // A leading "-", "=" or "1." could start a list or a heading underline.
      .replace(/^([-=]|\d+\.)/, '\\$1')
  );
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection): `= + - @`, tab, CR. */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r'].map((c) => c.charCodeAt(0)));

/**
 * Neutralises a CSV cell against formula injection: a value from user-controlled text that
 * starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe, which
 * spreadsheets show as text. Apply it only to user-controlled text, never to numbers.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.has(text.charCodeAt(0)) ? `'${text}` : text;
}
