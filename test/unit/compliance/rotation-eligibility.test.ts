import { describe, expect, it } from 'vitest';
import { applicability } from '../../../src/collect/kms.js';
import { evaluateRule, runCompliance } from '../../../src/compliance/engine.js';
import { KMS_POL_03 } from '../../../src/compliance/rules/KMS-POL-03.js';
import { KMS_ROT_01 } from '../../../src/compliance/rules/KMS-ROT-01.js';
import { KMS_ROT_02 } from '../../../src/compliance/rules/KMS-ROT-02.js';
import type { Rule } from '../../../src/compliance/rules/types.js';
import type { InventorySnapshot, KeyMetadata } from '../../../src/model/inventory.js';
import { rotationEligibility } from '../../../src/model/kms.js';
import { collected, failed } from '../../../src/model/observed.js';
import { awsManagedKey, contextFor, makeKey, metadata } from './factory.js';

const rotationOff = collected({
  enabled: false,
  periodInDays: null,
  nextRotationDate: null,
  onDemandRotationStartDate: null,
});

/**
 * The collector (which rotation calls it makes) and the rotation rules (which keys they judge)
 * once had two copies of "which keys can rotate" that disagreed on the keys below; both now
 * ask rotationEligibility.
 */
describe('Function: rotationEligibility (which keys can rotate)', () => {
  it('lets a symmetric AWS_KMS key rotate both ways', () => {
    expect(rotationEligibility(metadata())).toEqual({ automatic: null, any: null });
  });

  it('an imported (EXTERNAL) key rotates on demand only: rotations are listed, the rotation rules do not apply', () => {
    const meta = metadata({ origin: 'EXTERNAL' });
    expect(rotationEligibility(meta)).toEqual({
      automatic: 'keys with imported key material (EXTERNAL) cannot rotate automatically',
      any: null,
    });
    // Before: the collector called GetKeyRotationStatus on it (AWS refuses: not supported).
    expect(applicability(meta)).toMatchObject({
      rotation: 'keys with imported key material (EXTERNAL) cannot rotate automatically',
      rotations: null,
    });
    const key = makeKey({ meta: { origin: 'EXTERNAL' }, rotation: rotationOff });
    expect(evaluateRule(KMS_ROT_01, key, contextFor(key)).status).toBe('NOT_APPLICABLE');
  });

  it('a key whose custom key store shows only in CustomKeyStoreId cannot rotate at all', () => {
    const meta = metadata({ customKeyStoreId: 'cks-1234567890abcdef0' });
    const why = 'keys in a custom key store (AWS_KMS)';
    expect(rotationEligibility(meta)).toEqual({
      automatic: `${why} cannot rotate automatically`,
      any: `${why} cannot rotate`,
    });
    // Before: the collector looked at the origin only, and asked for this key's rotations.
    expect(applicability(meta)).toMatchObject({ rotation: `${why} cannot rotate automatically` });
    expect(applicability(meta).rotations).toBe(`${why} cannot rotate`);
  });

  it.each([
    ['AWS_CLOUDHSM', 'cks-1'],
    ['EXTERNAL_KEY_STORE', 'cks-2'],
  ])('a custom key store key (%s) cannot rotate at all', (origin, customKeyStoreId) => {
    const meta = metadata({ origin, customKeyStoreId });
    expect(rotationEligibility(meta)).toEqual({
      automatic: `keys in a custom key store (${origin}) cannot rotate automatically`,
      any: `keys in a custom key store (${origin}) cannot rotate`,
    });
  });

  it('an origin AWS does not document yet: not judged on automatic rotation, its rotations still read', () => {
    const meta = metadata({ origin: 'SOME_FUTURE_ORIGIN' });
    expect(rotationEligibility(meta)).toEqual({
      automatic: 'keys of origin SOME_FUTURE_ORIGIN cannot rotate automatically',
      any: null,
    });
    const key = makeKey({ meta: { origin: 'SOME_FUTURE_ORIGIN' }, rotation: rotationOff });
    expect(evaluateRule(KMS_ROT_01, key, contextFor(key))).toEqual({
      status: 'NOT_APPLICABLE',
      reason: 'keys of origin SOME_FUTURE_ORIGIN cannot rotate automatically',
    });
  });

  it.each([
    ['RSA_2048', 'SIGN_VERIFY'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'SIGN_VERIFY'],
  ])('a %s key cannot rotate at all', (keySpec, keyUsage) => {
    const meta: KeyMetadata = metadata({ keySpec, keyUsage });
    expect(rotationEligibility(meta)).toEqual({
      automatic: `${keySpec} keys cannot rotate automatically`,
      any: `${keySpec} keys cannot rotate`,
    });
    expect(applicability(meta).rotation).toBe(`${keySpec} keys cannot rotate automatically`);
  });

  it('a multi-Region replica gets the answer of its (symmetric AWS_KMS) primary', () => {
    const replica = makeKey({
      meta: {
        multiRegion: {
          role: 'REPLICA',
          primary: { arn: 'arn:aws:kms:us-east-1:111122223333:key/mrk-1', region: 'us-east-1' },
          replicas: [],
        },
      },
      rotation: rotationOff,
    });
    expect(evaluateRule(KMS_ROT_01, replica, contextFor(replica)).status).toBe('FAIL');
  });
});

describe("Engine: a rule's awsManagedKeys metadata decides whether it judges AWS managed keys", () => {
  it.each([
    ['KMS-ROT-01', KMS_ROT_01],
    ['KMS-ROT-02', KMS_ROT_02],
  ])('%s is not applicable to an AWS managed key, whatever its rotation', (_id, rule) => {
    const key = awsManagedKey({ rotation: rotationOff });
    expect(evaluateRule(rule, key, contextFor(key)).reason).toMatch(/^AWS managed key: AWS /);
  });

  it('does not ask a rule about a key it does not apply to', () => {
    const asked: string[] = [];
    const rule: Rule = {
      meta: { ...KMS_ROT_01.meta, awsManagedKeys: { notApplicable: 'AWS owns this setting' } },
      evaluate: (key) => {
        asked.push(key.keyId);
        return { status: 'FAIL', reason: 'judged' };
      },
    };
    const managed = awsManagedKey({ keyId: 'managed' });
    expect(evaluateRule(rule, managed, contextFor(managed))).toEqual({
      status: 'NOT_APPLICABLE',
      reason: 'AWS managed key: AWS owns this setting',
    });
    const customer = makeKey({ keyId: 'customer' });
    expect(evaluateRule(rule, customer, contextFor(customer)).status).toBe('FAIL');
    expect(
      evaluateRule(
        { ...rule, meta: { ...rule.meta, awsManagedKeys: 'evaluated' } },
        managed,
        contextFor(managed),
      ),
    ).toMatchObject({ status: 'FAIL' });
    expect(asked).toEqual(['customer', 'managed']);
  });

  it('leaves the decision to the rule when the metadata could not be read (UNKNOWN, not NOT_APPLICABLE)', () => {
    const key = makeKey({
      metadata: failed('DescribeKey', 'AccessDeniedException', 'not authorized'),
      rotation: rotationOff,
    });
    expect(evaluateRule(KMS_ROT_01, key, contextFor(key)).status).toBe('UNKNOWN');
  });

  it('an AWS managed key whose policy cannot be read is not applicable to KMS-POL-03 (AWS writes that policy)', () => {
    const key = awsManagedKey({ policy: failed('GetKeyPolicy', 'AccessDeniedException', 'not authorized') });
    expect(evaluateRule(KMS_POL_03, key, contextFor(key))).toEqual({
      status: 'NOT_APPLICABLE',
      reason: 'AWS managed key: AWS writes the policy of AWS managed keys; it cannot be changed',
    });
  });

  it('runCompliance gives the same verdicts as evaluateRule', () => {
    const keys = [
      awsManagedKey({ rotation: rotationOff }),
      makeKey({ keyId: 'k2', arn: 'arn:k2', rotation: rotationOff }),
    ];
    const snapshot = {
      collection: { finishedAt: '2026-10-15T00:00:00.000Z' },
      keys,
    } as unknown as InventorySnapshot;
    const result = runCompliance(snapshot, { clock: { now: () => 0 }, rules: [KMS_ROT_01] });
    expect(result.findings.map((f) => [f.keyId, f.status])).toEqual([
      [keys[0]?.keyId, 'NOT_APPLICABLE'],
      ['k2', 'FAIL'],
    ]);
  });
});
