/**
 * Realistic KMS CloudTrail records (the shape of a trail file's `Records[]` entries, ~1.2 KB
 * each): data events from applications and from AWS services on their behalf, a few failed
 * calls, cross-account callers, asymmetric and HMAC operations, data key pairs, GenerateRandom
 * (no key), and rare lifecycle events. Deterministic in `i`.
 */
export const TRAIL_ACCOUNT = '111122223333';
const PARTNER = '444455556666';

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
const mix = (a: number) => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};
const uuid = (a: number, b: number) =>
  `${hex(mix(a), 8)}-${hex(b, 4)}-4${hex(mix(a + b), 3)}-a${hex(mix(b), 3)}-${hex(mix(a ^ b), 8)}${hex(a, 4)}`;

export const keyIdOf = (k: number) => uuid(k, 0x6b6d);
export const keyArnOf = (region: string, k: number) =>
  `arn:aws:kms:${region}:${TRAIL_ACCOUNT}:key/${keyIdOf(k)}`;

interface Op {
  name: string;
  weight: number;
  params: (h: number) => Record<string, unknown>;
  keyKind: 'symmetric' | 'rsa' | 'ecc' | 'hmac' | 'none';
}

const context = (h: number) => ({
  'aws:s3:arn': `arn:aws:s3:::data-lake-${h % 40}/objects/part-${h % 10_000}.parquet`,
});
const OPS: Op[] = [
  {
    name: 'Decrypt',
    weight: 46,
    keyKind: 'symmetric',
    params: (h) => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: context(h) }),
  },
  {
    name: 'GenerateDataKey',
    weight: 24,
    keyKind: 'symmetric',
    params: (h) => ({ keySpec: 'AES_256', encryptionContext: context(h) }),
  },
  {
    name: 'Encrypt',
    weight: 10,
    keyKind: 'symmetric',
    params: (h) => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: context(h) }),
  },
  {
    name: 'ReEncrypt',
    weight: 2,
    keyKind: 'symmetric',
    params: () => ({
      sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    }),
  },
  {
    name: 'GenerateDataKeyWithoutPlaintext',
    weight: 3,
    keyKind: 'symmetric',
    params: () => ({ numberOfBytes: 32 }),
  },
  {
    name: 'Sign',
    weight: 3,
    keyKind: 'rsa',
    params: () => ({ signingAlgorithm: 'RSASSA_PSS_SHA_256', messageType: 'DIGEST' }),
  },
  {
    name: 'Verify',
    weight: 2,
    keyKind: 'ecc',
    params: () => ({ signingAlgorithm: 'ECDSA_SHA_256', messageType: 'RAW' }),
  },
  { name: 'GenerateMac', weight: 3, keyKind: 'hmac', params: () => ({ macAlgorithm: 'HMAC_SHA_256' }) },
  {
    name: 'GenerateDataKeyPair',
    weight: 1,
    keyKind: 'symmetric',
    params: () => ({ keyPairSpec: 'RSA_2048' }),
  },
  { name: 'DescribeKey', weight: 4, keyKind: 'symmetric', params: () => ({}) },
  { name: 'GenerateRandom', weight: 1, keyKind: 'none', params: () => ({ numberOfBytes: 64 }) },
  { name: 'ListAliases', weight: 1, keyKind: 'none', params: () => ({}) },
];
const TABLE: Op[] = OPS.flatMap((op) => Array.from({ length: op.weight }, () => op));

/** Keys per kind: 2,000 symmetric keys, 100 RSA, 60 ECC, 80 HMAC (key numbers are disjoint). */
function keyFor(kind: Op['keyKind'], h: number): number {
  if (kind === 'rsa') return 2000 + (h % 100);
  if (kind === 'ecc') return 2100 + (h % 60);
  if (kind === 'hmac') return 2160 + (h % 80);
  // A skewed mix: a few hot keys get most calls.
  return h % 4 === 0 ? h % 20 : h % 2000;
}

const LIFECYCLE = [
  'EnableKeyRotation',
  'DisableKey',
  'EnableKey',
  'PutKeyPolicy',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
];

/** The i-th record, at `timeMs`, in `region`. */
export function kmsRecord(i: number, timeMs: number, region: string): Record<string, unknown> {
  const h = mix(i);
  const eventTime = new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lifecycle = h % 5000 === 17;
  const serviceEvent = h % 20000 === 3;
  const op: Op = lifecycle
    ? {
        name: LIFECYCLE[(h >>> 8) % LIFECYCLE.length] as string,
        weight: 0,
        keyKind: 'symmetric',
        params: () => ({}),
      }
    : (TABLE[h % TABLE.length] as Op);
  const key = keyFor(op.keyKind, h >>> 3);
  const keyArn = keyArnOf(region, key);
  const byService = h % 3 === 0;
  const crossAccount = !byService && h % 29 === 0;
  const caller = crossAccount ? PARTNER : TRAIL_ACCOUNT;
  const failed = h % 97 === 0;
  const params: Record<string, unknown> =
    op.keyKind === 'none' ? op.params(h) : { keyId: h % 2 ? keyArn : `alias/app-${key}`, ...op.params(h) };
  if (op.name === 'ScheduleKeyDeletion') params.pendingWindowInDays = 7 + (h % 24);
  if (serviceEvent)
    return {
      eventVersion: '1.10',
      userIdentity: { accountId: TRAIL_ACCOUNT, invokedBy: 'kms.amazonaws.com' },
      eventTime,
      eventSource: 'kms.amazonaws.com',
      eventName: 'RotateKey',
      awsRegion: region,
      sourceIPAddress: 'kms.amazonaws.com',
      userAgent: 'kms.amazonaws.com',
      requestParameters: null,
      responseElements: null,
      eventID: uuid(i, 0x5e),
      readOnly: false,
      resources: [{ accountId: TRAIL_ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: TRAIL_ACCOUNT,
      serviceEventDetails: { keyId: keyIdOf(key) },
      eventCategory: 'Management',
    };
  const role = `app-${(h >>> 5) % 50}`;
  return {
    eventVersion: '1.10',
    userIdentity: byService
      ? {
          type: 'AssumedRole',
          principalId: `AROA${hex(h, 8).toUpperCase()}EXAMPLE:${role}`,
          arn: `arn:aws:sts::${caller}:assumed-role/${role}/i-0${hex(h, 8)}${hex(i, 8)}`,
          accountId: caller,
          accessKeyId: `ASIA${hex(mix(h), 8).toUpperCase()}EXAMPLE`,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: `AROA${hex(h, 8).toUpperCase()}EXAMPLE`,
              arn: `arn:aws:iam::${caller}:role/${role}`,
              accountId: caller,
              userName: role,
            },
            attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
          },
          invokedBy: 's3.amazonaws.com',
        }
      : {
          type: 'AssumedRole',
          principalId: `AROA${hex(h, 8).toUpperCase()}EXAMPLE:${role}`,
          arn: `arn:aws:sts::${caller}:assumed-role/${role}/${role}-session`,
          accountId: caller,
          accessKeyId: `ASIA${hex(mix(h), 8).toUpperCase()}EXAMPLE`,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: `AROA${hex(h, 8).toUpperCase()}EXAMPLE`,
              arn: `arn:aws:iam::${caller}:role/${role}`,
              accountId: caller,
              userName: role,
            },
            attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
          },
        },
    eventTime,
    eventSource: 'kms.amazonaws.com',
    eventName: op.name,
    awsRegion: region,
    sourceIPAddress: byService ? 's3.amazonaws.com' : `10.${h % 256}.${(h >>> 8) % 256}.${(h >>> 16) % 256}`,
    userAgent: byService
      ? 's3.amazonaws.com'
      : 'aws-sdk-java/2.25.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10',
    ...(failed
      ? { errorCode: 'AccessDenied', errorMessage: `User is not authorized to perform: kms:${op.name}` }
      : {}),
    requestParameters: params,
    responseElements:
      lifecycle && op.name === 'ScheduleKeyDeletion' && !failed
        ? {
            keyId: keyArn,
            keyState: 'PendingDeletion',
            deletionDate: new Date(
              timeMs + (params.pendingWindowInDays as number) * 86_400_000,
            ).toISOString(),
          }
        : null,
    requestID: uuid(i, 0x4e),
    eventID: uuid(i, 0x3d),
    readOnly: !lifecycle,
    resources:
      op.keyKind === 'none' ? [] : [{ accountId: TRAIL_ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: TRAIL_ACCOUNT,
    ...(crossAccount ? { sharedEventID: uuid(i, 0x2c) } : {}),
    eventCategory: 'Management',
    tlsDetails: byService
      ? undefined
      : {
          tlsVersion: 'TLSv1.3',
          cipherSuite: 'TLS_AES_128_GCM_SHA256',
          clientProvidedHostHeader: `kms.${region}.amazonaws.com`,
        },
  };
}
