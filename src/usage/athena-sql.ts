import { type AthenaTableName, sqlTable } from '../collect/athena.js';
import { DATA_KEY_PAIR_OPERATIONS } from '../model/kms.js';
import { LIFECYCLE_EVENT_NAMES } from '../model/usage.js';
import { DELIVERY_MARGIN_DAYS } from '../model/usage-assumptions.js';
import { DAY_MS, type MonthWindow } from '../util/month.js';
import { S3_SERVICE_PRINCIPAL } from './callers.js';
import { KMS_EVENT_SOURCE } from './events.js';

/**
 * The SQL that counts a month of KMS CloudTrail events in Athena (Trino dialect, engine v3), over
 * a table with the columns of AWS's CloudTrail DDL (README, "Athena"). It applies, row by row, the
 * same rules as `interpretKmsRecord` and `UsageAggregator` (src/usage/events.ts, aggregator.ts):
 *
 * - key: the first `resources[]` entry whose `arn` is a key ARN and whose `type` is empty or
 *   `AWS::KMS::Key` (`MULTI_KEY_REQUEST_COUNTED_ON`); the lifecycle uses all of them;
 * - region: `awsregion`, else the key's;
 * - billed account: `userIdentity.type` `AWSService` → key owner, caller, recipient; `invokedBy`
 *   set → caller, key owner, recipient; else caller, recipient, key owner
 *   (`SERVICE_OWN_CALLS_BILLED_TO`, `SERVICE_CALLS_BILLED_TO`); empty strings count as absent;
 * - failed: `errorcode` set; `AwsServiceEvent`s are lifecycle only, never requests;
 * - key pair spec: `requestParameters.keyPairSpec` for GenerateDataKeyPair*;
 * - key class: each row's earliest event time (`first_time`) is returned, and a key's class is
 *   that of its earliest request that reveals one (the S3 reader keeps the first it reads);
 * - window: `eventtime` in `[start, end)` compared as ISO 8601 text (CloudTrail writes
 *   `YYYY-MM-DDTHH:MM:SSZ`); lifecycle events up to {@link DELIVERY_MARGIN_DAYS} after the end
 *   are kept as evidence after the month, as the S3 reader does;
 * - trail account: `recipientaccountid`, the account whose trail folder the event is in: each
 *   (trail account, region) is one slice, as one account's folder is for the S3 reader, so the
 *   organisation merge sees the same rows.
 *
 * Callers (`CallerRequestCount`) are normalised by `callerOf` and `s3ContextOfCall`
 * (src/usage/callers.ts), the S3 reader's own rules, applied to each row in `athena.ts`: the SQL
 * returns the `userIdentity` fields they read (type, account, `invokedBy`, ARN, session issuer's
 * ARN, user name, principal id) and the `aws:s3:arn` of calls S3 made, reduced only so that one
 * principal is one group, never changing what `callerOf` makes of them:
 *
 * - an assumed-role session ARN loses its session part (`…:assumed-role/Name/session` →
 *   `…:assumed-role/Name`: `callerOf` reads only the role's name from it);
 * - a principal id (read only for `AWSAccount`) loses its session part after `:`, the colon kept;
 *   one longer than 256 characters (which `callerOf` refuses) is dropped;
 * - the user name is read only for `IAMUser`, the ARN not for `AWSService`;
 * - `aws:s3:arn` only when `invokedBy` is S3 (for a service calling as itself, its `invokedBy` is
 *   the caller), cut after the first `/` (an object's key is not kept), dropped above 1,200
 *   characters.
 *
 * Known differences, on text no AWS record has: control characters in the part of a session
 * ARN, principal id or object key that the SQL removes (`callerOf` refuses the whole text), and a
 * `WebIdentityUser`/`SAMLUser`'s `identityProvider`, which AWS's CloudTrail DDL has no column for
 * (the caller is then the identity's ARN).
 *
 * Dates and lists in the SQL are generated from checked values (the month window, 12-digit
 * accounts, region codes); the table name is checked by `parseAthenaTable`. No user text is
 * interpolated.
 */

/**
 * How the trail's table is laid out (README, "Athena"):
 * - `console`: the table CloudTrail's console (or AWS's manual DDL without partitions) creates;
 *   the month is selected by `eventtime` alone, so Athena reads the whole table;
 * - `projection`: AWS's partition-projection DDL for an organisation trail, partitioned by
 *   `account`, `region` and `timestamp` (`yyyy/MM/dd`, the delivery day): only the month's days
 *   (and {@link DELIVERY_MARGIN_DAYS} either side) of the accounts and regions asked for are read.
 */
export type CloudTrailTableLayout = 'console' | 'projection';
export const CLOUDTRAIL_TABLE_LAYOUTS: readonly CloudTrailTableLayout[] = ['console', 'projection'];

export interface CloudTrailSqlOptions {
  readonly table: AthenaTableName;
  readonly layout: CloudTrailTableLayout;
  readonly window: MonthWindow;
  /** Only these trail accounts (checked: 12 digits); all when absent. */
  readonly accounts?: readonly string[];
  /** Only these regions (checked: region codes); all when absent. */
  readonly regions?: readonly string[];
}

/** The columns of the query's rows, in order: what `athena.ts` reads. */
export const CLOUDTRAIL_SQL_COLUMNS = [
  'trail_account',
  'region',
  'in_window',
  'service_event',
  'billed_account',
  'key_arn',
  'operation',
  'key_pair_spec',
  'key_class',
  'id_type',
  'id_account',
  'invoked_by',
  'id_arn',
  'issuer_arn',
  'user_name',
  'principal_id',
  's3_arn',
  'lc_time',
  'lc_keys',
  'lc_extra',
  'lc_pending',
  'lc_response_pending',
  'lc_deletion',
  'ok',
  'failed',
  'first_time',
] as const;

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** The key ARN grammar of model/key-arn.ts in SQL (the partition not captured: group 1 is the region, 2 the account). */
const KEY_ARN_SQL = String.raw`^arn:aws[a-z-]{0,20}:kms:([a-z0-9-]{1,40}):(\d{12}):key/[A-Za-z0-9-]{1,128}$`;

/** `'a', 'b'` of checked literals (the checks make quoting safe; a bad value is a bug, thrown). */
function literals(values: readonly string[], check: RegExp, what: string): string {
  for (const v of values) if (!check.test(v)) throw new Error(`not ${what}: ${JSON.stringify(v)}`);
  return [...new Set(values)]
    .sort()
    .map((v) => `'${v}'`)
    .join(', ');
}

/** `YYYY-MM-DDTHH:MM:SSZ` of a generated date: the form CloudTrail's `eventtime` has. */
const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** `yyyy/MM/dd` of a generated date: the projected `timestamp` partition. */
const partitionDay = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '/');

/** The first window of the query: `[start, end)` counted, `[end, afterEnd)` for lifecycle only. */
export function cloudTrailSqlWindow(window: MonthWindow): { start: Date; end: Date; afterEnd: Date } {
  return {
    start: window.start,
    end: window.end,
    afterEnd: new Date(window.end.getTime() + DELIVERY_MARGIN_DAYS * DAY_MS),
  };
}

/** The row-level facts of each KMS event in the window (the `kms` CTE). */
function eventsCte(options: CloudTrailSqlOptions): string {
  const { start, afterEnd } = cloudTrailSqlWindow(options.window);
  const where = [
    `eventsource = '${KMS_EVENT_SOURCE}'`,
    `NULLIF(eventname, '') IS NOT NULL`,
    `eventtime >= '${isoSeconds(start)}'`,
    `eventtime < '${isoSeconds(afterEnd)}'`,
  ];
  if (options.layout === 'projection') {
    // Log files are filed under the day they were delivered: a day either side.
    const first = new Date(start.getTime() - DELIVERY_MARGIN_DAYS * DAY_MS);
    const last = new Date(afterEnd.getTime() - 1);
    where.push(`"timestamp" BETWEEN '${partitionDay(first)}' AND '${partitionDay(last)}'`);
    // The account and region folders read, as the S3 reader reads them.
    if (options.accounts) where.push(`account IN (${literals(options.accounts, ACCOUNT, 'an account')})`);
    if (options.regions) where.push(`region IN (${literals(options.regions, REGION, 'a region')})`);
  }
  if (options.accounts)
    where.push(`recipientaccountid IN (${literals(options.accounts, ACCOUNT, 'an account')})`);
  return `kms AS (
  SELECT
    NULLIF(recipientaccountid, '') AS trail_account,
    eventname AS operation,
    eventtime AS event_time,
    COALESCE(eventtype = 'AwsServiceEvent', FALSE) AS service_event,
    NULLIF(errorcode, '') IS NOT NULL AS failed,
    NULLIF(awsregion, '') AS aws_region,
    useridentity.type AS identity_type,
    NULLIF(useridentity.accountid, '') AS caller_account,
    NULLIF(useridentity.invokedby, '') AS invoked_by,
    NULLIF(useridentity.arn, '') AS identity_arn,
    NULLIF(useridentity.principalid, '') AS principal_id,
    NULLIF(useridentity.username, '') AS user_name,
    NULLIF(useridentity.sessioncontext.sessionissuer.arn, '') AS issuer_arn,
    filter(resources, r -> regexp_like(r.arn, '${KEY_ARN_SQL}') AND (r.type IS NULL OR r.type IN ('', 'AWS::KMS::Key'))) AS keys,
    requestparameters,
    responseelements
  FROM ${sqlTable(options.table)}
  WHERE ${where.join('\n    AND ')}
)`;
}

const inList = (values: Iterable<string>) =>
  [...values]
    .sort()
    .map((v) => `'${v}'`)
    .join(', ');

/** Per event: key, owner, billed account, caller, class and lifecycle details (the `facts` CTE). */
function factsCte(end: Date): string {
  const pairOps = inList(DATA_KEY_PAIR_OPERATIONS);
  const lifecycle = inList(LIFECYCLE_EVENT_NAMES);
  return `keyed AS (
  SELECT kms.*,
    element_at(keys, 1).arn AS key_arn,
    regexp_extract(element_at(keys, 1).arn, '${KEY_ARN_SQL}', 1) AS key_region,
    regexp_extract(element_at(keys, 1).arn, '${KEY_ARN_SQL}', 2) AS key_account,
    NOT failed AND operation IN (${lifecycle}) AS lifecycle,
    json_extract_scalar(requestparameters, '$.encryptionContext["aws:s3:arn"]') AS s3_context,
    COALESCE(NULLIF(json_extract_scalar(requestparameters, '$.encryptionAlgorithm'), ''), NULLIF(json_extract_scalar(requestparameters, '$.signingAlgorithm'), '')) AS algorithm
  FROM kms
),
facts AS (
  SELECT
    trail_account,
    COALESCE(aws_region, NULLIF(key_region, ''), '') AS region,
    event_time < '${isoSeconds(end)}' AS in_window,
    service_event,
    CASE
      WHEN identity_type = 'AWSService' THEN COALESCE(NULLIF(key_account, ''), caller_account, trail_account)
      WHEN invoked_by IS NOT NULL THEN COALESCE(caller_account, NULLIF(key_account, ''), trail_account)
      ELSE COALESCE(caller_account, trail_account, NULLIF(key_account, ''))
    END AS billed_account,
    key_arn,
    operation,
    CASE WHEN operation IN (${pairOps}) THEN NULLIF(json_extract_scalar(requestparameters, '$.keyPairSpec'), '') END AS key_pair_spec,
    ${keyClassSql(pairOps)} AS key_class,
    ${callerSql()},
    CASE
      WHEN COALESCE(invoked_by, '') <> '${S3_SERVICE_PRINCIPAL}' OR length(s3_context) > 1200 THEN NULL
      WHEN strpos(s3_context, '/') > 0 THEN substr(s3_context, 1, strpos(s3_context, '/'))
      ELSE s3_context
    END AS s3_arn,
    CASE WHEN lifecycle THEN event_time END AS lc_time,
    CASE WHEN lifecycle THEN array_join(transform(keys, r -> r.arn), ' ') END AS lc_keys,
    CASE
      WHEN lifecycle AND operation = 'CreateKey' THEN json_extract_scalar(responseelements, '$.keyMetadata.arn')
      WHEN lifecycle AND operation = 'ReplicateKey' THEN json_extract_scalar(responseelements, '$.replicaKeyMetadata.arn')
    END AS lc_extra,
    CASE WHEN lifecycle AND operation = 'ScheduleKeyDeletion' THEN json_extract_scalar(requestparameters, '$.pendingWindowInDays') END AS lc_pending,
    CASE WHEN lifecycle AND operation = 'ScheduleKeyDeletion' THEN json_extract_scalar(responseelements, '$.pendingWindowInDays') END AS lc_response_pending,
    CASE WHEN lifecycle AND operation = 'ScheduleKeyDeletion' THEN json_extract_scalar(responseelements, '$.deletionDate') END AS lc_deletion,
    failed,
    lifecycle,
    event_time
  FROM keyed
)`;
}

/** The class a successful request reveals (events.ts `keyClassOf`), in SQL. */
function keyClassSql(pairOps: string): string {
  return `CASE
      WHEN failed THEN NULL
      WHEN operation IN (${pairOps}) THEN 'symmetric'
      WHEN algorithm = 'SYMMETRIC_DEFAULT' THEN 'symmetric'
      WHEN starts_with(algorithm, 'RSA') THEN 'rsa'
      WHEN starts_with(algorithm, 'ECDSA') OR starts_with(algorithm, 'ED25519') THEN 'ecc'
      WHEN starts_with(algorithm, 'SM2') THEN 'sm2'
      WHEN starts_with(algorithm, 'ML_DSA') THEN 'ml-dsa'
      WHEN starts_with(json_extract_scalar(requestparameters, '$.macAlgorithm'), 'HMAC') THEN 'hmac'
      WHEN NULLIF(json_extract_scalar(requestparameters, '$.keyAgreementAlgorithm'), '') IS NOT NULL THEN 'ecc'
      WHEN starts_with(operation, 'GenerateDataKey') AND (NULLIF(json_extract_scalar(requestparameters, '$.keySpec'), '') IS NOT NULL OR json_extract_scalar(requestparameters, '$.numberOfBytes') IS NOT NULL) THEN 'symmetric'
    END`;
}

/** The `userIdentity` fields `callerOf` reads, reduced to one group per principal (this module's comment). */
function callerSql(): string {
  return `identity_type AS id_type,
    caller_account AS id_account,
    invoked_by,
    CASE
      WHEN identity_type = 'AWSService' THEN NULL
      WHEN identity_arn LIKE 'arn:%:sts::%:assumed-role/%/%' THEN split_part(identity_arn, '/', 1) || '/' || split_part(identity_arn, '/', 2)
      ELSE identity_arn
    END AS id_arn,
    issuer_arn,
    CASE WHEN identity_type = 'IAMUser' THEN user_name END AS user_name,
    CASE
      WHEN COALESCE(identity_type, '') <> 'AWSAccount' OR length(principal_id) > 256 THEN NULL
      WHEN strpos(principal_id, ':') > 0 THEN split_part(principal_id, ':', 1) || ':'
      ELSE principal_id
    END AS principal_id`;
}

/**
 * The query: one row per (trail account, region, billed account, key, operation, pair spec,
 * key class, caller) with its successful and failed counts, plus one row per distinct lifecycle
 * record (its details are grouped on). Only the month's partitions are read with the
 * `projection` layout. After the month's end, only lifecycle records are kept.
 *
 * @example
 * ```ts
 * const sql = cloudTrailUsageSql({
 *   table: parseAthenaTable('cloudtrail.org_trail', '--athena-table'),
 *   layout: 'projection',
 *   window: parseMonth('2026-10'),
 *   regions: ['us-east-1'],
 * });
 * ```
 */
export function cloudTrailUsageSql(options: CloudTrailSqlOptions): string {
  const { end } = cloudTrailSqlWindow(options.window);
  const where = ['(in_window OR lifecycle)'];
  if (options.regions) where.push(`region IN (${literals(options.regions, REGION, 'a region')})`);
  const columns = CLOUDTRAIL_SQL_COLUMNS.filter((c) => c !== 'ok' && c !== 'failed' && c !== 'first_time');
  return `WITH ${eventsCte(options)},
${factsCte(end)}
SELECT
  ${columns.join(',\n  ')},
  SUM(CASE WHEN failed THEN 0 ELSE 1 END) AS ok,
  SUM(CASE WHEN failed THEN 1 ELSE 0 END) AS failed,
  MIN(event_time) AS first_time
FROM facts
WHERE ${where.join(' AND ')}
GROUP BY ${columns.join(', ')}`;
}
