import { z } from 'zod';
import { accountIdSchema } from './account-id.js';
import { type InventorySnapshot, SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from './inventory.js';
import { keyArnSchema, keyIdSchema } from './key-arn.js';

/**
 * The published schema of the inventory snapshot (the evidence file). `schema/snapshot.schema.json`
 * is generated from it (`npm run schema`) and a test keeps the two in step.
 */
const isoDate = z.iso.datetime({ offset: false }).describe('ISO 8601 date-time in UTC');

const observed = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('collected'), value }).strict(),
    z.object({ status: z.literal('not-applicable'), reason: z.string() }).strict(),
    z.object({ status: z.literal('skipped'), reason: z.string() }).strict(),
    z
      .object({
        status: z.literal('failed'),
        operation: z.string(),
        errorCode: z.string(),
        message: z.string(),
      })
      .strict(),
  ]);

/** DescribeKey's PendingDeletionWindowInDays: AWS accepts 7 to 30 days. */
export const PENDING_DELETION_WINDOW_DAYS = { min: 7, max: 30 } as const;
/** GetKeyRotationStatus's RotationPeriodInDays: AWS accepts 90 to 2,560 days. */
export const ROTATION_PERIOD_DAYS = { min: 90, max: 2560 } as const;

const regionalArn = z.object({ arn: z.string(), region: z.string() }).strict();

const keyMetadata = z
  .object({
    creationDate: isoDate.nullable(),
    description: z.string(),
    keyState: z.string(),
    enabled: z.boolean(),
    keySpec: z.string(),
    keyUsage: z.string(),
    keyManager: z.enum(['AWS', 'CUSTOMER']),
    origin: z.string(),
    multiRegion: z
      .object({
        role: z.enum(['PRIMARY', 'REPLICA']),
        primary: regionalArn.nullable(),
        replicas: z.array(regionalArn),
      })
      .strict()
      .nullable(),
    deletionDate: isoDate.nullable(),
    pendingDeletionWindowInDays: z
      .number()
      .int()
      .min(PENDING_DELETION_WINDOW_DAYS.min)
      .max(PENDING_DELETION_WINDOW_DAYS.max)
      .nullable(),
    customKeyStoreId: z.string().nullable(),
    cloudHsmClusterId: z.string().nullable(),
    currentKeyMaterialId: z.string().nullable(),
    expirationModel: z.string().nullable(),
    validTo: isoDate.nullable(),
  })
  .strict();

const keyRecord = z
  .object({
    account: accountIdSchema,
    region: z.string(),
    keyId: keyIdSchema,
    arn: keyArnSchema,
    metadata: observed(keyMetadata),
    aliases: observed(z.array(z.string())),
    tags: observed(z.array(z.object({ key: z.string(), value: z.string() }).strict())),
    rotation: observed(
      z
        .object({
          enabled: z.boolean(),
          periodInDays: z
            .number()
            .int()
            .min(ROTATION_PERIOD_DAYS.min)
            .max(ROTATION_PERIOD_DAYS.max)
            .nullable(),
          nextRotationDate: isoDate.nullable(),
          onDemandRotationStartDate: isoDate.nullable(),
        })
        .strict(),
    ),
    rotations: observed(z.array(z.object({ date: isoDate, type: z.string() }).strict())),
    policy: observed(z.string()),
    lastUsage: observed(
      z
        .object({
          operation: z.string().nullable(),
          timestamp: isoDate.nullable(),
          trackingStartDate: isoDate.nullable(),
          cloudTrailEventId: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

const gap = z
  .object({
    scope: z.enum(['account', 'region', 'key', 'field']),
    account: accountIdSchema.nullable(),
    region: z.string().nullable(),
    keyArn: z.string().nullable(),
    field: z.string().nullable(),
    operation: z.string(),
    errorCode: z.string(),
    message: z.string(),
  })
  .strict();

export const snapshotSchema = z
  .object({
    kind: z.literal(SNAPSHOT_KIND),
    schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
    tool: z.object({ name: z.literal('kms-report'), version: z.string() }).strict(),
    collection: z.object({ startedAt: isoDate, finishedAt: isoDate }).strict(),
    partition: z.string(),
    accounts: z.array(accountIdSchema),
    regions: z.array(
      z
        .object({
          account: accountIdSchema,
          region: z.string(),
          status: z.enum(['complete', 'partial', 'failed']),
          keysListed: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    keys: z.array(keyRecord),
    gaps: z.array(gap),
    organization: z
      .object({
        id: z.string().nullable(),
        callerAccount: accountIdSchema,
        accounts: z.array(
          z
            .object({
              id: accountIdSchema,
              name: z.string().nullable(),
              ou: z.object({ id: z.string(), name: z.string() }).strict().nullable(),
              roleArn: z.string().nullable(),
              status: z.enum(['collected', 'failed']),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('kms-report inventory snapshot: the KMS keys of the chosen accounts and regions, and every gap');

// Compile-time proof that whatever the schema accepts is a well-typed snapshot.
type Parsed = z.infer<typeof snapshotSchema>;
const _schemaFitsModel = (s: Parsed): InventorySnapshot => s;
void _schemaFitsModel;

/** The snapshot's JSON Schema (draft 2020-12), as published in `schema/snapshot.schema.json`. */
export function snapshotJsonSchema(): string {
  const schema = z.toJSONSchema(snapshotSchema, { target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'kms-report inventory snapshot, schema version 1' }, null, 2)}\n`;
}
