import { readFileSync } from 'node:fs';
import type { Event } from '@aws-sdk/client-cloudtrail';

/** KMS CloudTrail records of October 2026 as AWS writes them (a trail log file's `Records`). */
export const KMS_RECORDS: Record<string, unknown>[] = (
  JSON.parse(readFileSync(new URL('./fixtures/kms-records.json', import.meta.url), 'utf8')) as {
    Records: Record<string, unknown>[];
  }
).Records;

/** A record of another service, as a trail's log file holds them too. */
export const S3_RECORD: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('./fixtures/s3-record.json', import.meta.url), 'utf8'),
);

const keys = JSON.parse(readFileSync(new URL('./fixtures/keys.json', import.meta.url), 'utf8')) as {
  keys: Record<'SYM' | 'RSA' | 'ECC' | 'OLD' | 'GONE' | 'NEW', string>;
  owner: string;
  other: string;
  region: string;
};
export const KEYS = keys.keys;
export const OWNER = keys.owner;
export const OTHER = keys.other;
export const REGION = keys.region;

/** A record by its event name (and the n-th of that name). */
export function recordNamed(name: string, nth = 0): Record<string, unknown> {
  const found = KMS_RECORDS.filter((r) => r.eventName === name)[nth];
  if (!found) throw new Error(`no fixture record ${name} #${nth}`);
  return structuredClone(found);
}

/** A record as LookupEvents returns it: the summary fields, and the whole record as a JSON string. */
export function asLookupEvent(record: Record<string, unknown>): Event {
  const identity = (record.userIdentity ?? {}) as { userName?: string; arn?: string };
  const resources = Array.isArray(record.resources) ? (record.resources as { ARN: string }[]) : [];
  return {
    EventId: String(record.eventID),
    EventName: String(record.eventName),
    ReadOnly: String(record.readOnly),
    AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    EventTime: new Date(String(record.eventTime)),
    EventSource: 'kms.amazonaws.com',
    Username: identity.userName ?? identity.arn?.split('/').pop(),
    Resources: resources.map((r) => ({ ResourceType: 'AWS::KMS::Key', ResourceName: r.ARN })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

/** `count` Decrypt records on the symmetric key, newest first, spread back from `newest` by `stepMs`. */
export function decrypts(count: number, newest: Date, stepMs: number): Record<string, unknown>[] {
  const template = recordNamed('Decrypt');
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    eventTime: new Date(newest.getTime() - i * stepMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

/** A clock that only moves when something sleeps. */
export function manualClock(start: Date) {
  let now = start.getTime();
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/**
 * KMS records of October 2026 by many kinds of caller, on the symmetric key: S3 reading objects
 * of a bucket without a Bucket Key (one Decrypt per object) and writing to one with a Bucket Key,
 * a Lambda function's execution role, a role of another account, a caller of another account
 * named by principal id only (refused), and CloudTrail calling as itself.
 */
export const CALLER_RECORDS: Record<string, unknown>[] = (
  JSON.parse(readFileSync(new URL('./fixtures/caller-records.json', import.meta.url), 'utf8')) as {
    Records: Record<string, unknown>[];
  }
).Records;
