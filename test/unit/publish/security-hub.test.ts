import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  InternalException,
  InvalidAccessException,
  LimitExceededException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { securityHubSummary } from '../../../src/cli/security-hub-summary.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import {
  archivedFinding,
  GET_FINDINGS_INTERVAL_MS,
  IMPORT_BATCH_SIZE,
  importToSecurityHub,
} from '../../../src/publish/security-hub.js';
import { asffFindings } from '../../../src/report/asff.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

const hub = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: 'eu-west-1' });

/** The demo report narrowed to one region, its findings repeated to fill `n` findings. */
async function oneRegion(n: number): Promise<MonthlyReport> {
  const report = await demoMonthlyReport();
  const region = 'eu-west-1';
  const base = report.findings.filter((f) => f.region === region && f.status !== 'NOT_APPLICABLE');
  const findings = Array.from({ length: n }, (_, i) => {
    const f = base[i % base.length] as (typeof base)[number];
    return { ...f, keyId: `${f.keyId.slice(0, 30)}${String(i).padStart(6, '0')}` };
  });
  return { ...report, scope: { ...report.scope, regions: [region] }, findings };
}

const throttled = () =>
  new LimitExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });

beforeEach(() => {
  hub.reset();
  hub.on(GetFindingsCommand).resolves({ Findings: [] });
});

describe('importToSecurityHub', () => {
  it('sends at most 100 findings a call, paced, and retries a throttled call', async () => {
    const report = await oneRegion(250);
    const waits: number[] = [];
    hub
      .on(BatchImportFindingsCommand)
      .resolves({ FailedCount: 0, SuccessCount: IMPORT_BATCH_SIZE, FailedFindings: [] })
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled())
      .resolves({ FailedCount: 0, SuccessCount: 100, FailedFindings: [] });

    const result = await importToSecurityHub(report, {
      clients: () => client,
      sleep: async (ms) => {
        waits.push(ms);
      },
      intervalMs: 200,
    });

    const calls = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length);
    // The first call was throttled and sent again whole: 100, 100 (again), 100, 50.
    expect(calls).toEqual([100, 100, 100, 50]);
    expect(waits).toContain(1_000);
    expect(waits.filter((w) => w === 200).length).toBe(3);
    expect(result.complete).toBe(true);
    expect(result.regions[0]).toMatchObject({ created: 250, failedCount: 0, problem: null });
  });

  it('reports the findings Security Hub refused, by id and reason', async () => {
    const report = await oneRegion(3);
    const [first] = asffFindings(report);
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 2,
      FailedFindings: [
        { Id: first?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding\u001b[2J too large' },
      ],
    });

    const result = await importToSecurityHub(report, { clients: () => client, sleep: async () => {} });

    expect(result.complete).toBe(false);
    expect(result.regions[0]).toMatchObject({
      created: 2,
      failedCount: 1,
      failed: [{ id: first?.Id, code: 'InvalidInput', message: 'Finding [2J too large' }],
    });
  });

  it('stops a region whose Security Hub refuses the first call, counting the rest as not sent', async () => {
    const report = await oneRegion(230);
    hub.on(BatchImportFindingsCommand).rejects(
      new InvalidAccessException({
        message: 'Account 111122223333 is not subscribed to AWS Security Hub',
        $metadata: { httpStatusCode: 401 },
      }),
    );

    const result = await importToSecurityHub(report, { clients: () => client, sleep: async () => {} });

    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
    expect(result.regions[0]?.failedCount).toBe(230);
    expect(result.regions[0]?.problem).toContain('not subscribed to AWS Security Hub');
  });

  it('pages through the earlier findings, keeps only its own, and archives those gone', async () => {
    const report = await oneRegion(3);
    const own = [...asffFindings(report)][0];
    const mine = (id: string) => ({ ...own, Id: id, Resources: own?.Resources, Types: own?.Types });
    const prefix = 'kms-report/111122223333/eu-west-1/';
    hub
      .on(GetFindingsCommand)
      .resolvesOnce({
        Findings: [mine(own?.Id as string) as never, mine(`${prefix}gone/KMS-ROT-01`) as never],
        NextToken: 'p2',
      })
      .resolvesOnce({
        Findings: [
          // Another tool's finding under the same default product, and an archived one of ours.
          { ...mine('someone-else/1'), GeneratorId: 'other' } as never,
          { ...mine(`${prefix}old/KMS-ROT-01`), RecordState: 'ARCHIVED' } as never,
        ],
      });
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });

    const result = await importToSecurityHub(report, {
      clients: () => client,
      sleep: async () => {},
      now: () => new Date('2026-12-01T00:00:00Z'),
    });

    expect(hub.commandCalls(GetFindingsCommand)[1]?.args[0].input.NextToken).toBe('p2');
    const filters = hub.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters;
    expect(filters?.Id).toEqual([{ Value: prefix, Comparison: 'PREFIX' }]);
    expect(result.regions[0]).toMatchObject({ created: 2, updated: 1, archived: 1 });
    const sent = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    expect(sent.filter((f) => f.RecordState === 'ARCHIVED').map((f) => f.Id)).toEqual([
      `${prefix}gone/KMS-ROT-01`,
    ]);
  });

  it('imports even when the earlier findings cannot be read, and says none was resolved', async () => {
    const report = await oneRegion(2);
    hub.on(GetFindingsCommand).rejects(throttled());
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 2, FailedFindings: [] });

    const result = await importToSecurityHub(report, { clients: () => client, sleep: async () => {} });

    expect(result.regions[0]?.created).toBe(2);
    expect(result.regions[0]?.problem).toMatch(/GetFindings, LimitExceededException\): none was resolved/);
    expect(result.complete).toBe(false);
  });

  it('pages the earlier findings at 3 a second, and when a page fails keeps what was read and archives nothing', async () => {
    const report = await oneRegion(3);
    const own = [...asffFindings(report)][0];
    const prefix = 'kms-report/111122223333/eu-west-1/';
    const earlier = (id: string) =>
      ({ ...own, Id: id, CreatedAt: '2026-08-01T00:00:00.000Z', Resources: own?.Resources }) as never;
    hub
      .on(GetFindingsCommand)
      .resolvesOnce({
        Findings: [earlier(own?.Id as string), earlier(`${prefix}gone/KMS-ROT-01`)],
        NextToken: 'p2',
      })
      .rejects(new InternalException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }));
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const waits: number[] = [];

    const result = await importToSecurityHub(report, {
      clients: () => client,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(waits[0]).toBe(GET_FINDINGS_INTERVAL_MS);
    expect(GET_FINDINGS_INTERVAL_MS).toBeGreaterThanOrEqual(1000 / 3);
    const sent = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    // Nothing archived: the unread page may hold findings still true.
    expect(sent.filter((f) => f.RecordState === 'ARCHIVED')).toEqual([]);
    // What the first page said is kept: the finding imported in August keeps its CreatedAt.
    expect(sent.find((f) => f.Id === own?.Id)?.CreatedAt).toBe('2026-08-01T00:00:00.000Z');
    expect(result.regions[0]).toMatchObject({ updated: 1, archived: 0 });
    expect(result.regions[0]?.problem).toBe(
      'could not read the findings imported before (securityhub:GetFindings, InternalException, after 1 of their pages): none was resolved',
    );
    expect(result.complete).toBe(false);
  });

  it('does not archive what Security Hub holds too little of', () => {
    expect(archivedFinding({ Id: 'x' }, '2026-12-01T00:00:00Z')).toBeNull();
  });

  describe('where the keys were not all read', () => {
    const prefix = 'kms-report/111122223333/eu-west-1/';
    /** Security Hub holds this month's first finding and one on a key the report does not name. */
    async function holding(report: MonthlyReport, goneKeyArn: string) {
      const own = [...asffFindings(report)][0];
      const gone = {
        ...own,
        Id: `${prefix}gone/KMS-ROT-01`,
        Resources: [{ ...own?.Resources[0], Id: goneKeyArn }],
      };
      hub.on(GetFindingsCommand).resolves({ Findings: [own as never, gone as never] });
      hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    }
    const archivedIds = () =>
      hub
        .commandCalls(BatchImportFindingsCommand)
        .flatMap((c) => c.args[0].input.Findings ?? [])
        .filter((f) => f.RecordState === 'ARCHIVED')
        .map((f) => f.Id);

    it('archives nothing in a region whose keys could not be listed, and says so', async () => {
      const report = await oneRegion(3);
      const partial: MonthlyReport = {
        ...report,
        findings: [],
        coverage: {
          ...report.coverage,
          regions: report.coverage.regions.map((r) =>
            r.region === 'eu-west-1' ? { ...r, status: 'failed' as const, keysListed: 0 } : r,
          ),
          gaps: [
            {
              scope: 'region',
              account: '111122223333',
              region: 'eu-west-1',
              keyArn: null,
              field: null,
              operation: 'ListKeys',
              errorCode: 'ThrottlingException',
              message: 'Rate exceeded',
            },
          ],
        },
      };
      await holding(report, 'arn:aws:kms:eu-west-1:111122223333:key/not-listed');

      const result = await importToSecurityHub(partial, { clients: () => client, sleep: async () => {} });

      expect(archivedIds()).toEqual([]);
      // Both earlier findings stay active: this month's report simply did not see the region.
      expect(result.regions[0]).toMatchObject({ created: 0, updated: 0, archived: 0 });
      expect(result.regions[0]?.problem).toBe(
        'the keys of 111122223333 eu-west-1 could not be listed: no earlier finding was archived',
      );
      expect(securityHubSummary(result)).toContain('no earlier finding was archived');
      expect(result.complete).toBe(false);
    });

    it('keeps the earlier findings of a key made after the month reported', async () => {
      const report = await oneRegion(3);
      const later = 'arn:aws:kms:eu-west-1:111122223333:key/made-in-november';
      const withLater: MonthlyReport = {
        ...report,
        coverage: { ...report.coverage, keysCreatedAfterMonth: [later] },
      };
      await holding(withLater, later);

      const result = await importToSecurityHub(withLater, { clients: () => client, sleep: async () => {} });

      expect(archivedIds()).toEqual([]);
      expect(result.regions[0]?.archived).toBe(0);
    });

    it("keeps the earlier findings of a key it could not read, and archives the others' gone", async () => {
      const report = await oneRegion(3);
      const unread = 'arn:aws:kms:eu-west-1:111122223333:key/unreadable';
      const withGap: MonthlyReport = {
        ...report,
        coverage: {
          ...report.coverage,
          gaps: [
            {
              scope: 'key',
              account: '111122223333',
              region: 'eu-west-1',
              keyArn: unread,
              field: null,
              operation: 'DescribeKey',
              errorCode: 'AccessDeniedException',
              message: 'denied',
            },
          ],
        },
      };
      await holding(withGap, unread);

      const result = await importToSecurityHub(withGap, { clients: () => client, sleep: async () => {} });
      expect(archivedIds()).toEqual([]);
      expect(result.regions[0]?.archived).toBe(0);

      hub.reset();
      await holding(report, unread);
      const complete = await importToSecurityHub(report, { clients: () => client, sleep: async () => {} });
      expect(archivedIds()).toEqual([`${prefix}gone/KMS-ROT-01`]);
      expect(complete.regions[0]?.archived).toBe(1);
    });
  });
});
