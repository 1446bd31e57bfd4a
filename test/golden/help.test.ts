import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/io.js';

/**
 * The CLI's help is part of its interface: it changes only on purpose. To accept a change,
 * run `UPDATE_GOLDEN=1 npx vitest run test/golden` and commit the new files.
 */
async function expectGolden(name: string, actual: string) {
  const file = new URL(`./${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) await writeFile(file, actual);
  expect(actual).toBe(await readFile(file, 'utf8'));
}

describe('golden: --help', () => {
  it.each([
    ['kms-report --help', ['--help'], 'help.txt'],
    ['kms-report collect --help', ['collect', '--help'], 'help-collect.txt'],
    ['kms-report usage --help', ['usage', '--help'], 'help-usage.txt'],
    ['kms-report pricing refresh --help', ['pricing', 'refresh', '--help'], 'help-pricing-refresh.txt'],
    ['kms-report reconcile --help', ['reconcile', '--help'], 'help-reconcile.txt'],
  ])('%s', async (_title, argv, file) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(0);
    await expectGolden(file, io.stdoutText());
  });
});
