import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { securityHubExit, securityHubSummary } from '../../../src/cli/security-hub-summary.js';
import { InputError } from '../../../src/errors.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';

describe('runMonthlyReport with securityHub', () => {
  it('writes the report set first, and reports a Security Hub that refuses the import (exit 5)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-sh-'));
    const demo = await runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: out } });
    const hub = mockClient(SecurityHubClient);
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
    hub.on(BatchImportFindingsCommand).rejects(
      new InvalidAccessException({
        message: 'Account 111122223333 is not subscribed to AWS Security Hub',
        $metadata: { httpStatusCode: 401 },
      }),
    );
    const client = new SecurityHubClient({ region: 'us-east-1' });

    const result = await runMonthlyReport({
      month: '2026-10',
      evidence: { kind: 'saved', snapshotFile: join(demo.dir, 'snapshot.json') },
      output: { dir: join(out, 'saved') },
      securityHub: { clients: () => client, sleep: async () => {} },
    });

    expect(await readdir(result.dir)).toContain('report.md');
    expect(result.securityHub?.complete).toBe(false);
    const exit = securityHubExit(result.securityHub);
    expect(exit?.code).toBe(ExitCode.SecurityHub);
    expect(exit?.reason).toMatch(/not taken by Security Hub in .*the report set was written/);
    expect(securityHubSummary(result.securityHub as never)).toContain('not subscribed to AWS Security Hub');
    hub.restore();
  });

  it('refuses the demo and organisation runs before reading anything', async () => {
    const securityHub = { clients: () => new SecurityHubClient({ region: 'us-east-1' }) };
    await expect(runMonthlyReport({ evidence: { kind: 'demo' }, securityHub })).rejects.toThrow(InputError);
    await expect(
      runMonthlyReport({
        evidence: { kind: 'organization', fromOrganization: true, roleName: 'Reader' },
        securityHub,
      }),
    ).rejects.toThrow(/only from that account/);
  });

  it('is not a failure when everything was taken', () => {
    expect(securityHubExit(null)).toBeNull();
    expect(securityHubExit({ regions: [], complete: true })).toBeNull();
  });
});
