import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/commands/collect.js';

/** In-memory stdout/stderr for running the CLI in-process. */
export function captureIo(
  extra: Partial<CliIo> = {},
): CliIo & { stdoutText(): string; stderrText(): string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  stdout.on('data', (d) => out.push(String(d)));
  (stderr as unknown as PassThrough).on('data', (d) => err.push(String(d)));
  return {
    stdout,
    stderr,
    ...extra,
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}
