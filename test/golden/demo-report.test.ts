import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/io.js';

/**
 * The outline of report.html: its sections, headings, table headers, the headline's figures and
 * the "what to do first" rules, one a line. The golden pins the page's structure, not its styles.
 */
export function htmlOutline(html: string): string {
  const text = (s: string) =>
    s
      .replace(/<[^>]+>/g, '')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .trim();
  const pattern =
    /<section id="([^"]+)">|<h([1-4])>([\s\S]*?)<\/h\2>|<thead><tr>([\s\S]*?)<\/tr><\/thead>|<(?:div|span|ol|p) (?:class="[^"]*" )?(id="[^"]+"|data-[a-z-]+="[^"]*")[^>]*>|<li data-rule="([^"]+)" data-why="([^"]+)">/g;
  const lines: string[] = [];
  for (const m of html.matchAll(pattern)) {
    if (m[1]) lines.push(`section#${m[1]}`);
    else if (m[2]) lines.push(`${'#'.repeat(Number(m[2]))} ${text(m[3] ?? '')}`);
    else if (m[4] !== undefined)
      lines.push(
        `  | ${[...m[4].matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((c) => text(c[1] ?? '')).join(' | ')} |`,
      );
    else if (m[5]) lines.push(`  ${m[0].replace(/<(\w+) (?:class="[^"]*" )?/, '<$1 ')}`);
    else if (m[6]) lines.push(`  action ${m[6]} (${m[7]})`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The demo report is the product's face: it changes only on purpose. To accept a change, run
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff before committing.
 */
describe('golden: the demo report', () => {
  it('renders the same Markdown, CSV files and HTML structure', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-golden-'));
    const io = captureIo();
    expect(await runCli(['--demo', '--out', out, '--quiet', '--format', 'md,csv,json,html,ocsf,asff'], io)).toBe(0);
    const dir = join(out, '111122223333', '2026-10');
    const files: [string, (text: string) => string][] = [
      ['report.md', (t) => t],
      ['keys.csv', (t) => t],
      ['costs.csv', (t) => t],
      ['findings.csv', (t) => t],
      ['rules.csv', (t) => t],
      ['report.html', htmlOutline],
      ['findings.ocsf.json', (t) => t],
      ['findings.asff.json', (t) => t],
    ];
    for (const [name, view] of files) {
      const actual = view(await readFile(join(dir, name), 'utf8'));
      const goldenName = name === 'report.html' ? 'report.html.outline.txt' : name;
      const golden = new URL(`./demo/${goldenName}`, import.meta.url);
      if (process.env.UPDATE_GOLDEN) await writeFile(golden, actual);
      expect(actual, name).toBe(await readFile(golden, 'utf8'));
    }
  });
});
