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
import { importToSecurityHub } from '../../../src/publish/security-hub.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

describe('runMonthlyReport with securityHub', () => {
  it('writes the report set first, and reports a Security Hub that refuses the import (exit 5)', async () => {
    const hub = mockClient(SecurityHubClient);
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
    hub.on(BatchImportFindingsCommand).rejects(
      new InvalidAccessException({
        message: 'Account 111122223333 is not subscribed to AWS Security Hub',
        $metadata: { httpStatusCode: 401 },
      }),
    );
    const client = new SecurityHubClient({ region: 'us-east-1' });

    const result = await importToSecurityHub(await demoMonthlyReport(), {
      clients: () => client,
      sleep: async () => {},
    });

    expect(result.complete).toBe(false);
    const exit = securityHubExit(result);
    expect(exit?.code).toBe(ExitCode.SecurityHub);
    expect(exit?.reason).toMatch(/not taken by Security Hub in .*the report set was written/);
    expect(securityHubSummary(result)).toContain('not subscribed to AWS Security Hub');
    hub.restore();
  });

  it('refuses saved evidence and an earlier month before importing anything', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-sh-'));
    const demo = await runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: out } });
    const hub = mockClient(SecurityHubClient);
    const securityHub = { clients: () => new SecurityHubClient({ region: 'us-east-1' }) };

    await expect(
      runMonthlyReport({
        month: '2026-10',
        evidence: { kind: 'saved', snapshotFile: join(demo.dir, 'snapshot.json') },
        output: { dir: join(out, 'saved') },
        securityHub,
      }),
    ).rejects.toThrow(/^--security-hub: .*cannot be combined with --snapshot/);
    // Live, but a month before the latest: Security Hub holds newer findings than it would send.
    await expect(
      runMonthlyReport({
        month: '2026-09',
        now: () => new Date('2026-11-01T02:00:00Z'),
        evidence: { kind: 'live', regions: ['us-east-1'] },
        output: { dir: join(out, 'live') },
        securityHub,
      }),
    ).rejects.toThrow(
      /^--security-hub: imports the latest month only \(2026-10, or the current month to date\): 2026-09/,
    );
    expect(hub.calls()).toHaveLength(0);
    expect(await readdir(out)).not.toContain('saved');
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
