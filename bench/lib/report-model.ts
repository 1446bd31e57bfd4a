/** Report model data for the rendering benchmark, and a CSV reader for its floor. */
import type { MonthlyReport } from '../../src/model/report.js';
import { demoMonthlyReport } from '../../test/support/demo-report.js';

const suffix = (c: number) => c.toString(16).padStart(6, '0');
/** The c-th copy of a key id: same shape, last 6 hex digits replaced. */
const copyId = (id: string, c: number) => (c === 0 ? id : `${id.slice(0, -6)}${suffix(c)}`);

/**
 * A report of about `keys` keys: the demo report (built by the project's pipeline) with its
 * per-key parts (key rows, findings, cost lines, waste rows, gaps) copied, each copy with its
 * own key ids, ARNs and aliases. Pricing and compliance of 100,000 keys are not what this
 * measures (and take minutes); the renderers see a report of the real shape and size.
 */
export async function largeReport(keys: number): Promise<MonthlyReport> {
  const base = await demoMonthlyReport();
  const ids = base.keys.map((k) => k.keyId);
  const perKey = JSON.stringify({
    keys: base.keys,
    findings: base.findings,
    costKeys: base.cost.keys,
    waste: base.summary.waste,
    gaps: base.coverage.gaps,
  });
  const copies = Math.max(1, Math.round(keys / base.keys.length));
  // One pass per copy renames every key id and alias.
  const pattern = new RegExp(
    `${ids.map((id) => id.replace(/[-]/g, '\\-')).join('|')}|alias\\/([a-z0-9/_-]+)`,
    'g',
  );
  const parts = { keys: [], findings: [], costKeys: [], waste: [], gaps: [] } as Record<string, unknown[]>;
  for (let c = 0; c < copies; c++) {
    let text = perKey;
    if (c > 0)
      text = text.replace(pattern, (m, alias?: string) => (alias ? `alias/${alias}-${c}` : copyId(m, c)));
    const copy = JSON.parse(text) as Record<string, unknown[]>;
    for (const [name, list] of Object.entries(copy))
      for (const item of list) (parts[name] as unknown[]).push(item);
  }
  return {
    ...base,
    keys: parts.keys as unknown as MonthlyReport['keys'],
    findings: parts.findings as unknown as MonthlyReport['findings'],
    summary: { ...base.summary, waste: parts.waste as unknown as MonthlyReport['summary']['waste'] },
    coverage: { ...base.coverage, gaps: parts.gaps as unknown as MonthlyReport['coverage']['gaps'] },
    cost: { ...base.cost, keys: parts.costKeys as unknown as MonthlyReport['cost']['keys'] },
  };
}

/** Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF) back into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') i++;
    else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
