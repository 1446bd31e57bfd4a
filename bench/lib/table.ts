/** Prints a plain-text table with right-aligned numeric columns. */
export function formatTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-+~]?[\d.,]+[×%sxA-Za-z/ ]*$/.test(r[i] ?? '')),
  );
  const cell = (text: string, i: number) =>
    numeric[i] ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => cell(c, i)).join('  ')}`.trimEnd();
  return [title, line(header), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)].join(
    '\n',
  );
}

export const fmt = {
  n: (v: number) => Math.round(v).toLocaleString('en-US'),
  s: (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`,
  ms: (ms: number) => `${ms.toFixed(0)} ms`,
  x: (v: number) => `${v.toFixed(2)}×`,
  mb: (v: number) => `${v.toFixed(0)} MiB`,
  f: (v: number, d = 2) => v.toFixed(d),
};
