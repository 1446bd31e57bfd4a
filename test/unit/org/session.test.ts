import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AssumeRoleError,
  assumeRoleSession,
  defaultSessionName,
  SESSION_REFRESH_MARGIN_MS,
} from '../../../src/org/session.js';

const ROLE = 'arn:aws:iam::444455556666:role/KmsReportReader';
const MINUTE = 60_000;

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const sts = mockClient(STSClient);

describe('Function: assumeRoleSession', () => {
  beforeEach(() => sts.reset());

  /** STS answering with numbered sessions that last `minutes` from the clock's time. */
  function numberedSessions(clock: { now(): number }, minutes = 60) {
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => {
      n += 1;
      return {
        Credentials: {
          AccessKeyId: `ASIASESSION${n}`,
          SecretAccessKey: `secret-${n}`,
          SessionToken: `token-${n}`,
          Expiration: new Date(clock.now() + minutes * MINUTE),
        },
      };
    });
  }

  it('assumes the role once, names the session after the tool, and passes the external id', async () => {
    // Prepare
    const clock = manualClock(Date.parse('2026-11-01T02:05:00Z'));
    numberedSessions(clock);
    const provider = assumeRoleSession({
      sts: new STSClient({ region: 'us-east-1' }),
      roleArn: ROLE,
      externalId: 'audit-2026',
      clock,
    });
    // Act
    const [a, b] = await Promise.all([provider(), provider()]);
    const c = await provider();
    // Assess
    expect(a.accessKeyId).toBe('ASIASESSION1');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'kms-report-20261101T020500Z',
      DurationSeconds: 3600,
      ExternalId: 'audit-2026',
    });
  });

  it('renews the session before it expires, and not before', async () => {
    const clock = manualClock(Date.parse('2026-11-01T00:00:00Z'));
    numberedSessions(clock);
    const provider = assumeRoleSession({ sts: new STSClient({ region: 'us-east-1' }), roleArn: ROLE, clock });
    expect((await provider()).accessKeyId).toBe('ASIASESSION1');

    clock.advance(60 * MINUTE - SESSION_REFRESH_MARGIN_MS - MINUTE);
    expect((await provider()).accessKeyId).toBe('ASIASESSION1');

    clock.advance(2 * MINUTE); // now inside the refresh margin
    const renewed = await provider();
    expect(renewed.accessKeyId).toBe('ASIASESSION2');
    expect(renewed.expiration?.getTime()).toBe(clock.now() + 60 * MINUTE);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps the session name of the run across renewals', async () => {
    const clock = manualClock(Date.parse('2026-11-01T00:00:00Z'));
    numberedSessions(clock, 15);
    const provider = assumeRoleSession({
      sts: new STSClient({ region: 'us-east-1' }),
      roleArn: ROLE,
      sessionName: defaultSessionName(new Date(clock.now())),
      clock,
    });
    await provider();
    clock.advance(10 * MINUTE);
    await provider();
    const names = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName);
    expect(names).toEqual(['kms-report-20261101T000000Z', 'kms-report-20261101T000000Z']);
  });

  it('turns a refusal into an AssumeRoleError naming the role and the code, and tries again next time', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        Object.assign(new Error(`User: arn:aws:sts::111122223333:assumed-role/x is not authorized`), {
          name: 'AccessDenied',
        }),
      )
      .resolves({
        Credentials: {
          AccessKeyId: 'ASIAOK',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(Date.now() + 60 * MINUTE),
        },
      });
    const provider = assumeRoleSession({ sts: new STSClient({ region: 'us-east-1' }), roleArn: ROLE });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect((error as AssumeRoleError).code).toBe('AccessDenied');
    expect((error as AssumeRoleError).message).toContain(ROLE);
    expect((await provider()).accessKeyId).toBe('ASIAOK');
  });
});

// Real HTTP on loopback (a server started per test): quick when idle, but a loaded CI runner must
// not fail it on vitest's default 5 s; nothing here asserts a duration.
describe('an SDK client on an assumed-role session', { timeout: 30_000 }, () => {
  let server: Server;
  const keysSeen: string[] = [];

  beforeEach(async () => {
    sts.reset();
    keysSeen.length = 0;
    // A KMS endpoint that records which access key signed each request.
    server = createServer((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      keysSeen.push(/Credential=([^/]+)\//.exec(auth)?.[1] ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Keys: [], Truncated: false }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    sts.reset();
    await new Promise((r) => server.close(r));
  });

  it('is renewed by the SDK itself when the session nears its expiry during a long run', async () => {
    // Only Date is faked: the SDK's expiry check and ours read it; sockets keep real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.parse('2026-11-01T02:00:00Z');
      vi.setSystemTime(start);
      sts
        .on(AssumeRoleCommand)
        .resolvesOnce({
          Credentials: {
            AccessKeyId: 'ASIAFIRST',
            SecretAccessKey: 's1',
            SessionToken: 't1',
            Expiration: new Date(start + 60 * MINUTE),
          },
        })
        .resolves({
          Credentials: {
            AccessKeyId: 'ASIASECOND',
            SecretAccessKey: 's2',
            SessionToken: 't2',
            Expiration: new Date(start + 116 * MINUTE),
          },
        });
      const credentials = assumeRoleSession({ sts: new STSClient({ region: 'us-east-1' }), roleArn: ROLE });
      const port = (server.address() as AddressInfo).port;
      const kms = new KMSClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, credentials });

      await kms.send(new ListKeysCommand({}));
      vi.setSystemTime(start + 30 * MINUTE);
      await kms.send(new ListKeysCommand({}));
      vi.setSystemTime(start + 56 * MINUTE); // four minutes left: the SDK asks again, we renew
      await kms.send(new ListKeysCommand({}));

      expect(keysSeen).toEqual(['ASIAFIRST', 'ASIAFIRST', 'ASIASECOND']);
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
