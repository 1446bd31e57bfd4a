/**
 * The KMS load model: a KMS endpoint on 127.0.0.1 speaking the AWS JSON 1.1 protocol
 * (`X-Amz-Target: TrentService.<Op>`) for the read APIs kms-report uses, run in its own
 * process (forked by bench/cases/inventory.ts, so its CPU and memory are not the collector's).
 *
 * - Every answer (throttles included) is sent after `--latency` ms.
 * - Each region (read from the SigV4 credential scope) has a token bucket per API at KMS's
 *   documented quota (kms-facts.md §4, written out here, not taken from the code under test),
 *   holding `--burst-seconds` seconds of requests; a request finding it empty gets HTTP 400
 *   `{"__type":"ThrottlingException"}` as KMS answers.
 * - It counts accepted and throttled requests per region and API; the parent asks for them
 *   over IPC (`{type:'stats'}`), or resets them (`{type:'reset'}`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { args, numberArg } from '../lib/measure.js';
import { regionOfRequest, TokenBucket } from '../lib/token-bucket.js';
import { ACCOUNT, type ModelKey, modelKeys, policyOf } from './kms-keys.js';

/** KMS request quotas, requests per second per account and region (kms-facts.md §4). */
export const KMS_DOCUMENTED_QUOTAS: Record<string, number> = {
  ListKeys: 500,
  ListAliases: 500,
  DescribeKey: 2000,
  ListResourceTags: 2000,
  GetKeyRotationStatus: 1000,
  ListKeyRotations: 100,
  GetKeyPolicy: 1000,
  GetKeyLastUsage: 5,
};

const opts = args();
const regions = (opts.get('regions') ?? 'us-east-1,eu-west-1').split(',');
const keyCount = numberArg(opts, 'keys', 1000);
const latency = numberArg(opts, 'latency', 20);
const burstSeconds = numberArg(opts, 'burst-seconds', 1);

interface RegionState {
  keys: ModelKey[];
  byArn: Map<string, ModelKey>;
  aliases: { AliasName: string; AliasArn: string; TargetKeyId?: string }[];
  buckets: Map<string, TokenBucket>;
  accepted: Record<string, number>;
  throttled: Record<string, number>;
}

const state = new Map<string, RegionState>();
const freshBuckets = () =>
  new Map(
    Object.entries(KMS_DOCUMENTED_QUOTAS).map(([api, q]) => [
      api,
      new TokenBucket(q, Math.max(1, q * burstSeconds)),
    ]),
  );
regions.forEach((region, r) => {
  const keys = modelKeys(region, r, keyCount);
  const byArn = new Map<string, ModelKey>();
  const aliases: RegionState['aliases'] = [];
  for (const k of keys) {
    byArn.set(k.arn, k);
    byArn.set(k.keyId, k);
    for (const a of k.aliases)
      aliases.push({ AliasName: a, AliasArn: `arn:aws:kms:${region}:${ACCOUNT}:${a}`, TargetKeyId: k.keyId });
  }
  // AWS managed aliases whose key does not exist yet (the service has not used KMS): no target.
  for (let i = 0; i < 5; i++)
    aliases.push({
      AliasName: `alias/aws/unused-${i}`,
      AliasArn: `arn:aws:kms:${region}:${ACCOUNT}:alias/aws/unused-${i}`,
    });
  state.set(region, { keys, byArn, aliases, buckets: freshBuckets(), accepted: {}, throttled: {} });
});

type Answer = { status: number; body: unknown };
const error = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } });

function page<T>(items: readonly T[], input: Record<string, unknown>, max: number) {
  const limit = Math.min(max, Math.max(1, Number(input.Limit ?? max)));
  const start = input.Marker ? Number(input.Marker) : 0;
  const slice = items.slice(start, start + limit);
  const next = start + limit;
  return next < items.length
    ? { slice, Truncated: true, NextMarker: String(next) }
    : { slice, Truncated: false };
}

function metadata(k: ModelKey, region: string) {
  return {
    AWSAccountId: ACCOUNT,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: k.creationDate,
    Enabled: k.keyState === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.keyState,
    ...(k.keyState === 'PendingDeletion'
      ? { DeletionDate: 1_790_000_000, PendingDeletionWindowInDays: 30 }
      : {}),
    Origin: k.origin,
    KeyManager: k.keyManager,
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    ...(k.keySpec === 'SYMMETRIC_DEFAULT'
      ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }
      : k.keySpec.startsWith('HMAC')
        ? { MacAlgorithms: ['HMAC_SHA_256'] }
        : k.keyUsage === 'SIGN_VERIFY'
          ? { SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] }
          : { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }),
    MultiRegion: k.multiRegion,
    ...(k.multiRegion
      ? {
          MultiRegionConfiguration: {
            MultiRegionKeyType: 'PRIMARY',
            PrimaryKey: { Arn: k.arn, Region: region },
            ReplicaKeys: [],
          },
        }
      : {}),
    ...(k.origin === 'EXTERNAL' ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
    CurrentKeyMaterialId: `${k.keyId.slice(-12)}0000`,
  };
}

function answer(region: RegionState, regionName: string, op: string, input: Record<string, unknown>): Answer {
  const key = () => region.byArn.get(String(input.KeyId ?? ''));
  switch (op) {
    case 'ListKeys': {
      const p = page(region.keys, input, 1000);
      return {
        status: 200,
        body: {
          Keys: p.slice.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
          Truncated: p.Truncated,
          NextMarker: p.NextMarker,
        },
      };
    }
    case 'ListAliases': {
      const p = page(region.aliases, input, 100);
      return { status: 200, body: { Aliases: p.slice, Truncated: p.Truncated, NextMarker: p.NextMarker } };
    }
  }
  const k = key();
  if (!k) return error('NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
  const symmetricKms = k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS';
  switch (op) {
    case 'DescribeKey':
      return { status: 200, body: { KeyMetadata: metadata(k, regionName) } };
    case 'ListResourceTags': {
      if (k.keyManager === 'AWS') return error('AccessDeniedException', 'AWS managed keys cannot be tagged');
      const p = page(k.tags, input, 50);
      return { status: 200, body: { Tags: p.slice, Truncated: p.Truncated, NextMarker: p.NextMarker } };
    }
    case 'GetKeyRotationStatus':
      if (!symmetricKms) return error('UnsupportedOperationException', `${k.arn} does not support rotation`);
      return {
        status: 200,
        body: {
          KeyId: k.arn,
          KeyRotationEnabled: k.rotationEnabled,
          ...(k.rotationEnabled ? { RotationPeriodInDays: 365, NextRotationDate: 1_800_000_000 } : {}),
        },
      };
    case 'ListKeyRotations': {
      if (!symmetricKms) return error('UnsupportedOperationException', `${k.arn} does not support rotation`);
      const p = page(k.rotations, input, 1000);
      return {
        status: 200,
        body: {
          Rotations: p.slice.map((r) => ({ KeyId: k.arn, ...r })),
          Truncated: p.Truncated,
          NextMarker: p.NextMarker,
        },
      };
    }
    case 'GetKeyPolicy':
      return { status: 200, body: { Policy: policyOf(k), PolicyName: 'default' } };
    case 'GetKeyLastUsage':
      return {
        status: 200,
        body: {
          KeyId: k.arn,
          KeyCreationDate: k.creationDate,
          TrackingStartDate: 1_775_000_000,
          KeyLastUsage: {
            Operation: 'Decrypt',
            Timestamp: 1_790_000_000,
            CloudTrailEventId: `${k.keyId.slice(0, 8)}-2f3d-4e5a-9b8c-7d6e5f4a3b2c`,
          },
        },
      };
    default:
      return error('UnknownOperationException', `${op} is not modelled`);
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const op = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
    const regionName = regionOfRequest(req.headers.authorization);
    const region = state.get(regionName);
    let result: Answer;
    if (!region) result = error('UnrecognizedClientException', `region ${regionName} is not modelled`);
    else {
      const bucket = region.buckets.get(op);
      if (bucket && !bucket.tryTake()) {
        region.throttled[op] = (region.throttled[op] ?? 0) + 1;
        result = error('ThrottlingException', 'Rate exceeded');
      } else {
        region.accepted[op] = (region.accepted[op] ?? 0) + 1;
        const input = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
        result = answer(region, regionName, op, input);
      }
    }
    const body = JSON.stringify(result.body);
    setTimeout(() => {
      res.writeHead(result.status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': 'kms-model',
      });
      res.end(body);
    }, latency);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'stats')
    process.send?.({
      type: 'stats',
      stats: Object.fromEntries(
        [...state].map(([r, s]) => [r, { accepted: s.accepted, throttled: s.throttled }]),
      ),
    });
  else if (m.type === 'reset') {
    for (const s of state.values()) {
      s.accepted = {};
      s.throttled = {};
      s.buckets = freshBuckets();
    }
    process.send?.({ type: 'reset' });
  } else if (m.type === 'exit') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
// Stops by itself if the parent goes away.
process.on('disconnect', () => process.exit(0));
