import { describe, expect, it } from 'vitest';
import type { AccountUsageTotal, RequestCount } from '../../../src/model/usage.js';
import { keyClassesFromSnapshot, keyClassOfSpec, reconcileUsage } from '../../../src/usage/reconcile.js';
import { sampleSnapshot } from '../../support/fixtures.js';

const A = '111122223333';
const SYM = `arn:aws:kms:us-east-1:${A}:key/sym`;
const RSA = `arn:aws:kms:us-east-1:${A}:key/rsa`;
const ECC = `arn:aws:kms:us-east-1:${A}:key/ecc`;
const UNKNOWN = `arn:aws:kms:us-east-1:${A}:key/deleted-before-the-inventory`;

const req = (
  keyArn: string,
  operation: string,
  count: number,
  extra: Partial<RequestCount> = {},
): RequestCount => ({
  account: A,
  region: 'us-east-1',
  keyArn,
  operation,
  keyPairSpec: null,
  count,
  failedCount: 0,
  source: 'cloudtrail-lookup',
  ...extra,
});
const total = (resource: string, count: number, region = 'us-east-1'): AccountUsageTotal => ({
  account: A,
  region,
  resource,
  count,
  source: 'cloudwatch',
});
const classes = { [SYM]: 'symmetric', [RSA]: 'rsa', [ECC]: 'ecc' } as const;

describe('reconcileUsage', () => {
  it('attributes each CloudWatch class to the per-key operations of keys of that class', () => {
    const rows = reconcileUsage(
      {
        requests: [
          req(SYM, 'Decrypt', 600, { failedCount: 20 }),
          req(SYM, 'Encrypt', 200),
          req(RSA, 'Sign', 40),
          req(ECC, 'Sign', 10),
          // Management calls and data key pairs are not in the class totals.
          req(SYM, 'DescribeKey', 5),
          req(SYM, 'GenerateDataKeyPair', 3, { keyPairSpec: 'RSA_2048' }),
        ],
        accountTotals: [
          total('CryptographicOperationsSymmetric', 1_000),
          total('CryptographicOperationsRsa', 40),
          total('CryptographicOperationsEcc', 8),
          total('GenerateDataKeyPair-RSA_2048', 3),
        ],
      },
      classes,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        resource: 'CryptographicOperationsEcc',
        cloudWatch: 8,
        perKey: 10,
        attributed: 8,
        unattributed: 0,
        attributedPercent: 100,
      }),
      expect.objectContaining({
        resource: 'CryptographicOperationsRsa',
        cloudWatch: 40,
        perKey: 40,
        attributed: 40,
        unattributed: 0,
        attributedPercent: 100,
      }),
      expect.objectContaining({
        // 820 of 1,000 explained (failed calls included); 180 made by calls CloudTrail did not show.
        resource: 'CryptographicOperationsSymmetric',
        cloudWatch: 1_000,
        perKey: 820,
        attributed: 820,
        unattributed: 180,
        attributedPercent: 82,
        unknownClass: 0,
      }),
      expect.objectContaining({
        resource: 'GenerateDataKeyPair-RSA_2048',
        cloudWatch: 3,
        perKey: 3,
        attributedPercent: 100,
      }),
    ]);
  });

  it('says how many requests are on keys of unknown class, which makes the attributed part a lower bound', () => {
    const [row] = reconcileUsage(
      {
        requests: [req(SYM, 'Decrypt', 50), req(UNKNOWN, 'Decrypt', 30)],
        accountTotals: [total('CryptographicOperationsSymmetric', 100)],
      },
      classes,
    );
    expect(row).toMatchObject({ attributed: 50, unattributed: 50, attributedPercent: 50, unknownClass: 30 });
  });

  it('compares per account and region: a region without CloudWatch data is not reconciled', () => {
    const rows = reconcileUsage(
      {
        requests: [
          req(SYM, 'Decrypt', 10),
          req(SYM.replace('us-east-1', 'eu-west-1'), 'Decrypt', 7, { region: 'eu-west-1' }),
        ],
        accountTotals: [total('CryptographicOperationsSymmetric', 10)],
      },
      (arn) => (arn.includes(':key/sym') ? 'symmetric' : null),
    );
    expect(rows.map((r) => [r.region, r.resource, r.perKey])).toEqual([
      ['us-east-1', 'CryptographicOperationsSymmetric', 10],
    ]);
  });

  it('shows a class CloudWatch counted nothing for when per-key counts fall in it and CloudWatch was read', () => {
    const rows = reconcileUsage(
      {
        requests: [req(RSA, 'Sign', 4)],
        accountTotals: [],
        coverage: [{ account: A, region: 'us-east-1', source: 'cloudwatch', status: 'complete', detail: '' }],
      },
      classes,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        resource: 'CryptographicOperationsRsa',
        cloudWatch: 0,
        perKey: 4,
        attributed: 0,
        attributedPercent: null,
      }),
    ]);
  });

  it('matches an API-name resource to the same operation', () => {
    const [row] = reconcileUsage(
      { requests: [req(SYM, 'DescribeKey', 7)], accountTotals: [total('DescribeKey', 10)] },
      classes,
    );
    expect(row).toMatchObject({ resource: 'DescribeKey', perKey: 7, unattributed: 3, attributedPercent: 70 });
  });

  it('counts requests that name no key under their API name (ListKeys) and GenerateRandom as symmetric', () => {
    const keyless = (operation: string, count: number) => ({
      account: A,
      region: 'us-east-1',
      operation,
      count,
      failedCount: 0,
      source: 'cloudtrail-lookup' as const,
    });
    const rows = reconcileUsage(
      {
        requests: [req(SYM, 'Decrypt', 90)],
        keylessRequests: [keyless('ListKeys', 40), keyless('GenerateRandom', 10)],
        accountTotals: [total('ListKeys', 40), total('CryptographicOperationsSymmetric', 100)],
      },
      classes,
    );
    // ListKeys: 40 of 40 explained; symmetric: Decrypt 90 + GenerateRandom 10 = 100 of 100.
    expect(rows.map((r) => [r.resource, r.perKey, r.unattributed])).toEqual([
      ['CryptographicOperationsSymmetric', 100, 0],
      ['ListKeys', 40, 0],
    ]);
  });
});

describe('key classes', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'symmetric'],
    ['HMAC_256', 'hmac'],
    ['RSA_4096', 'rsa'],
    ['ECC_NIST_P384', 'ecc'],
    ['ECC_SECG_P256K1', 'ecc'],
    ['SM2', 'sm2'],
    ['ML_DSA_65', 'ml-dsa'],
    ['SOMETHING_NEW', null],
  ])('%s is %s', (spec, expected) => {
    expect(keyClassOfSpec(spec)).toBe(expected);
  });

  it('reads the classes of an inventory snapshot', () => {
    const snapshot = sampleSnapshot();
    expect(keyClassesFromSnapshot(snapshot)).toEqual({ [snapshot.keys[0]?.arn as string]: 'symmetric' });
  });
});
