import { createServer, type Server, type Socket } from 'node:net';
import { AccountClient } from '@aws-sdk/client-account';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../src/collect/aws-errors.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  makeClient,
  networkConfig,
  parseTimeout,
} from '../../../src/collect/client-defaults.js';
import type { InventoryClients } from '../../../src/collect/clients.js';
import { collectKmsRegion } from '../../../src/collect/kms.js';
import { CredentialsError, InputError, NetworkError } from '../../../src/errors.js';
import { collectInventory } from '../../../src/org/collect.js';

/**
 * These tests wait for real timeouts on loopback. The configured timeouts are short (300 ms) and
 * the assertions are on outcomes, not durations; the vitest timeout is generous so that a loaded
 * machine (CI) cannot fail them: two attempts plus the SDK's backoff take about a second idle.
 */
const SLOW_TEST_MS = 60_000;
const SHORT = { connectTimeoutMs: 300, requestTimeoutMs: 300 };
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const ACCOUNT = '111122223333';

/** An endpoint that accepts connections and never answers (a hung proxy, a black hole past the SYN). */
let silent: Server;
let silentEndpoint: string;
const sockets = new Set<Socket>();
/** A port nothing listens on: connections are refused. */
let closedEndpoint: string;

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentEndpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedEndpoint = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** Clients made the way kms-report makes them, at `endpoint`, with two attempts to keep the test short. */
function clientsAt(endpoint: string): InventoryClients {
  const config = { region: 'eu-west-1', endpoint, credentials, maxAttempts: 2 };
  return {
    kms: () => makeClient(KMSClient, config, SHORT),
    sts: () => makeClient(STSClient, config, SHORT),
    account: () => makeClient(AccountClient, config, SHORT),
  };
}

describe('client defaults', () => {
  it('sets connection, request and idle timeouts on every client, 5 s and 30 s by default', () => {
    expect(networkConfig().requestHandler).toEqual({
      connectionTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    });
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(5_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(networkConfig({ requestTimeoutMs: 120_000 }).requestHandler.requestTimeout).toBe(120_000);
  });

  it('reads --timeout in seconds; the connect timeout is 5 s or less', () => {
    expect(parseTimeout('60')).toEqual({ requestTimeoutMs: 60_000, connectTimeoutMs: 5_000 });
    expect(parseTimeout('2.5')).toEqual({ requestTimeoutMs: 2_500, connectTimeoutMs: 2_500 });
    for (const bad of ['0', '-1', 'abc', '', '1e3', '3601'])
      expect(() => parseTimeout(bad)).toThrow(InputError);
  });
});

describe('an endpoint that never answers', () => {
  it(
    'times out, is retried by the SDK, and becomes a region gap naming the endpoint',
    async () => {
      const client = clientsAt(silentEndpoint).kms('eu-west-1');
      const result = await collectKmsRegion(client, { account: ACCOUNT, region: 'eu-west-1' });
      expect(result.coverage.status).toBe('failed');
      expect(result.gaps).toHaveLength(1);
      const gap = result.gaps[0];
      expect(gap?.operation).toBe('ListKeys');
      expect(gap?.errorCode).toBe('TimeoutError');
      expect(gap?.message).toContain(`could not reach ${silentEndpoint}`);
      expect(gap?.message).toContain('no answer within the timeout');
      // The SDK tried again before giving up (a timeout is transient).
      expect(result.stats.retries).toBe(1);
    },
    SLOW_TEST_MS,
  );

  it(
    'fails the run with a network error, not a credentials error, when the account cannot be identified',
    async () => {
      const run = collectInventory({ regions: ['eu-west-1'], clients: clientsAt(silentEndpoint) });
      await expect(run).rejects.toThrow(NetworkError);
      await expect(run).rejects.toThrow(`sts:GetCallerIdentity: could not reach ${silentEndpoint}`);
    },
    SLOW_TEST_MS,
  );
});

describe('a closed port (connection refused)', () => {
  it(
    'says the endpoint refused the connection instead of asking to refresh the credentials',
    async () => {
      const run = collectInventory({ regions: ['eu-west-1'], clients: clientsAt(closedEndpoint) });
      await expect(run).rejects.toThrow(NetworkError);
      await expect(run).rejects.not.toThrow(CredentialsError);
      await expect(run).rejects.toThrow(`could not reach ${closedEndpoint}: the connection was refused`);
      await expect(run).rejects.not.toThrow(/[Rr]efresh/);
    },
    SLOW_TEST_MS,
  );
});

describe('classifyAwsError on network failures', () => {
  it.each([
    ['ECONNREFUSED', 'the connection was refused'],
    ['ENOTFOUND', 'could not be resolved'],
    ['ETIMEDOUT', 'timed out'],
    ['ECONNRESET', 'reset'],
  ])('%s is unreachable, with what happened', (code, words) => {
    const e = classifyAwsError(
      Object.assign(new Error(`connect ${code}`), { code, hostname: 'kms.example' }),
    );
    expect(e.kind).toBe('unreachable');
    expect(e.code).toBe(code);
    expect(e.message).toContain('could not reach kms.example');
    expect(e.message).toContain(words);
  });

  it('names a TimeoutError without an endpoint as "the AWS endpoint"', () => {
    const e = classifyAwsError(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
    expect(e).toMatchObject({ kind: 'unreachable', code: 'TimeoutError' });
    expect(e.message).toContain('could not reach the AWS endpoint');
  });
});
