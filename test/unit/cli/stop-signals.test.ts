import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import type { ReportFile } from '../../../src/pipeline/writer.js';
import { captureIo } from '../../support/io.js';

/** The signal the next report write receives once its first file has started (null: none). */
const stop: { signal: NodeJS.Signals | null } = { signal: null };

// The report writer, with a signal delivered to the process in the middle of the first file.
vi.mock('../../../src/pipeline/writer.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/pipeline/writer.js')>();
  function* interrupted(contents: ReportFile['contents']) {
    const pieces = typeof contents === 'string' || contents instanceof Uint8Array ? [contents] : contents;
    let first = true;
    for (const piece of pieces) {
      yield piece;
      if (first && stop.signal) process.emit(stop.signal, stop.signal);
      first = false;
    }
  }
  return {
    ...real,
    writeReportSet: (
      dir: string,
      files: readonly ReportFile[],
      ...rest: Parameters<typeof real.writeReportSet> extends [unknown, unknown, ...infer R] ? R : never
    ) =>
      real.writeReportSet(
        dir,
        files.map((f, i) => (i === 0 ? { ...f, contents: interrupted(f.contents) } : f)),
        ...rest,
      ),
  };
});

describe('kms-report --month stopped while writing the report', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: exits 130, writes nothing and keeps the previous report set',
    async (signal) => {
      const out = await mkdtemp(join(tmpdir(), 'kms-report-stop-'));
      const set = join(out, '111122223333', '2026-10');
      stop.signal = null;
      expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(ExitCode.Ok);
      const before = await readFile(join(set, 'SHA256SUMS'), 'utf8');

      stop.signal = signal;
      const listeners = process.listenerCount(signal);
      const io = captureIo();
      const code = await runCli(['--demo', '--out', out, '--quiet'], io);

      expect(code).toBe(ExitCode.Interrupted);
      expect(io.stderrText()).toContain('nothing was written, the previous report set is intact');
      expect(process.listenerCount(signal)).toBe(listeners);
      expect(await readFile(join(set, 'SHA256SUMS'), 'utf8')).toBe(before);
      for (const line of before.trim().split('\n')) {
        const [sha, name] = line.split('  ') as [string, string];
        expect(
          createHash('sha256')
            .update(await readFile(join(set, name)))
            .digest('hex'),
        ).toBe(sha);
      }
      expect(await readdir(join(out, '111122223333'))).toEqual(['2026-10']);
    },
  );
});
