/**
 * Caller counting with many distinct callers (issue 17): `--callers` records (default 1,000,000),
 * each by a caller never seen before (its own role, half through S3 on one of 1,000 buckets),
 * plus three heavy callers, over 100 keys and two operations, fed to one UsageAggregator.
 * `--max-callers` sets its limit (default MAX_CALLER_ENTRIES; a value above `--callers` shows
 * what memory would be without the bound). Each record is a fresh object, as JSON.parse makes.
 */

import { MAX_CALLER_ENTRIES, UsageAggregator } from '../../src/usage/aggregator.js';
import { parseMonth } from '../../src/util/month.js';
import { keyArnOf, TRAIL_ACCOUNT } from '../lib/events.js';
import { args, emit, gc, nowMs, numberArg, startRssSampler } from '../lib/measure.js';

const opts = args();
const callers = numberArg(opts, 'callers', 1_000_000);
const maxCallers = numberArg(opts, 'max-callers', MAX_CALLER_ENTRIES);
const REGION = 'us-east-1';
const START = Date.UTC(2026, 9, 1);

function record(i: number, role: string): Record<string, unknown> {
  const viaS3 = i % 2 === 0;
  const keyArn = keyArnOf(REGION, i % 100);
  const eventTime = new Date(START + (i % 2_592_000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE${i}:session-${i}`,
      arn: `arn:aws:sts::${TRAIL_ACCOUNT}:assumed-role/${role}/session-${i}`,
      accountId: TRAIL_ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: `AROAEXAMPLE${i}`,
          arn: `arn:aws:iam::${TRAIL_ACCOUNT}:role/${role}`,
          accountId: TRAIL_ACCOUNT,
          userName: role,
        },
      },
      ...(viaS3 ? { invokedBy: 's3.amazonaws.com' } : {}),
    },
    eventTime,
    eventSource: 'kms.amazonaws.com',
    eventName: i % 3 === 0 ? 'GenerateDataKey' : 'Decrypt',
    awsRegion: REGION,
    requestParameters: {
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      encryptionContext: viaS3 ? { 'aws:s3:arn': `arn:aws:s3:::bucket-${i % 1000}/object-${i}` } : {},
    },
    resources: [{ accountId: TRAIL_ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
    eventType: 'AwsApiCall',
    recipientAccountId: TRAIL_ACCOUNT,
  };
}

gc();
const sampler = startRssSampler();
const baseline = sampler.mark();
const t0 = nowMs();
const agg = new UsageAggregator('cloudtrail-s3', parseMonth('2026-10'), { maxCallers });
for (let i = 0; i < callers; i++) {
  agg.add(record(i, `role-${i}`));
  if (i % 10 === 0) agg.add(record(i, `heavy-${i % 3}`));
}
const rows = agg.callers();
const ms = nowMs() - t0;
const peak = sampler.peak();
await sampler.stop();
const requests = agg.requests();
const total = requests.reduce((a, r) => a + r.count + r.failedCount, 0);
const byCaller = rows.reduce((a, r) => a + r.count + r.failedCount, 0);
emit({
  callers,
  maxCallers,
  records: agg.stats.records,
  ms,
  recordsPerSecond: agg.stats.records / (ms / 1000),
  baselineRssMb: baseline,
  peakRssMb: peak,
  callerRows: rows.length,
  folded: rows.filter((r) => r.callerType === 'other-callers').length,
  sumsEqual: total === byCaller,
  heavy: rows.filter((r) => r.caller.includes('role/heavy-')).reduce((a, r) => a + r.count, 0),
});
process.exit(0);
