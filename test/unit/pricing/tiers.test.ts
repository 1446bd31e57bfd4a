import { describe, expect, it } from 'vitest';
import { REQUEST_TIERS, type RequestTier } from '../../../src/model/pricing.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { classifyRequest } from '../../../src/pricing/tiers.js';
import { key, requests, shippedTables, snapshot, usage } from './fixtures.js';

/**
 * The expected tier of every key spec, written out by hand from the pricing page
 * (kms-facts.md §2), not derived from the implementation.
 */
const KEY_SPEC_TIER: Record<string, { tier: RequestTier; assumed: boolean }> = {
  SYMMETRIC_DEFAULT: { tier: 'KMS-Requests', assumed: false },
  HMAC_224: { tier: 'KMS-Requests', assumed: true },
  HMAC_256: { tier: 'KMS-Requests', assumed: true },
  HMAC_384: { tier: 'KMS-Requests', assumed: true },
  HMAC_512: { tier: 'KMS-Requests', assumed: true },
  RSA_2048: { tier: 'KMS-Requests-Asymmetric-RSA_2048', assumed: false },
  RSA_3072: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  RSA_4096: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  ECC_NIST_P256: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  ECC_NIST_P384: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  ECC_NIST_P521: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  ECC_SECG_P256K1: { tier: 'KMS-Requests-Asymmetric', assumed: false },
  ECC_NIST_EDWARDS25519: { tier: 'KMS-Requests-Asymmetric', assumed: true },
  SM2: { tier: 'KMS-Requests-Asymmetric', assumed: true },
  ML_DSA_44: { tier: 'KMS-Requests-Asymmetric', assumed: true },
  ML_DSA_65: { tier: 'KMS-Requests-Asymmetric', assumed: true },
  ML_DSA_87: { tier: 'KMS-Requests-Asymmetric', assumed: true },
};

const KEY_OPERATIONS = [
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Sign',
  'Verify',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
  'GetPublicKey',
];
const MANAGEMENT_OPERATIONS = ['DescribeKey', 'GetKeyPolicy', 'ListResourceTags', 'ScheduleKeyDeletion'];
const PAIR_OPERATIONS = ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'];
const PAIR_SPEC_TIER: Record<string, RequestTier> = {
  RSA_2048: 'KMS-Requests-GenerateDatakeyPair-RSA',
  RSA_3072: 'KMS-Requests-GenerateDatakeyPair-RSA',
  RSA_4096: 'KMS-Requests-GenerateDatakeyPair-RSA',
  ECC_NIST_P256: 'KMS-Requests-GenerateDatakeyPair-ECC',
  ECC_NIST_P384: 'KMS-Requests-GenerateDatakeyPair-ECC',
  ECC_NIST_P521: 'KMS-Requests-GenerateDatakeyPair-ECC',
  ECC_SECG_P256K1: 'KMS-Requests-GenerateDatakeyPair-ECC',
  SM2: 'KMS-Requests-GenerateDatakeyPair-ECC',
};

const matrix = Object.entries(KEY_SPEC_TIER).flatMap(([spec, expected]) =>
  KEY_OPERATIONS.map((operation) => ({ spec, operation, ...expected })),
);

describe('Function: classifyRequest', () => {
  it.each(matrix)('$operation on a $spec key → $tier', ({ spec, operation, tier, assumed }) => {
    const c = classifyRequest(spec, operation, null);
    expect(c).toMatchObject({ billed: true, tier });
    if (c.billed === true) expect(c.assumptions.length > 0).toBe(assumed);
  });

  it.each(
    Object.keys(KEY_SPEC_TIER).flatMap((spec) =>
      MANAGEMENT_OPERATIONS.map((operation) => ({ spec, operation })),
    ),
  )(
    'management call $operation on a $spec key is an ordinary request (not the key tier), as a named assumption',
    ({ spec, operation }) => {
      // AWS's asymmetric tiers cover the cryptographic operations only: DescribeKey on an ECC key is $0.03/10k.
      const c = classifyRequest(spec, operation, null);
      expect(c).toMatchObject({ billed: true, kind: 'management', tier: 'KMS-Requests' });
      if (c.billed === true) expect(c.assumptions).toContain('MANAGEMENT_CALLS_BILLED');
    },
  );

  it.each(
    PAIR_OPERATIONS.flatMap((operation) =>
      Object.entries(PAIR_SPEC_TIER).flatMap(([pairSpec, tier]) =>
        ['SYMMETRIC_DEFAULT', null].map((keySpec) => ({ operation, pairSpec, tier, keySpec })),
      ),
    ),
  )(
    '$operation for a $pairSpec pair (key spec $keySpec) → $tier',
    ({ operation, pairSpec, tier, keySpec }) => {
      expect(classifyRequest(keySpec, operation, pairSpec)).toMatchObject({
        billed: true,
        tier,
        kind: 'data-key-pair',
      });
    },
  );

  it('never guesses: an unknown key spec, a missing pair spec or an unknown pair spec is unknown', () => {
    expect(classifyRequest(null, 'Decrypt', null)).toMatchObject({ billed: 'unknown' });
    expect(classifyRequest('SYMMETRIC_DEFAULT', 'GenerateDataKeyPair', null)).toMatchObject({
      billed: 'unknown',
      reason: expect.stringMatching(/pair spec was not recorded/),
    });
    expect(classifyRequest('SYMMETRIC_DEFAULT', 'GenerateDataKeyPair', 'X25519')).toMatchObject({
      billed: 'unknown',
    });
    expect(classifyRequest('AES_512', 'Encrypt', null)).toMatchObject({ billed: 'unknown' });
  });
});

describe('Tier prices in the shipped tables', () => {
  const tables = shippedTables();

  it.each(
    tables.flatMap((t) =>
      Object.entries(t.regions).map(([region, p]) => ({ version: t.version, region, p })),
    ),
  )(
    '$version $region: RSA pair $12.00, ECC pair $0.10, RSA_2048 $0.03, other asymmetric $0.15, symmetric $0.03',
    ({ p }) => {
      expect(p.requestsPer10k).toEqual({
        'KMS-Requests': '0.03',
        'KMS-Requests-Asymmetric-RSA_2048': '0.03',
        'KMS-Requests-Asymmetric': '0.15',
        'KMS-Requests-GenerateDatakeyPair-ECC': '0.10',
        'KMS-Requests-GenerateDatakeyPair-RSA': '12.00',
      });
    },
  );

  it.each(
    Object.entries(PAIR_SPEC_TIER).map(([pairSpec, tier]) => ({
      pairSpec,
      // Hand-computed: 10,000 requests × price / 10,000 = the price per 10k.
      expected: tier === 'KMS-Requests-GenerateDatakeyPair-RSA' ? '12' : '0.1',
    })),
  )(
    '10,000 GenerateDataKeyPair for $pairSpec cost $expected through the engine',
    ({ pairSpec, expected }) => {
      const k = key({ id: 'pair' });
      const u = usage('2026-10', {
        requests: [requests(k.arn, 'GenerateDataKeyPairWithoutPlaintext', 10_000, { keyPairSpec: pairSpec })],
      });
      const cost = priceMonth({ month: '2026-10', snapshot: snapshot([k]), usage: u, tables });
      const line = cost.keys[0]?.lines.find((l) => l.kind === 'requests');
      expect(line?.amount).toBe(expected);
    },
  );

  it('covers every tier in the free-tier rule: only symmetric requests are free', () => {
    for (const t of tables)
      expect(REQUEST_TIERS.filter((tier) => !t.freeTier.notCovered.includes(tier))).toEqual(['KMS-Requests']);
  });
});
