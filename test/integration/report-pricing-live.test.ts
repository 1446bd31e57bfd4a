import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsageClients } from '../../src/collect/clients.js';
import { runMonthlyReport } from '../../src/pipeline/run.js';
import { dec, lineAmount, toMoney } from '../../src/pricing/money.js';
import { endpointClients, MOTO_ACCOUNT } from '../support/scenario.js';
import { asLookupEvent } from '../unit/usage/fixtures.js';

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';
const PARTNER = '444455556666';
const base = {
  endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
};

/** A KMS CloudTrail record as Event history returns it. */
function record(
  eventName: string,
  time: Date,
  keyArn: string | null,
  identity: Record<string, unknown> = { type: 'AssumedRole', accountId: MOTO_ACCOUNT },
  n = 0,
) {
  return {
    eventVersion: '1.11',
    userIdentity: identity,
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: REGION,
    eventID: `${eventName}-${n}`,
    readOnly: true,
    resources: keyArn ? [{ accountId: MOTO_ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }] : [],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: MOTO_ACCOUNT,
  };
}

beforeEach(async () => {
  expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
});

describe('a month-to-date report against moto and a CloudTrail double', () => {
  it('prices Sign and DescribeKey apart, bills a service call to its caller, counts ListKeys, and charges fees to date only', async () => {
    // Prepare: in moto, an ECC signing key and a symmetric key (read by S3 for a partner account).
    const kms = new KMSClient({ ...base, region: REGION });
    const ecc = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata?.Arn as string;
    const sym = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    // CloudTrail's Event history for the month so far (newest first): 3 Sign and 2 DescribeKey on the
    // ECC key, 2 Decrypt S3 made with the partner's credentials on the symmetric key, 1 ListKeys.
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const at = new Date(Math.max(monthStart, now.getTime() - 60_000));
    const s3ForPartner = { type: 'AssumedRole', accountId: PARTNER, invokedBy: 's3.amazonaws.com' };
    const history = [
      ...[0, 1, 2].map((n) => record('Sign', at, ecc, undefined, n)),
      ...[0, 1].map((n) => record('DescribeKey', at, ecc, undefined, n)),
      ...[0, 1].map((n) => record('Decrypt', at, sym, s3ForPartner, n)),
      record('ListKeys', at, null),
    ].map(asLookupEvent);
    const cloudTrail = new CloudTrailClient({ ...base, region: REGION });
    mockClient(cloudTrail).on(LookupEventsCommand).resolves({ Events: history });
    const usageClients: UsageClients = {
      cloudTrail: () => cloudTrail,
      cloudWatch: (region) => new CloudWatchClient({ ...base, region }),
      s3: (region) => new S3Client({ ...base, region, forcePathStyle: true }),
      sts: (region) => new STSClient({ ...base, region }),
    };
    const month = now.toISOString().slice(0, 7);

    // Act
    const { report } = await runMonthlyReport({
      month,
      evidence: {
        kind: 'live',
        regions: [REGION],
        usageSources: ['lookup'],
        lastUsage: false,
        // The inventory's STS (the caller's identity) over the usage set's.
        clients: { ...usageClients, ...endpointClients(endpoint) },
      },
      output: { dir: await mkdtemp(join(tmpdir(), 'kms-report-pricing-live-')), formats: ['json'] },
    });

    // Assess: the month to date, priced up to the inventory's time.
    expect(report.monthToDate).toBe(true);
    expect(report.cost.period.pricedUntil).toBe(report.evidence.collectedAt.finishedAt);
    const line = (arn: string, operation: string) =>
      report.cost.keys.find((k) => k.keyArn === arn)?.lines.find((l) => l.operation === operation);
    // Sign on ECC: 3 × $0.15 / 10,000 = $0.000045 (asymmetric). DescribeKey: 2 × $0.03 / 10,000 = $0.000006
    // (an ordinary request, not 2 × $0.15 / 10,000 = $0.00003).
    expect(line(ecc, 'Sign')).toMatchObject({ tier: 'KMS-Requests-Asymmetric', amount: '0.000045' });
    expect(line(ecc, 'DescribeKey')).toMatchObject({ tier: 'KMS-Requests', amount: '0.000006' });
    // S3's Decrypt with the partner's credentials: billed to the partner, 2 × $0.03 / 10,000 = $0.000006.
    expect(line(sym, 'Decrypt')).toMatchObject({ account: PARTNER, amount: '0.000006' });
    expect(report.summary.cost.billedToOtherAccounts.amount).toBe('0.000006');
    // ListKeys names no key: an account line, 1 × $0.03 / 10,000 = $0.000003.
    expect(report.cost.accountRequests.map((l) => [l.account, l.operation, l.amount])).toEqual([
      [MOTO_ACCOUNT, 'ListKeys', '0.000003'],
    ]);
    // Free tier for this account: DescribeKey 2 + ListKeys 1 = 3 ordinary requests, −3 × $0.03 / 10,000.
    expect(report.cost.credits.map((c) => c.amount)).toEqual(['-0.000009']);
    // Key fees to date: each key created minutes ago is billed the hour(s) it has existed (1, or 2 across
    // an hour boundary) out of the month's hours — never the whole month's $1.
    for (const arn of [ecc, sym]) {
      const fee = report.cost.keys.find((k) => k.keyArn === arn)?.lines.find((l) => l.kind === 'key-fee');
      expect(fee?.hours?.billable).toBeLessThanOrEqual(2);
      // $1 × hours / hours in the month.
      expect(fee?.amount).toBe(
        toMoney(lineAmount(dec(fee?.hours?.billable ?? 0).div(report.cost.period.hours))),
      );
    }
    // Everything to date was read: the total is a known figure, not "at least".
    expect(report.cost.total.complete).toBe(true);
  });
});
