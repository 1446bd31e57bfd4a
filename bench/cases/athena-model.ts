/**
 * The sizing model behind the README's "which usage source" table: for a month of N CloudTrail
 * events, the time and dollars of each per-key source, from figures measured in this bench and
 * AWS's published prices. Nothing is run against AWS. `npx tsx bench/cases/athena-model.ts`.
 *
 * Measured here (bench/README.md): the S3 reader counts 78,473 events/s on 2 cores (1,000,000
 * events in 1,000 files, 116 MiB of gzip); LookupEvents is paced at 1.9 pages/s of 50 events per
 * account and region. Published: Athena $5.00 per TB scanned (collect/athena.ts), S3 GET $0.0004
 * per 1,000 requests (us-east-1 Standard). Athena scans the gzip bytes of the month's partitions.
 *
 * ASSUMED, not measured (no Athena here): a query over gzip JSON scans about
 * ATHENA_ASSUMED_BYTES_PER_SECOND, plus a fixed queue/plan time. Replace both with a real run's
 * `EngineExecutionTimeInMillis` and `DataScannedInBytes` (the coverage detail gives them).
 */
import { ATHENA_MIN_BILLED_BYTES, athenaScanCost } from '../../src/collect/athena.js';

const GZIP_BYTES_PER_EVENT = (116 * 1024 * 1024) / 1_000_000;
const EVENTS_PER_FILE = 1_000;
const S3_EVENTS_PER_SECOND = 78_473;
const S3_GET_USD_PER_1000 = 0.0004;
const LOOKUP_EVENTS_PER_SECOND_PER_STREAM = 1.9 * 50;
const ATHENA_ASSUMED_BYTES_PER_SECOND = 1_000_000_000;
const ATHENA_ASSUMED_FIXED_SECONDS = 15;

const duration = (s: number) =>
  s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

const rows: string[][] = [];
for (const events of [1e6, 1e7, 1e8, 1e9, 1e10]) {
  const bytes = events * GZIP_BYTES_PER_EVENT;
  const athenaSeconds = ATHENA_ASSUMED_FIXED_SECONDS + bytes / ATHENA_ASSUMED_BYTES_PER_SECOND;
  rows.push([
    events.toExponential(0),
    `${(bytes / 1e9).toFixed(1)} GB`,
    `${duration(events / LOOKUP_EVENTS_PER_SECOND_PER_STREAM)} (one account-region; $0)`,
    `${duration(events / S3_EVENTS_PER_SECOND)}, $${((events / EVENTS_PER_FILE / 1000) * S3_GET_USD_PER_1000).toFixed(4)} GETs`,
    `${duration(athenaSeconds)} (assumed), $${athenaScanCost(Math.max(ATHENA_MIN_BILLED_BYTES, bytes))}`,
    `${Math.round(events / athenaSeconds).toLocaleString('en-US')}`,
  ]);
}
console.log('| events/month | gzip | lookup | s3 (2 cores) | athena | athena events/s equivalent |');
console.log('| ---: | ---: | --- | --- | --- | ---: |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const perBillion = athenaScanCost(1e9 * GZIP_BYTES_PER_EVENT);
console.log(
  `\nAthena dollars per billion events: $${perBillion} (${((1e9 * GZIP_BYTES_PER_EVENT) / 1e9).toFixed(1)} GB scanned)`,
);
