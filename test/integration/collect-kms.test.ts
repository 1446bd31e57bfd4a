import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { KeyRecord } from '../../src/model/inventory.js';
import { collectInventory } from '../../src/org/collect.js';
import { readSnapshot } from '../../src/snapshot.js';
import { captureIo } from '../support/io.js';
import {
  endpointClients,
  MOTO_ACCOUNT,
  SCENARIO_REGIONS,
  type ScenarioKey,
  seedScenario,
} from '../support/scenario.js';

const endpoint = inject('motoEndpoint');

async function resetMoto() {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  expect(response.ok).toBe(true);
}

function byArn(keys: readonly KeyRecord[]) {
  return new Map(keys.map((k) => [k.arn, k]));
}

/** Every field the scenario set, compared with what the collector reports. */
function expectKeyMatches(key: KeyRecord | undefined, made: ScenarioKey) {
  expect(key, `${made.name} is in the inventory`).toBeDefined();
  if (!key) return;
  expect(key.region).toBe(made.region);
  expect(key.account).toBe(MOTO_ACCOUNT);
  expect(key.keyId).toBe(made.keyId);
  expect(key.metadata.status).toBe('collected');
  if (key.metadata.status !== 'collected') return;
  const meta = key.metadata.value;
  expect(meta.description).toBe(made.description);
  expect(meta.keySpec).toBe(made.keySpec);
  expect(meta.keyUsage).toBe(made.keyUsage);
  expect(meta.keyState).toBe(made.keyState);
  expect(meta.enabled).toBe(made.keyState === 'Enabled');
  expect(meta.keyManager).toBe('CUSTOMER');
  expect(meta.origin).toBe('AWS_KMS');
  expect(meta.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(meta.multiRegion?.role ?? null).toBe(made.multiRegion);
  if (made.keyState === 'PendingDeletion') expect(meta.deletionDate).not.toBeNull();
  else expect(meta.deletionDate).toBeNull();

  expect(key.aliases).toEqual({ status: 'collected', value: made.aliases });
  if (made.multiRegion !== 'REPLICA') expect(key.tags).toEqual({ status: 'collected', value: made.tags });
  if (made.rotationEnabled === null) {
    expect(key.rotation.status).toBe('not-applicable');
    expect(key.rotations.status).toBe('not-applicable');
  } else {
    expect(key.rotation.status === 'collected' && key.rotation.value.enabled).toBe(made.rotationEnabled);
    expect(key.rotations.status).toBe('collected');
    if (key.rotations.status === 'collected') {
      expect(key.rotations.value).toHaveLength(made.onDemandRotations);
      for (const r of key.rotations.value) expect(r.type).toBe('ON_DEMAND');
    }
  }
  expect(key.policy.status).toBe('collected');
  if (made.policy !== null) expect(key.policy).toEqual({ status: 'collected', value: made.policy });
  expect(key.lastUsage.status).toBe('skipped');
}

describe('collectInventory against moto', () => {
  beforeEach(resetMoto);

  it('lists every key of a 15-key, two-region scenario with every field the scenario set', async () => {
    const made = await seedScenario(endpoint);
    expect(made.length).toBeGreaterThanOrEqual(12);

    const { snapshot, stats } = await collectInventory({
      regions: [...SCENARIO_REGIONS],
      clients: endpointClients(endpoint),
      lastUsage: false,
    });

    expect(snapshot.accounts).toEqual([MOTO_ACCOUNT]);
    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.regions.map((r) => [r.region, r.status])).toEqual([
      ['us-east-1', 'complete'],
      ['eu-west-1', 'complete'],
    ]);
    expect(snapshot.keys).toHaveLength(made.length);
    const keys = byArn(snapshot.keys);
    for (const m of made) expectKeyMatches(keys.get(m.arn), m);

    // The multi-Region pair points at each other.
    const primary = made.find((m) => m.multiRegion === 'PRIMARY');
    const replica = made.find((m) => m.multiRegion === 'REPLICA');
    const p = keys.get(primary?.arn ?? '');
    const r = keys.get(replica?.arn ?? '');
    expect(p?.metadata.status === 'collected' && p.metadata.value.multiRegion?.replicas).toEqual([
      { arn: replica?.arn, region: 'eu-west-1' },
    ]);
    expect(r?.metadata.status === 'collected' && r.metadata.value.multiRegion?.primary).toEqual({
      arn: primary?.arn,
      region: 'us-east-1',
    });

    // Calls that cannot apply were not made: rotation only for the 11 symmetric keys.
    expect(stats.calls.DescribeKey).toBe(made.length);
    expect(stats.calls.GetKeyRotationStatus).toBe(made.filter((m) => m.rotationEnabled !== null).length);
    expect(stats.calls.GetKeyLastUsage).toBeUndefined();
  });

  it('records an API the endpoint lacks (GetKeyLastUsage) as a gap on each key and keeps every key', async () => {
    const made = await seedScenario(endpoint);
    const { snapshot } = await collectInventory({
      regions: ['eu-west-1'],
      clients: endpointClients(endpoint, { maxAttempts: 1 }),
    });
    const inRegion = made.filter((m) => m.region === 'eu-west-1');
    expect(snapshot.keys).toHaveLength(inRegion.length);
    for (const key of snapshot.keys) {
      expect(key.lastUsage).toMatchObject({ status: 'failed', operation: 'GetKeyLastUsage' });
      expect(key.policy.status).toBe('collected');
    }
    expect(snapshot.gaps.map((g) => [g.scope, g.field, g.operation])).toEqual(
      inRegion.map(() => ['field', 'lastUsage', 'GetKeyLastUsage']),
    );
    expect(snapshot.regions[0]?.status).toBe('partial');
  });

  it('reports a region it cannot reach as a gap and still reports the others', async () => {
    await seedScenario(endpoint);
    const clients = endpointClients(endpoint);
    const unreachable = new KMSClient({
      region: 'ap-southeast-4',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    const { snapshot } = await collectInventory({
      regions: ['us-east-1', 'ap-southeast-4'],
      clients: {
        ...clients,
        kms: (region) => (region === 'ap-southeast-4' ? unreachable : clients.kms(region)),
      },
      lastUsage: false,
    });
    expect(snapshot.regions.find((r) => r.region === 'ap-southeast-4')).toMatchObject({ status: 'failed' });
    expect(snapshot.gaps).toEqual([
      expect.objectContaining({ scope: 'region', region: 'ap-southeast-4', operation: 'ListKeys' }),
    ]);
    expect(snapshot.keys.filter((k) => k.region === 'us-east-1').length).toBeGreaterThan(10);
  });
});

describe('kms-report collect against moto', () => {
  beforeEach(resetMoto);

  it('writes a snapshot that reads back to the same inventory, honouring AWS_ENDPOINT_URL', async () => {
    const made = await seedScenario(endpoint);
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-'));
    const out = join(dir, 'inventory.json');
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    const io = captureIo();
    let code: number;
    try {
      code = await runCli(
        ['collect', '--regions', 'us-east-1,eu-west-1', '--no-last-usage', '--output-file', out],
        io,
      );
    } finally {
      process.env = saved;
    }
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain(
      `Collected ${made.length} keys (${made.length} customer managed, 0 AWS managed)`,
    );
    expect(io.stdoutText()).toContain('No gaps');

    const snapshot = await readSnapshot(out);
    expect(snapshot.keys).toHaveLength(made.length);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(snapshot);
    const keys = byArn(snapshot.keys);
    for (const m of made) expectKeyMatches(keys.get(m.arn), m);
  });
});
