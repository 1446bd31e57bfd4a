import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../src/compliance/engine.js';
import { KMS_ALIAS_01 } from '../../../src/compliance/rules/KMS-ALIAS-01.js';
import { KMS_DEL_01 } from '../../../src/compliance/rules/KMS-DEL-01.js';
import { KMS_DEL_02 } from '../../../src/compliance/rules/KMS-DEL-02.js';
import { KMS_LIFE_01 } from '../../../src/compliance/rules/KMS-LIFE-01.js';
import { KMS_LIFE_02 } from '../../../src/compliance/rules/KMS-LIFE-02.js';
import { KMS_MR_01 } from '../../../src/compliance/rules/KMS-MR-01.js';
import { KMS_ROT_01 } from '../../../src/compliance/rules/KMS-ROT-01.js';
import { KMS_ROT_02 } from '../../../src/compliance/rules/KMS-ROT-02.js';
import { KMS_TAG_01 } from '../../../src/compliance/rules/KMS-TAG-01.js';
import type { Rule } from '../../../src/compliance/rules/types.js';
import type { KeyRecord } from '../../../src/model/inventory.js';
import { collected, failed, notApplicable, skipped } from '../../../src/model/observed.js';
import type { MonthUsage } from '../../../src/model/usage.js';
import { ACCOUNT, awsManagedKey, contextFor, makeKey, usage } from './factory.js';

function judge(
  rule: Rule,
  key: KeyRecord,
  options: { config?: unknown; usage?: MonthUsage; month?: boolean } = {},
) {
  return evaluateRule(rule, key, contextFor(key, options));
}

const describeKeyFailed = failed<never>('DescribeKey', 'AccessDeniedException', 'not authorized');

describe('Rule: KMS-ROT-01 (automatic rotation)', () => {
  it('passes a symmetric customer key with rotation on, saying how often', () => {
    const r = judge(KMS_ROT_01, makeKey());
    expect(r.status).toBe('PASS');
    expect(r.reason).toBe('automatic rotation is on every 365 days, next on 2027-01-10');
  });

  it('fails when rotation is off', () => {
    const key = makeKey({
      rotation: collected({
        enabled: false,
        periodInDays: null,
        nextRotationDate: null,
        onDemandRotationStartDate: null,
      }),
    });
    expect(judge(KMS_ROT_01, key)).toMatchObject({ status: 'FAIL', reason: 'automatic rotation is off' });
  });

  it.each([
    ['an asymmetric key', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, 'RSA_2048 keys cannot rotate'],
    ['an HMAC key', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, 'HMAC_256 keys cannot rotate'],
    ['an imported key', { origin: 'EXTERNAL' }, 'imported key material'],
    [
      'a CloudHSM key',
      { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1' },
      'custom key store (AWS_CLOUDHSM)',
    ],
    [
      'an external key store key',
      { origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-2' },
      'custom key store',
    ],
    ['an AWS managed key', { keyManager: 'AWS' as const }, 'AWS managed key'],
    ['a key pending deletion', { keyState: 'PendingDeletion' }, 'PendingDeletion'],
  ])('is not applicable to %s, even with rotation off', (_name, meta, reason) => {
    const key = makeKey({
      meta,
      rotation: collected({
        enabled: false,
        periodInDays: null,
        nextRotationDate: null,
        onDemandRotationStartDate: null,
      }),
    });
    const r = judge(KMS_ROT_01, key);
    expect(r.status).toBe('NOT_APPLICABLE');
    expect(r.reason).toContain(reason);
  });

  it('is unknown when the rotation status could not be read, naming the error', () => {
    const key = makeKey({ rotation: failed('GetKeyRotationStatus', 'AccessDeniedException', '') });
    expect(judge(KMS_ROT_01, key)).toMatchObject({
      status: 'UNKNOWN',
      reason: 'the rotation status could not be read: GetKeyRotationStatus failed: AccessDeniedException',
    });
  });

  it('is unknown when DescribeKey failed', () => {
    const r = judge(KMS_ROT_01, makeKey({ metadata: describeKeyFailed }));
    expect(r.status).toBe('UNKNOWN');
    expect(r.reason).toContain('DescribeKey failed: AccessDeniedException');
  });
});

describe('Rule: KMS-ROT-02 (rotation period)', () => {
  const every = (days: number | null) =>
    makeKey({
      rotation: collected({
        enabled: true,
        periodInDays: days,
        nextRotationDate: null,
        onDemandRotationStartDate: null,
      }),
    });

  it('passes a period within the maximum', () => {
    expect(judge(KMS_ROT_02, every(365)).status).toBe('PASS');
  });

  it('fails a period above the default maximum of 365 days', () => {
    expect(judge(KMS_ROT_02, every(730))).toMatchObject({
      status: 'FAIL',
      reason: 'the key rotates every 730 days, more than the maximum of 365',
    });
  });

  it('uses the configured maximum', () => {
    const config = { thresholds: { maxRotationPeriodDays: 180 } };
    expect(judge(KMS_ROT_02, every(365), { config }).status).toBe('FAIL');
    expect(judge(KMS_ROT_02, every(180), { config }).status).toBe('PASS');
  });

  it('is not applicable when rotation is off, or to an HMAC key', () => {
    const off = makeKey({
      rotation: collected({
        enabled: false,
        periodInDays: null,
        nextRotationDate: null,
        onDemandRotationStartDate: null,
      }),
    });
    expect(judge(KMS_ROT_02, off).status).toBe('NOT_APPLICABLE');
    expect(judge(KMS_ROT_02, makeKey({ meta: { keySpec: 'HMAC_512' } })).status).toBe('NOT_APPLICABLE');
  });

  it('is unknown when rotation is on but no period was returned, or rotation was not collected', () => {
    expect(judge(KMS_ROT_02, every(null)).status).toBe('UNKNOWN');
    const r = judge(KMS_ROT_02, makeKey({ rotation: skipped('DescribeKey failed') }));
    expect(r).toMatchObject({
      status: 'UNKNOWN',
      reason: 'the rotation status could not be read: not collected: DescribeKey failed',
    });
  });
});

describe('Rule: KMS-DEL-01 (not scheduled for deletion)', () => {
  it('passes an enabled key', () => {
    expect(judge(KMS_DEL_01, makeKey())).toMatchObject({
      status: 'PASS',
      reason: 'the key is Enabled, not scheduled for deletion',
    });
  });

  it('fails a key pending deletion with the date and the days left', () => {
    const key = makeKey({
      meta: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-10-22T10:00:00.000Z' },
    });
    const r = judge(KMS_DEL_01, key);
    expect(r.status).toBe('FAIL');
    expect(r.reason).toBe(
      'the key is PendingDeletion: it will be deleted on 2026-10-22, 7 days after the evidence was collected',
    );
    expect(r.details).toMatchObject({ deletionDate: '2026-10-22T10:00:00.000Z', daysLeft: 7 });
  });

  it('fails a primary key waiting for its replicas to be deleted', () => {
    expect(judge(KMS_DEL_01, makeKey({ meta: { keyState: 'PendingReplicaDeletion' } })).status).toBe('FAIL');
  });

  it('is not applicable to AWS managed keys, and unknown without metadata', () => {
    expect(judge(KMS_DEL_01, awsManagedKey()).status).toBe('NOT_APPLICABLE');
    expect(judge(KMS_DEL_01, makeKey({ metadata: describeKeyFailed })).status).toBe('UNKNOWN');
  });
});

describe('Rule: KMS-DEL-02 (deletion window)', () => {
  const pending = makeKey({
    meta: { keyState: 'PendingDeletion', deletionDate: '2026-10-22T10:00:00.000Z' },
  });
  const scheduled = (days: number) =>
    usage({
      lifecycle: [
        { event: 'ScheduleKeyDeletion', time: '2026-09-20T10:00:00.000Z', pendingWindowInDays: days },
      ],
    });

  it('passes a 30-day window read from the ScheduleKeyDeletion event', () => {
    const r = judge(KMS_DEL_02, pending, { usage: scheduled(30) });
    expect(r.status).toBe('PASS');
    expect(r.reason).toContain('30 days');
    expect(r.reason).toContain('ScheduleKeyDeletion on 2026-09-20 (CloudTrail)');
  });

  it('fails a 7-day window, and one below the configured minimum', () => {
    expect(judge(KMS_DEL_02, pending, { usage: scheduled(7) })).toMatchObject({ status: 'FAIL' });
    expect(
      judge(KMS_DEL_02, pending, {
        usage: scheduled(14),
        config: { thresholds: { minDeletionWindowDays: 14 } },
      }).status,
    ).toBe('PASS');
  });

  it('judges a short window even when the deletion was cancelled since', () => {
    const r = judge(KMS_DEL_02, makeKey(), { usage: scheduled(7) });
    expect(r.status).toBe('FAIL');
    expect(r.reason).toContain('cancelled');
  });

  it('is unknown for a key pending deletion when the window is not in the evidence', () => {
    const r = judge(KMS_DEL_02, pending);
    expect(r).toMatchObject({ status: 'UNKNOWN' });
    expect(r.reason).toBe(
      'the key is PendingDeletion but the waiting period chosen is not in the evidence: CloudTrail lifecycle events were not collected',
    );
  });

  it('is not applicable to a key with no deletion scheduled, or an AWS managed key', () => {
    expect(judge(KMS_DEL_02, makeKey(), { usage: usage() }).status).toBe('NOT_APPLICABLE');
    expect(judge(KMS_DEL_02, awsManagedKey()).status).toBe('NOT_APPLICABLE');
  });
});

describe('Rule: KMS-LIFE-01 (disabled but billed)', () => {
  const disabled = makeKey({ meta: { keyState: 'Disabled', enabled: false } });

  it('passes an enabled key', () => {
    expect(judge(KMS_LIFE_01, makeKey())).toMatchObject({ status: 'PASS', reason: 'the key is Enabled' });
  });

  it('fails a key disabled all month, saying CloudTrail shows no change', () => {
    const r = judge(KMS_LIFE_01, disabled, { usage: usage() });
    expect(r.status).toBe('FAIL');
    expect(r.reason).toBe(
      'the key was Disabled for all of 2026-09 and still costs $1 a month (no EnableKey or DisableKey event in CloudTrail)',
    );
  });

  it('passes a key disabled during the month', () => {
    const r = judge(KMS_LIFE_01, disabled, {
      usage: usage({ lifecycle: [{ event: 'DisableKey', time: '2026-09-10T00:00:00.000Z' }] }),
    });
    expect(r).toMatchObject({
      status: 'PASS',
      reason: 'the key is Disabled, but not for all of 2026-09: DisableKey on 2026-09-10',
    });
  });

  it('judges by state, and says so, when no lifecycle evidence or no month is given', () => {
    expect(judge(KMS_LIFE_01, disabled).reason).toContain('judged by its state at collection');
    expect(judge(KMS_LIFE_01, disabled, { month: false }).status).toBe('FAIL');
  });

  it('is not applicable to AWS managed keys and keys pending deletion; unknown without metadata', () => {
    expect(judge(KMS_LIFE_01, awsManagedKey({ meta: { keyState: 'Disabled' } })).status).toBe(
      'NOT_APPLICABLE',
    );
    expect(judge(KMS_LIFE_01, makeKey({ meta: { keyState: 'PendingDeletion' } })).status).toBe(
      'NOT_APPLICABLE',
    );
    expect(judge(KMS_LIFE_01, makeKey({ metadata: describeKeyFailed })).status).toBe('UNKNOWN');
  });
});

describe('Rule: KMS-LIFE-02 (unused but billed)', () => {
  const lastUsed = (timestamp: string | null, trackingStartDate = '2025-04-01T00:00:00.000Z') =>
    collected({
      operation: timestamp ? 'Encrypt' : null,
      timestamp,
      trackingStartDate,
      cloudTrailEventId: null,
    });

  it('passes a key used yesterday (GetKeyLastUsage)', () => {
    expect(judge(KMS_LIFE_02, makeKey()).reason).toBe(
      'last used on 2026-10-14 (Decrypt), 0 days before collection',
    );
  });

  it('fails a key last used longer ago than the window', () => {
    const r = judge(KMS_LIFE_02, makeKey({ lastUsage: lastUsed('2026-03-01T00:00:00.000Z') }));
    expect(r.status).toBe('FAIL');
    expect(r.reason).toContain('more than 90 days unused');
  });

  it('fails a key never used since tracking began', () => {
    const r = judge(KMS_LIFE_02, makeKey({ lastUsage: lastUsed(null) }));
    expect(r).toMatchObject({ status: 'FAIL' });
    expect(r.reason).toContain('since usage tracking began on 2025-04-01');
  });

  it('uses CloudTrail request counts when GetKeyLastUsage was not collected', () => {
    const key = makeKey({ lastUsage: skipped('last-use collection was turned off (--no-last-usage)') });
    expect(
      judge(KMS_LIFE_02, key, { usage: usage({ requests: [{ operation: 'GenerateDataKey', count: 12 }] }) }),
    ).toMatchObject({
      status: 'PASS',
      reason: '12 successful cryptographic requests in 2026-09 (CloudTrail)',
    });
    const idle = judge(KMS_LIFE_02, key, {
      usage: usage({ requests: [{ operation: 'DescribeKey', count: 40 }] }),
    });
    expect(idle.status).toBe('FAIL');
  });

  it('is unknown when there is no usage evidence, saying what is missing', () => {
    const key = makeKey({ lastUsage: failed('GetKeyLastUsage', 'ThrottlingException', 'Rate exceeded') });
    const r = judge(KMS_LIFE_02, key);
    expect(r.status).toBe('UNKNOWN');
    expect(r.reason).toBe(
      'no usage evidence: GetKeyLastUsage: GetKeyLastUsage failed: ThrottlingException (Rate exceeded); CloudTrail usage was not collected',
    );
    expect(judge(KMS_LIFE_02, key, { usage: usage({ coverage: 'partial' }) }).status).toBe('UNKNOWN');
  });

  it('is not applicable to a key younger than the window, or an AWS managed key', () => {
    const young = makeKey({ meta: { creationDate: '2026-10-01T00:00:00.000Z' }, lastUsage: lastUsed(null) });
    expect(judge(KMS_LIFE_02, young).status).toBe('NOT_APPLICABLE');
    expect(
      judge(KMS_LIFE_02, awsManagedKey({ lastUsage: notApplicable('AWS managed keys carry no monthly fee') }))
        .status,
    ).toBe('NOT_APPLICABLE');
  });
});

describe('Rule: KMS-TAG-01 (required tags)', () => {
  const config = { requiredTags: ['Owner', 'CostCenter'] };

  it('passes when every required tag is present', () => {
    const key = makeKey({
      tags: collected([
        { key: 'CostCenter', value: '42' },
        { key: 'Owner', value: 'team' },
      ]),
    });
    expect(judge(KMS_TAG_01, key, { config }).status).toBe('PASS');
  });

  it('fails naming the missing tags; a wrong case or an empty value is missing', () => {
    const key = makeKey({
      tags: collected([
        { key: 'owner', value: 'team' },
        { key: 'CostCenter', value: ' ' },
      ]),
    });
    expect(judge(KMS_TAG_01, key, { config })).toMatchObject({
      status: 'FAIL',
      reason: 'missing required tags: Owner, CostCenter (empty value)',
    });
  });

  it('is not applicable with no required tags configured, or to an AWS managed key', () => {
    expect(judge(KMS_TAG_01, makeKey()).status).toBe('NOT_APPLICABLE');
    expect(
      judge(KMS_TAG_01, awsManagedKey({ tags: notApplicable('AWS managed keys cannot be tagged') }), {
        config,
      }).status,
    ).toBe('NOT_APPLICABLE');
  });

  it('is unknown when the tags could not be read', () => {
    const key = makeKey({ tags: failed('ListResourceTags', 'AccessDeniedException', '') });
    expect(judge(KMS_TAG_01, key, { config })).toMatchObject({
      status: 'UNKNOWN',
      reason: 'the tags could not be read: ListResourceTags failed: AccessDeniedException',
    });
  });
});

describe('Rule: KMS-ALIAS-01 (alias)', () => {
  it('passes a key with an alias, and one matching the pattern', () => {
    expect(judge(KMS_ALIAS_01, makeKey()).status).toBe('PASS');
    expect(judge(KMS_ALIAS_01, makeKey(), { config: { aliasPattern: '^alias/[a-z]+$' } }).status).toBe(
      'PASS',
    );
  });

  it('fails a key without alias, or whose aliases miss the pattern', () => {
    expect(judge(KMS_ALIAS_01, makeKey({ aliases: collected([]) }))).toMatchObject({
      status: 'FAIL',
      reason: 'the key has no alias',
    });
    const r = judge(KMS_ALIAS_01, makeKey(), { config: { aliasPattern: '^alias/prod-' } });
    expect(r).toMatchObject({
      status: 'FAIL',
      reason: 'no alias matches the naming pattern ^alias/prod-: alias/payments',
    });
  });

  it('judges a long alias at once against a pattern that backtracks for ever in JavaScript', () => {
    // With RegExp, `([a-z0-9]+-?)*$` on 40 letters and a `!` tries every split of the letters.
    const pattern = '^alias/([a-z0-9]+-?)*$';
    const hostile = makeKey({ aliases: collected([`alias/${'a'.repeat(5_000)}!`]) });
    expect(judge(KMS_ALIAS_01, hostile, { config: { aliasPattern: pattern } })).toMatchObject({
      status: 'FAIL',
      reason: expect.stringContaining(`no alias matches the naming pattern ${pattern}`),
    });
    const good = makeKey({ aliases: collected([`alias/${'a1-'.repeat(2_000)}b`]) });
    expect(judge(KMS_ALIAS_01, good, { config: { aliasPattern: pattern } }).status).toBe('PASS');
  }, 30_000);

  it('is not applicable to an AWS managed key; unknown when aliases could not be read', () => {
    expect(judge(KMS_ALIAS_01, awsManagedKey()).status).toBe('NOT_APPLICABLE');
    expect(
      judge(KMS_ALIAS_01, makeKey({ aliases: failed('ListAliases', 'AccessDeniedException', '') })).status,
    ).toBe('UNKNOWN');
  });
});

describe('Rule: KMS-MR-01 (multi-Region keys approved)', () => {
  const mrk = makeKey({
    keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
    arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
    meta: {
      multiRegion: {
        role: 'PRIMARY',
        primary: null,
        replicas: [
          {
            arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
            region: 'us-east-1',
          },
        ],
      },
    },
  });

  it('passes a single-Region key and an allow-listed multi-Region key', () => {
    expect(judge(KMS_MR_01, makeKey())).toMatchObject({ status: 'PASS', reason: 'the key is single-Region' });
    const byId = judge(KMS_MR_01, mrk, {
      config: { multiRegionAllowList: ['mrk-1234abcd12ab34cd56ef1234567890ab'] },
    });
    expect(byId.status).toBe('PASS');
    const byPattern = judge(KMS_MR_01, mrk, {
      config: { multiRegionAllowList: [`arn:aws:kms:*:${ACCOUNT}:key/mrk-*`] },
    });
    expect(byPattern.status).toBe('PASS');
  });

  it('fails a multi-Region key not in the allow-list, naming its replicas', () => {
    expect(judge(KMS_MR_01, mrk)).toMatchObject({
      status: 'FAIL',
      reason:
        'the key is a multi-Region PRIMARY key (replicas in us-east-1) and is not in the multi-Region allow-list',
    });
  });

  it('is not applicable to AWS managed keys; unknown without metadata or when listed aliases cannot be read', () => {
    expect(judge(KMS_MR_01, awsManagedKey()).status).toBe('NOT_APPLICABLE');
    expect(judge(KMS_MR_01, makeKey({ metadata: describeKeyFailed })).status).toBe('UNKNOWN');
    const noAliases = makeKey({
      ...mrk,
      meta: undefined,
      metadata: mrk.metadata,
      aliases: failed('ListAliases', 'AccessDeniedException', ''),
    });
    expect(judge(KMS_MR_01, noAliases, { config: { multiRegionAllowList: ['alias/global-*'] } }).status).toBe(
      'UNKNOWN',
    );
  });
});
