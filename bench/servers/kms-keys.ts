/**
 * The key estate the KMS load model serves: deterministic, realistic in mix. Per 100 keys:
 * 78 customer managed symmetric keys with AWS_KMS key material (about 4 in 5 with automatic
 * rotation, 0-3 past rotations), 2 with imported material, 8 RSA, 6 ECC, 5 HMAC and 1 AWS
 * managed key; about 1 in 37 disabled, 1 in 53 pending deletion, 1 in 50 multi-Region.
 */
export const ACCOUNT = '111122223333';

export interface ModelKey {
  readonly keyId: string;
  readonly arn: string;
  readonly creationDate: number;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyManager: 'AWS' | 'CUSTOMER';
  readonly origin: string;
  readonly keyState: string;
  readonly multiRegion: boolean;
  readonly description: string;
  readonly aliases: readonly string[];
  readonly tags: readonly { TagKey: string; TagValue: string }[];
  readonly rotationEnabled: boolean;
  readonly rotations: readonly { RotationDate: number; RotationType: string }[];
}

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);

/** A small deterministic hash, to spread attributes without a random generator. */
const mix = (a: number, b: number) => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
};

const SERVICES = ['s3', 'ebs', 'rds', 'lambda', 'secretsmanager', 'sns', 'sqs', 'dynamodb', 'logs', 'ssm'];
const TEAMS = ['payments', 'identity', 'data', 'platform', 'web', 'mobile', 'search', 'billing'];

export function modelKey(region: string, regionIndex: number, i: number): ModelKey {
  const h = mix(regionIndex, i);
  const slot = i % 100;
  const mrk = i % 50 === 1;
  const keyId = `${mrk ? 'mrk-' : ''}${hex(i, 8)}-${hex(regionIndex, 4)}-4${hex(h, 3)}-8${hex(h >>> 12, 3)}-${hex(mix(i, h), 8)}${hex(h, 4)}`;
  const arn = `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
  const awsManaged = slot === 99;
  let keySpec = 'SYMMETRIC_DEFAULT';
  let keyUsage = 'ENCRYPT_DECRYPT';
  let origin = 'AWS_KMS';
  if (slot >= 78 && slot < 80) origin = 'EXTERNAL';
  else if (slot >= 80 && slot < 88) {
    keySpec = slot % 2 === 0 ? 'RSA_2048' : 'RSA_4096';
    keyUsage = slot % 4 === 0 ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT';
  } else if (slot >= 88 && slot < 94) {
    keySpec = 'ECC_NIST_P256';
    keyUsage = 'SIGN_VERIFY';
  } else if (slot >= 94 && slot < 99) {
    keySpec = 'HMAC_256';
    keyUsage = 'GENERATE_VERIFY_MAC';
  }
  const keyState = awsManaged
    ? 'Enabled'
    : i % 53 === 7
      ? 'PendingDeletion'
      : i % 37 === 5
        ? 'Disabled'
        : 'Enabled';
  const team = TEAMS[h % TEAMS.length] as string;
  const service = SERVICES[((i / 100) % SERVICES.length) | 0] as string;
  const creationDate = 1_600_000_000 + (h % 150_000_000);
  const symmetricKms = keySpec === 'SYMMETRIC_DEFAULT' && origin === 'AWS_KMS';
  const aliases = awsManaged
    ? [`alias/aws/${service}-${Math.floor(i / 1000)}`]
    : h % 10 === 0
      ? []
      : h % 10 === 1
        ? [`alias/${team}-${i}`, `alias/${team}-${i}-legacy`]
        : [`alias/${team}-${i}`];
  const tagCount = awsManaged ? 0 : h % 7;
  const tags = Array.from({ length: tagCount }, (_, t) => ({
    TagKey: ['Owner', 'CostCenter', 'Environment', 'Application', 'DataClass', 'Team', 'Project'][
      t
    ] as string,
    TagValue: `${team}-${t}`,
  }));
  const rotationEnabled = symmetricKms && (awsManaged || h % 5 !== 0);
  const rotations =
    symmetricKms && !awsManaged
      ? Array.from({ length: h % 4 }, (_, r) => ({
          RotationDate: creationDate + (r + 1) * 31_536_000,
          RotationType: r === 2 ? 'ON_DEMAND' : 'AUTOMATIC',
        }))
      : [];
  return {
    keyId,
    arn,
    creationDate,
    keySpec,
    keyUsage,
    keyManager: awsManaged ? 'AWS' : 'CUSTOMER',
    origin,
    keyState,
    multiRegion: mrk && !awsManaged,
    description: awsManaged
      ? `Default key that protects my ${service} data when no other key is defined`
      : `${team} ${keyUsage.toLowerCase()} key ${i}`,
    aliases,
    tags,
    rotationEnabled,
    rotations,
  };
}

export function modelKeys(region: string, regionIndex: number, count: number): ModelKey[] {
  return Array.from({ length: count }, (_, i) => modelKey(region, regionIndex, i));
}

/** A key policy of realistic size (~1.3 KB): root, administrators, users, grants for AWS resources. */
export function policyOf(key: ModelKey): string {
  const root = `arn:aws:iam::${ACCOUNT}:root`;
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `key-policy-${key.keyId}`,
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: root },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Allow access for Key Administrators',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmins` },
        Action: [
          'kms:Create*',
          'kms:Describe*',
          'kms:Enable*',
          'kms:List*',
          'kms:Put*',
          'kms:Update*',
          'kms:Revoke*',
          'kms:Disable*',
          'kms:Get*',
          'kms:Delete*',
          'kms:ScheduleKeyDeletion',
          'kms:CancelKeyDeletion',
        ],
        Resource: '*',
      },
      {
        Sid: 'Allow use of the key',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app-${key.keyId.slice(0, 8)}` },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app-${key.keyId.slice(0, 8)}` },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
    ],
  });
}
