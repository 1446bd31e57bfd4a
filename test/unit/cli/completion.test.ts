import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { captureIo } from '../../support/io.js';

const run = promisify(execFile);

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const io = captureIo({ env: {} });
  expect(await runCli(['completion', shell], io)).toBe(ExitCode.Ok);
  const file = join(await mkdtemp(join(tmpdir(), 'kms-completion-')), `kms-report.${shell}`);
  await writeFile(file, io.stdoutText());
  return file;
}

/** What bash offers for the words typed (the last one is being completed). */
async function complete(file: string, words: string[]): Promise<string[]> {
  const { stdout } = await run('bash', [
    '-c',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _kms_report; printf "%s\\n" "${COMPREPLY[@]}"',
    'complete',
    file,
    ...words,
  ]);
  return stdout.split('\n').filter(Boolean);
}

describe('kms-report completion', () => {
  it('bash: the script is valid bash', async () => {
    await expect(run('bash', ['-n', await script('bash')])).resolves.toBeDefined();
  });

  it('bash: completes commands, options, nested commands and choices', async () => {
    const file = await script('bash');
    expect(await complete(file, ['kms-report', 'co'])).toEqual(['collect', 'completion']);
    expect(await complete(file, ['kms-report', '--fail-o'])).toEqual([
      '--fail-on',
      '--fail-on-gaps',
      '--fail-on-drift',
    ]);
    expect(await complete(file, ['kms-report', '--free-tier', 'o'])).toEqual(['organization']);
    expect(await complete(file, ['kms-report', '--fail-on', 'h'])).toEqual(['high']);
    expect(await complete(file, ['kms-report', 'usage', '--usage'])).toEqual(['--usage-source']);
    expect(await complete(file, ['kms-report', 'pricing', 'refresh', '--dr'])).toEqual(['--dry-run']);
    expect(await complete(file, ['kms-report', 'completion', ''])).toEqual(['bash', 'zsh']);
  });

  it('bash: deprecated spellings are not offered', async () => {
    const file = await script('bash');
    expect(await complete(file, ['kms-report', 'usage', '--sou'])).toEqual([]);
    expect(await complete(file, ['kms-report', 'pricing', 'show', '--di'])).toEqual([]);
  });

  it('zsh: a #compdef script that loads the same completion through bashcompinit', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['completion', 'zsh'], io)).toBe(ExitCode.Ok);
    const text = io.stdoutText();
    expect(text.startsWith('#compdef kms-report\n')).toBe(true);
    expect(text).toContain('bashcompinit');
    expect(text).toContain('complete -F _kms_report kms-report');
  });

  it('an unknown shell is refused with exit 2', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['completion', 'fish'], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain("command-argument value 'fish' is invalid for argument 'shell'");
  });
});
