import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/io.js';

/**
 * The framework view of the demo (`--compliance cis-3.0,nist-800-53,pci-dss-4.0`): the
 * "Frameworks" section of report.md and frameworks.csv. The demo's own golden (demo-report)
 * stays the report of `kms-report --demo` as the README runs it, without a framework. To accept
 * a change, run `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff.
 */
describe('golden: the framework view of the demo', () => {
  it('renders the same Frameworks section and frameworks.csv', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-golden-frameworks-'));
    const io = captureIo();
    const argv = ['--demo', '--out', out, '--quiet', '--format', 'md,csv', '--compliance', 'cis-3.0,nist-800-53,pci-dss-4.0'];
    expect(await runCli(argv, io)).toBe(0);
    const dir = join(out, '111122223333', '2026-10');
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    const start = md.indexOf('## Frameworks');
    const section = md.slice(start, md.indexOf('\n## ', start + 1) + 1);
    const files: [string, string][] = [
      ['report-frameworks.md', section],
      ['frameworks.csv', await readFile(join(dir, 'frameworks.csv'), 'utf8')],
    ];
    await mkdir(new URL('./demo-frameworks/', import.meta.url), { recursive: true });
    for (const [name, actual] of files) {
      const golden = new URL(`./demo-frameworks/${name}`, import.meta.url);
      if (process.env.UPDATE_GOLDEN) await writeFile(golden, actual);
      expect(actual, name).toBe(await readFile(golden, 'utf8'));
    }
  });
});
