import type { InventorySnapshot } from '../../src/model/inventory.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A small but complete snapshot: one key with every kind of evidence status, one gap. */
export function sampleSnapshot(): InventorySnapshot {
  return {
    kind: 'kms-report/inventory',
    schemaVersion: 1,
    tool: { name: 'kms-report', version: '0.1.0' },
    collection: { startedAt: '2026-11-01T02:00:00.000Z', finishedAt: '2026-11-01T02:03:10.000Z' },
    partition: 'aws',
    accounts: ['111122223333'],
    regions: [{ account: '111122223333', region: 'eu-west-1', status: 'partial', keysListed: 1 }],
    keys: [
      {
        account: '111122223333',
        region: 'eu-west-1',
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        arn: ARN,
        metadata: {
          status: 'collected',
          value: {
            creationDate: '2025-03-14T09:26:53.000Z',
            description: 'orders | *not* <b>bold</b>',
            keyState: 'Enabled',
            enabled: true,
            keySpec: 'SYMMETRIC_DEFAULT',
            keyUsage: 'ENCRYPT_DECRYPT',
            keyManager: 'CUSTOMER',
            origin: 'AWS_KMS',
            multiRegion: null,
            deletionDate: null,
            pendingDeletionWindowInDays: null,
            customKeyStoreId: null,
            cloudHsmClusterId: null,
            currentKeyMaterialId: 'a1b2',
            expirationModel: null,
            validTo: null,
          },
        },
        aliases: { status: 'collected', value: ['alias/orders'] },
        tags: { status: 'collected', value: [{ key: 'Owner', value: '=cmd()' }] },
        rotation: {
          status: 'collected',
          value: {
            enabled: true,
            periodInDays: 365,
            nextRotationDate: '2026-03-14T09:26:53.000Z',
            onDemandRotationStartDate: null,
          },
        },
        rotations: { status: 'collected', value: [{ date: '2026-03-14T09:26:53.000Z', type: 'AUTOMATIC' }] },
        policy: {
          status: 'failed',
          operation: 'GetKeyPolicy',
          errorCode: 'AccessDeniedException',
          message: 'denied',
        },
        lastUsage: { status: 'skipped', reason: 'turned off' },
      },
    ],
    gaps: [
      {
        scope: 'field',
        account: '111122223333',
        region: 'eu-west-1',
        keyArn: ARN,
        field: 'policy',
        operation: 'GetKeyPolicy',
        errorCode: 'AccessDeniedException',
        message: 'denied',
      },
    ],
  };
}
