import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/io.js';

/**
 * The demo report is the product's face: it changes only on purpose. To accept a change, run
 * `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff before committing.
 */
describe('golden: the demo report', () => {
  it('renders the same Markdown and CSV files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-golden-'));
    const io = captureIo();
    expect(await runCli(['--demo', '--out', out, '--quiet'], io)).toBe(0);
    const dir = join(out, '111122223333', '2026-10');
    for (const name of ['report.md', 'keys.csv', 'costs.csv', 'findings.csv']) {
      const actual = await readFile(join(dir, name), 'utf8');
      const golden = new URL(`./demo/${name}`, import.meta.url);
      if (process.env.UPDATE_GOLDEN) await writeFile(golden, actual);
      expect(actual, name).toBe(await readFile(golden, 'utf8'));
    }
  });
});
