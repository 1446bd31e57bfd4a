import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { AwsFailure } from '../../../src/collect/aws-errors.js';
import { ComplianceConfigError } from '../../../src/compliance/config.js';
import {
  CredentialsError,
  InputError,
  InterruptedError,
  KmsReportError,
  NetworkError,
  OutputError,
  SnapshotError,
} from '../../../src/errors.js';
import { AssumeRoleError } from '../../../src/org/session.js';
import { PricingError, PricingTableError } from '../../../src/pricing/errors.js';
import { captureIo } from '../../support/io.js';

describe('exit codes', () => {
  it('are said by each error: bad input 2, interrupted 130, every other failure 1', () => {
    const failure = { kind: 'access-denied', code: 'AccessDenied', message: 'no' } as const;
    const cases: [KmsReportError, number][] = [
      [new InputError('--month', 'bad'), ExitCode.BadInput],
      [new SnapshotError('s.json', 'keys', 'bad'), ExitCode.BadInput],
      [new PricingTableError('t.json', 'regions', 'bad'), ExitCode.BadInput],
      [new ComplianceConfigError('c.yaml', []), ExitCode.BadInput],
      [new InterruptedError('stopped'), ExitCode.Interrupted],
      [new CredentialsError('profile "p"', 'expired'), ExitCode.Error],
      [new NetworkError('unreachable'), ExitCode.Error],
      [new OutputError('reports', 'read-only'), ExitCode.Error],
      [new PricingError('no table'), ExitCode.Error],
      [new AwsFailure(failure), ExitCode.Error],
      [new AssumeRoleError('arn:aws:iam::111122223333:role/R', failure), ExitCode.Error],
      [new KmsReportError('other'), ExitCode.Error],
    ];
    for (const [error, code] of cases) expect([error.name, error.exitCode]).toEqual([error.name, code]);
  });

  it('the CLI exits with the code of the error that ended the run', async () => {
    const io = captureIo();
    expect(await runCli(['usage', '--month', '2026-13'], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('--month');
  });
});
