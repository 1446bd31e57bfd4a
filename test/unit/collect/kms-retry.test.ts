import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { SDK_RETRY } from '../../../src/collect/client-defaults.js';
import { collectKmsRegion } from '../../../src/collect/kms.js';
import { type FakeAnswer, startFakeKms, throttled } from '../../support/fake-kms.js';

const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;

/** Answers as KMS does for one customer managed symmetric key. */
function answer(operation: string): FakeAnswer {
  const ok = (body: unknown) => ({ status: 200, body });
  switch (operation) {
    case 'ListKeys':
      return ok({ Keys: [{ KeyId: KEY_ID, KeyArn: KEY_ARN }], Truncated: false });
    case 'ListAliases':
      return ok({
        Aliases: [
          {
            AliasName: 'alias/orders',
            AliasArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/orders`,
            TargetKeyId: KEY_ID,
          },
        ],
        Truncated: false,
      });
    case 'DescribeKey':
      return ok({
        KeyMetadata: {
          AWSAccountId: ACCOUNT,
          KeyId: KEY_ID,
          Arn: KEY_ARN,
          CreationDate: 1.741944413e9,
          Enabled: true,
          Description: 'orders',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyState: 'Enabled',
          Origin: 'AWS_KMS',
          KeyManager: 'CUSTOMER',
          KeySpec: 'SYMMETRIC_DEFAULT',
          MultiRegion: false,
        },
      });
    case 'ListResourceTags':
      return ok({ Tags: [], Truncated: false });
    case 'GetKeyRotationStatus':
      return ok({
        KeyId: KEY_ARN,
        KeyRotationEnabled: true,
        RotationPeriodInDays: 365,
        NextRotationDate: 1.7736e9,
      });
    case 'ListKeyRotations':
      return ok({ Rotations: [], Truncated: false });
    case 'GetKeyPolicy':
      return ok({ Policy: '{"Version":"2012-10-17","Statement":[]}', PolicyName: 'default' });
    default:
      return { status: 400, body: { __type: 'UnsupportedOperationException', message: operation } };
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function clientFor(
  handler: (operation: string) => FakeAnswer,
  maxAttempts: number = SDK_RETRY.maxAttempts,
) {
  const fake = await startFakeKms((operation) => handler(operation));
  close = fake.close;
  return new KMSClient({
    region: 'eu-west-1',
    endpoint: fake.endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    retryMode: SDK_RETRY.retryMode,
    maxAttempts,
  });
}

describe('collectKmsRegion under throttling (SDK retries, real HTTP)', { timeout: 20_000 }, () => {
  it('rides out ThrottlingException and collects the key with no gap', async () => {
    let describes = 0;
    const client = await clientFor((operation) => {
      if (operation === 'DescribeKey' && ++describes <= 2) return throttled;
      return answer(operation);
    });
    const result = await collectKmsRegion(client, {
      account: ACCOUNT,
      region: 'eu-west-1',
      lastUsage: false,
    });
    expect(result.gaps).toEqual([]);
    expect(result.keys).toHaveLength(1);
    expect(result.keys[0]?.metadata.status).toBe('collected');
    expect(result.keys[0]?.rotation).toEqual({
      status: 'collected',
      value: {
        enabled: true,
        periodInDays: 365,
        nextRotationDate: '2026-03-15T18:40:00.000Z',
        onDemandRotationStartDate: null,
      },
    });
    expect(describes).toBe(3);
    expect(result.stats.retries).toBe(2);
  });

  it('marks a call that stayed throttled through every retry as a gap with the error code', async () => {
    const client = await clientFor(
      (operation) => (operation === 'GetKeyPolicy' ? throttled : answer(operation)),
      2,
    );
    const result = await collectKmsRegion(client, {
      account: ACCOUNT,
      region: 'eu-west-1',
      lastUsage: false,
    });
    expect(result.keys[0]?.policy).toEqual({
      status: 'failed',
      operation: 'GetKeyPolicy',
      errorCode: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    expect(result.gaps).toEqual([
      expect.objectContaining({ field: 'policy', errorCode: 'ThrottlingException' }),
    ]);
    expect(result.coverage.status).toBe('partial');
  });
});
