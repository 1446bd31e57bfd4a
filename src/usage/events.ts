import { KEY_ARN_PATTERN } from '../model/key-arn.js';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEvent, type LifecycleEventName } from '../model/usage.js';

/**
 * Reading one CloudTrail record of a KMS call: which key, which operation, who is billed,
 * and whether it changed the key's lifecycle. Field names are CloudTrail's (see
 * `shared/reference/kms-facts.md` §3); a record is never kept, only what it says.
 */

export const KMS_EVENT_SOURCE = 'kms.amazonaws.com';

/** The management events that change what a key costs or what the rules see, per key. */
export const LIFECYCLE_EVENTS: ReadonlySet<LifecycleEventName> = new Set(LIFECYCLE_EVENT_NAMES);

import { DATA_KEY_PAIR_OPERATIONS, DEFAULT_PENDING_WINDOW_DAYS } from '../model/kms.js';
import {
  MULTI_KEY_REQUEST_COUNTED_ON,
  SERVICE_CALLS_BILLED_TO,
  SERVICE_OWN_CALLS_BILLED_TO,
} from '../model/usage-assumptions.js';
import { DAY_MS } from '../util/month.js';
import { type CallerIdentity, callerOf, type S3CallContext, s3ContextOfCall } from './callers.js';

// Who is billed for a call and which key a multi-key request counts on are named assumptions the
// report states: their one home is model/usage-assumptions.ts (re-exported here for usage/'s API).
export {
  DATA_KEY_PAIR_OPERATIONS,
  DEFAULT_PENDING_WINDOW_DAYS,
  MULTI_KEY_REQUEST_COUNTED_ON,
  SERVICE_CALLS_BILLED_TO,
  SERVICE_OWN_CALLS_BILLED_TO,
};

/**
 * What kind of key a successful request shows it used, from the algorithm it asked for. Used to
 * reconcile per-key counts with CloudWatch's classes when the key's spec is not otherwise known.
 */
export type KeyClass = 'symmetric' | 'hmac' | 'rsa' | 'ecc' | 'sm2' | 'ml-dsa';

/** Everything one KMS CloudTrail record says that kms-report uses. */
export interface KmsEventFacts {
  readonly time: Date;
  readonly eventName: string;
  readonly region: string;
  /** `AwsServiceEvent`: KMS acting on its own (automatic RotateKey, DeleteKey at the end of the window). */
  readonly serviceEvent: boolean;
  /** Key ARNs from `resources[]`, in order. */
  readonly keyArns: readonly string[];
  /** The account billed for the request (see {@link billedAccount}), or null if the record names none. */
  readonly billedAccount: string | null;
  readonly failed: boolean;
  readonly keyPairSpec: string | null;
  readonly keyClass: KeyClass | null;
  /** The lifecycle events this record is (one per key), empty for other calls and failed ones. */
  readonly lifecycle: readonly LifecycleEvent[];
  /** Who made the request, normalised (see {@link callerOf}). */
  readonly caller: CallerIdentity;
  /** For a call S3 made: the bucket and whether its context was the bucket's or an object's (see {@link s3ContextOfCall}). */
  readonly s3: S3CallContext;
}

export type Interpretation =
  | { readonly kind: 'kms'; readonly facts: KmsEventFacts }
  | { readonly kind: 'other-source' }
  | { readonly kind: 'malformed'; readonly reason: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `{ region, account }` of a key ARN ({@link KEY_ARN_PATTERN}), or null when it is not one. */
export function parseKeyArn(arn: string): { region: string; account: string } | null {
  const m = KEY_ARN_PATTERN.exec(arn);
  return m ? { region: m[2] as string, account: m[3] as string } : null;
}

/**
 * {@link parseKeyArn} for the records read here, remembered: a month of records names the same
 * few thousand keys millions of times, and the regular expression was a visible share of the
 * time per record. Bounded (cleared when full) so memory stays flat whatever the key count.
 * The parts it returns are shared: they are only read, never handed out.
 */
const ARN_CACHE_SIZE = 8192;
const arnCache = new Map<string, { readonly region: string; readonly account: string } | null>();
function keyArnParts(arn: string): { readonly region: string; readonly account: string } | null {
  let parts = arnCache.get(arn);
  if (parts === undefined) {
    parts = parseKeyArn(arn);
    if (arnCache.size >= ARN_CACHE_SIZE) arnCache.clear();
    arnCache.set(arn, parts);
  }
  return parts;
}

/**
 * Key ARNs from `resources[]`: entries typed `AWS::KMS::Key`, or untyped entries whose ARN is a
 * key ARN (some KMS records omit `type`). `requestParameters.keyId` is not used: it is whatever
 * the caller passed (id, alias, ARN).
 */
function keyArnsOf(record: Json): string[] {
  const resources = Array.isArray(record.resources) ? record.resources : [];
  const arns: string[] = [];
  for (const r of resources) {
    if (!isObject(r)) continue;
    const arn = str(r.ARN) ?? str(r.arn);
    if (!arn || !keyArnParts(arn)) continue;
    const type = str(r.type);
    if (type !== null && type !== 'AWS::KMS::Key') continue;
    if (!arns.includes(arn)) arns.push(arn);
  }
  return arns;
}

/**
 * The account a request is billed to: the caller's (`userIdentity.accountId`), so a
 * cross-account call is billed to the caller, also when an AWS service made it with the
 * caller's credentials (`invokedBy` set: {@link SERVICE_CALLS_BILLED_TO}); for a call a service
 * made as itself (`userIdentity.type` `AWSService`), the key owner's
 * ({@link SERVICE_OWN_CALLS_BILLED_TO}).
 */
function billedAccount(record: Json, keyArns: readonly string[]): string | null {
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const owner = keyArns[0] ? (keyArnParts(keyArns[0])?.account ?? null) : null;
  const caller = str(identity.accountId);
  if (identity.type === 'AWSService') return owner ?? caller ?? str(record.recipientAccountId);
  if (str(identity.invokedBy) !== null) return caller ?? owner ?? str(record.recipientAccountId);
  return caller ?? str(record.recipientAccountId) ?? owner;
}

/** The key class a successful request reveals by the algorithm it used. */
function keyClassOf(eventName: string, params: Json): KeyClass | null {
  if (DATA_KEY_PAIR_OPERATIONS.has(eventName)) return 'symmetric';
  const algorithm = str(params.encryptionAlgorithm) ?? str(params.signingAlgorithm);
  if (algorithm) {
    if (algorithm === 'SYMMETRIC_DEFAULT') return 'symmetric';
    if (algorithm.startsWith('RSA')) return 'rsa';
    if (algorithm.startsWith('ECDSA') || algorithm.startsWith('ED25519')) return 'ecc';
    if (algorithm.startsWith('SM2')) return 'sm2';
    if (algorithm.startsWith('ML_DSA')) return 'ml-dsa';
  }
  if (str(params.macAlgorithm)?.startsWith('HMAC')) return 'hmac';
  if (str(params.keyAgreementAlgorithm)) return 'ecc';
  if (
    eventName.startsWith('GenerateDataKey') &&
    (str(params.keySpec) || typeof params.numberOfBytes === 'number')
  )
    return 'symmetric';
  return null;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * ScheduleKeyDeletion's `responseElements.deletionDate`: ISO 8601, or the form KMS writes,
 * `Apr 12, 2021 18:58:30 PM` / `Dec 3, 2020, 12:00:00 AM` (read as UTC; an hour above 12 ignores
 * the AM/PM marker). Null when it cannot be read.
 */
export function parseDeletionDate(value: unknown): Date | null {
  if (typeof value === 'number') return new Date(value > 1e11 ? value : value * 1000);
  if (typeof value !== 'string') return null;
  if (/^\d{4}-\d\d-\d\dT/.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?: ?([AP]M))?$/.exec(
    value.trim(),
  );
  const month = m ? MONTHS[m[1] as string] : undefined;
  if (!m || month === undefined) return null;
  let hour = Number(m[4]);
  if (hour <= 12 && m[7] === 'PM' && hour !== 12) hour += 12;
  if (hour === 12 && m[7] === 'AM') hour = 0;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6])));
}

const positiveInt = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
};

function lifecycleOf(
  eventName: LifecycleEventName,
  time: Date,
  record: Json,
  keyArns: readonly string[],
): LifecycleEvent[] {
  const params = isObject(record.requestParameters) ? record.requestParameters : {};
  const response = isObject(record.responseElements) ? record.responseElements : {};
  const arns = [...keyArns];
  const extra = (meta: unknown) => {
    const arn = isObject(meta) ? str(meta.arn) : null;
    if (arn && keyArnParts(arn) && !arns.includes(arn)) arns.push(arn);
  };
  if (eventName === 'CreateKey') extra(response.keyMetadata);
  if (eventName === 'ReplicateKey') extra(response.replicaKeyMetadata);

  let details: Pick<LifecycleEvent, 'pendingWindowInDays' | 'deletionDate'> = {};
  if (eventName === 'ScheduleKeyDeletion') {
    const parsed = parseDeletionDate(response.deletionDate);
    const window =
      positiveInt(params.pendingWindowInDays) ??
      positiveInt(response.pendingWindowInDays) ??
      (parsed ? Math.round((parsed.getTime() - time.getTime()) / DAY_MS) : DEFAULT_PENDING_WINDOW_DAYS);
    const deletion = parsed ?? new Date(time.getTime() + window * DAY_MS);
    details = { pendingWindowInDays: window, deletionDate: deletion.toISOString() };
  }
  const events: LifecycleEvent[] = [];
  for (const keyArn of arns) {
    const where = keyArnParts(keyArn);
    if (!where) continue;
    events.push({
      region: where.region,
      account: where.account,
      keyArn,
      event: eventName,
      time: time.toISOString(),
      ...details,
    });
  }
  return events;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const digits2 = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * `eventTime` as a Date. CloudTrail writes `YYYY-MM-DDTHH:MM:SSZ`; that form is read field by
 * field (`new Date(text)` was a third of the time spent interpreting a record), anything else,
 * or a field out of range, goes to `new Date`, so the result is always the same as `new Date(text)`.
 */
function parseEventTime(text: string): Date {
  if (
    text.length === 20 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 90 // Z
  ) {
    let ok = true;
    for (let i = 0; i < 19; i++) {
      if (i === 4 || i === 7 || i === 10 || i === 13 || i === 16) continue;
      const d = digit(text, i);
      if (d < 0 || d > 9) ok = false;
    }
    if (ok) {
      const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digits2(text, 2);
      const month = digits2(text, 5);
      const day = digits2(text, 8);
      const hour = digits2(text, 11);
      const minute = digits2(text, 14);
      const second = digits2(text, 17);
      if (month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59) {
        const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
        // A day past the month's end rolls over in Date.UTC: leave that to new Date.
        if (date.getUTCDate() === day && year >= 100) return date;
      }
    }
  }
  return new Date(text);
}

/** Most records change no lifecycle: they share one empty list. */
const NO_LIFECYCLE: readonly LifecycleEvent[] = Object.freeze([]);

/**
 * Reads one CloudTrail record (the parsed JSON of one entry of a log file's `Records`, or of
 * LookupEvents' `CloudTrailEvent`).
 *
 * @example
 * ```ts
 * const result = interpretKmsRecord(JSON.parse(event.CloudTrailEvent));
 * if (result.kind === 'kms') console.log(result.facts.eventName, result.facts.keyArns);
 * ```
 */
export function interpretKmsRecord(record: unknown): Interpretation {
  if (!isObject(record)) return { kind: 'malformed', reason: 'not a JSON object' };
  if (record.eventSource !== KMS_EVENT_SOURCE) return { kind: 'other-source' };
  const eventName = str(record.eventName);
  const timeText = str(record.eventTime);
  const time = timeText ? parseEventTime(timeText) : null;
  if (!eventName || !time || Number.isNaN(time.getTime()))
    return { kind: 'malformed', reason: 'no eventName or eventTime' };
  const keyArns = keyArnsOf(record);
  const region = str(record.awsRegion) ?? (keyArns[0] ? (keyArnParts(keyArns[0])?.region ?? '') : '');
  const failed = str(record.errorCode) !== null;
  const params = isObject(record.requestParameters) ? record.requestParameters : {};
  const lifecycle =
    !failed && LIFECYCLE_EVENTS.has(eventName as LifecycleEventName)
      ? lifecycleOf(eventName as LifecycleEventName, time, record, keyArns)
      : NO_LIFECYCLE;
  const caller = callerOf(record.userIdentity);
  return {
    kind: 'kms',
    facts: {
      time,
      eventName,
      region,
      serviceEvent: record.eventType === 'AwsServiceEvent',
      keyArns,
      billedAccount: billedAccount(record, keyArns),
      failed,
      keyPairSpec: DATA_KEY_PAIR_OPERATIONS.has(eventName) ? str(params.keyPairSpec) : null,
      keyClass: failed ? null : keyClassOf(eventName, params),
      lifecycle,
      caller,
      s3: s3ContextOfCall(caller, params),
    },
  };
}
