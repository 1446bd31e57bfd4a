/**
 * One word for a POSIX shell: as it is when it holds only characters no shell reads specially,
 * else single-quoted (a quote inside closed, escaped and reopened). For every value put into a
 * command the report recommends, even one already validated: defence in depth.
 *
 * @example
 * ```ts
 * shellWord('us-east-1'); // 'us-east-1' (unchanged)
 * shellWord("a'b $(x)"); // "'a'\\''b $(x)'"
 * ```
 */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
