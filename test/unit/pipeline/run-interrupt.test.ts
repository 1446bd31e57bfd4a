import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { inventoryOnly } from '../../support/evidence.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const arnOf = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;

describe('runMonthlyReport stopped by Ctrl-C while listing keys', () => {
  it('stops the scan after the keys in flight, writes nothing and says so', async () => {
    const kms = mockClient(KMSClient);
    const client = new KMSClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const ids = Array.from({ length: 500 }, (_, i) => idOf(i));
    const controller = new AbortController();
    let described = 0;
    kms
      .on(ListKeysCommand)
      .resolves({ Keys: ids.map((id) => ({ KeyId: id, KeyArn: arnOf(id) })), Truncated: false });
    kms.on(ListAliasesCommand).resolves({ Aliases: [], Truncated: false });
    kms.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => {
      described += 1;
      if (described === 5) controller.abort();
      const id = KeyId.split('/').pop() as string;
      return {
        KeyMetadata: {
          AWSAccountId: ACCOUNT,
          KeyId: id,
          Arn: arnOf(id),
          CreationDate: new Date('2025-03-14T09:26:53Z'),
          Enabled: true,
          KeyState: 'Enabled',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyManager: 'CUSTOMER',
          Origin: 'AWS_KMS',
        },
      };
    });
    kms.on(ListResourceTagsCommand).resolves({ Tags: [], Truncated: false });
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    kms.on(ListKeyRotationsCommand).resolves({ Rotations: [], Truncated: false });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}' });
    const out = await mkdtemp(join(tmpdir(), 'kms-report-abort-scan-'));
    try {
      const running = runMonthlyReport({
        month: '2026-10',
        now: () => new Date('2026-11-01T02:00:00Z'),
        output: { dir: out },
        evidence: inventoryOnly(REGION, {
          kms: () => client,
          sts: () =>
            ({ send: async () => ({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` }) }) as never,
          account: () => ({}) as never,
        }),
        signal: controller.signal,
      });
      await expect(running).rejects.toThrow(InterruptedError);
      await expect(running).rejects.toThrow('no report was written');
      expect(described).toBeLessThan(ids.length / 4);
      expect(await readdir(out)).toEqual([]);
    } finally {
      kms.restore();
    }
  });
});
