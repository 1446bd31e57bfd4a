import { cp, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { terminalProgress } from '../../../src/cli/progress.js';
import { DEFAULT_PRICING_DIR } from '../../../src/pricing/load.js';
import { captureIo } from '../../support/io.js';

/** Anything a terminal would act on instead of showing: C0 but TAB/LF, DEL, C1, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters no output may carry
const ACTS_ON_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Sets the window title, clears the screen, starts a CSI without ESC, reverses what follows. */
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eexe.txt';
const SHOWN = String.raw`\x1b]0;pwned\x07\x1b[2J\u009b31m\u202eexe.txt`;

describe('CLI output on a terminal: what an evidence file holds is shown, never acted on', () => {
  it('an evidence file that is not JSON: the parse error quotes it with its escapes shown, on one line', async () => {
    // Prepare: a "snapshot" made of escape sequences, with a line break that would forge a line.
    const dir = await mkdtemp(join(tmpdir(), 'kms-terminal-'));
    const file = join(dir, 'snapshot.json');
    await writeFile(file, '\u001b[2J\nkms-report: all good');
    const io = captureIo();
    // Act
    const code = await runCli(['--month', '2026-10', '--snapshot', file, '--out', dir], io);
    // Assess: the error names the file and quotes its text, inert.
    expect(code).toBe(ExitCode.BadInput);
    const stderr = io.stderrText();
    expect(stderr).toContain('not valid JSON');
    expect(stderr).toContain(String.raw`\x1b[2J\nkms`);
    expect(stderr).not.toMatch(ACTS_ON_TERMINAL);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('the summary shows a folder name with its escapes, and the report is still written there', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'kms-terminal-'));
    const out = join(parent, `out${HOSTILE}`);
    const io = captureIo();
    expect(await runCli(['--demo', '--out', out], io)).toBe(ExitCode.Ok);
    const stdout = io.stdoutText();
    expect(stdout).toContain(`Report written to ${join(parent, `out${SHOWN}`)}/111122223333/2026-10/`);
    expect(stdout).not.toMatch(ACTS_ON_TERMINAL);
    expect((await stat(join(out, '111122223333', '2026-10', 'report.md'))).isFile()).toBe(true);
  });

  it('an option value typed with escape sequences is echoed inert in the error', async () => {
    const io = captureIo();
    expect(await runCli(['--md-max-rows', HOSTILE], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain(SHOWN);
    expect(io.stderrText()).not.toMatch(ACTS_ON_TERMINAL);
  });

  it('pricing show prints a table note with its escapes shown', async () => {
    // Prepare: a copy of the shipped tables whose current table carries a hostile note.
    const dir = await mkdtemp(join(tmpdir(), 'kms-terminal-pricing-'));
    await cp(DEFAULT_PRICING_DIR, dir, { recursive: true });
    const name = (await readdir(dir))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .at(-1) as string;
    const table = JSON.parse(await readFile(join(dir, name), 'utf8'));
    table.provenance.notes.push(`read me${HOSTILE}\rAll prices verified`);
    await writeFile(join(dir, name), JSON.stringify(table, null, 2));
    const io = captureIo({ now: () => new Date('2026-11-29T10:00:00Z') });
    // Act
    expect(await runCli(['pricing', 'show', '--pricing', dir], io)).toBe(ExitCode.Ok);
    // Assess
    const stdout = io.stdoutText();
    expect(stdout).toContain(`note: read me${SHOWN}\\rAll prices verified`);
    expect(stdout).not.toMatch(ACTS_ON_TERMINAL);
  });

  it('the progress line writes its own line reset and nothing else that drives the terminal', () => {
    // Prepare: a terminal stream, and a region name as an evidence file could carry it.
    const written: string[] = [];
    const stream = {
      isTTY: true,
      write: (chunk: string) => written.push(chunk) > 0,
    } as unknown as NodeJS.WriteStream;
    const progress = terminalProgress(stream);
    // Act
    progress.onProgress({
      account: '111122223333',
      region: `eu-west-1${HOSTILE}\n`,
      keysDone: 1,
      keysTotal: 2,
    });
    // Assess
    expect(written).toEqual([`\r\u001b[2Kkeys: eu-west-1${SHOWN}\\n 1/2`]);
  });
});
