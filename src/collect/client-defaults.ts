import { InputError } from '../errors.js';

/**
 * How every AWS SDK client kms-report builds is configured: one place, so that no client is
 * made without retries and timeouts. Injected clients (tests, proxies) are used as given.
 */

/**
 * Retry settings: the SDK's standard mode (exponential backoff with jitter; 500 ms base for
 * throttling errors) and enough attempts to ride out a throttled minute. Not `adaptive`: its
 * client-side rate limit is per client, so one throttled API (GetKeyLastUsage at 5/s) would slow
 * every other API of the region; kms-report paces each API to its own quota instead (see
 * kms-limits.ts). A timed-out or refused connection is a transient error the SDK retries too.
 */
export const SDK_RETRY = { retryMode: 'standard', maxAttempts: 8 } as const;

/**
 * How long a TCP connection to an AWS endpoint may take to open. An endpoint that is up answers
 * in milliseconds; one behind a black-holing firewall never does, and without a limit the run
 * would wait for the operating system's (minutes, per attempt).
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * How long one attempt may wait for the answer's headers, and how long an open connection may
 * stay silent while the answer's body arrives. Every API kms-report calls answers in well under a
 * second; 30 s leaves room for a throttled, slow region without letting a silent endpoint hang
 * the job. The body of an S3 log file download is bounded by silence, not by its length, so a
 * large file that keeps arriving is never cut (the same limit serves every client).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Network limits of the clients kms-report builds. */
export interface NetworkOptions {
  /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  readonly connectTimeoutMs?: number;
  /** Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  readonly requestTimeoutMs?: number;
}

/**
 * The SDK client options for {@link NetworkOptions}: `requestHandler` as the options object the
 * SDK's Node.js HTTP handler takes. `requestTimeout` (with `throwOnRequestTimeout`: without it
 * the SDK only logs a warning) bounds the wait for an answer; `socketTimeout` bounds silence
 * while the body arrives. A timeout is a `TimeoutError`, which the SDK retries like any
 * transient error ({@link SDK_RETRY}); after the last attempt the collectors record a gap.
 */
export function networkConfig(network: NetworkOptions = {}) {
  const connectionTimeout = network.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const requestTimeout = network.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    requestHandler: {
      connectionTimeout,
      requestTimeout,
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeout,
    },
  };
}

/** Where a failed request was sent, as {@link describeEndpoint} reads it back. */
const ENDPOINT = Symbol.for('kms-report.endpoint');

/** The part of an SDK client's middleware stack {@link makeClient} uses. */
interface BuildStack {
  add(
    middleware: (
      next: (args: { request?: unknown }) => Promise<unknown>,
    ) => (args: { request?: unknown }) => Promise<unknown>,
    options: { step: 'build'; priority: 'low'; name: string },
  ): void;
}

/**
 * Makes an SDK client with kms-report's defaults: {@link SDK_RETRY}, the timeouts of `network`
 * ({@link networkConfig}), and a note of the endpoint on every error, so a network failure can
 * name the endpoint it could not reach. `config` overrides the defaults.
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 *
 * const kms = makeClient(KMSClient, { region: 'eu-west-1' }, { requestTimeoutMs: 10_000 });
 * ```
 */
export function makeClient<C extends { readonly middlewareStack: object }, Config extends object>(
  Client: new (config: Config) => C,
  config: NoInfer<Config>,
  network?: NetworkOptions,
): C {
  const client = new Client({ ...SDK_RETRY, ...networkConfig(network), ...config });
  (client.middlewareStack as BuildStack).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const r = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
        if (error !== null && typeof error === 'object' && r?.hostname && !(ENDPOINT in error))
          Object.defineProperty(error, ENDPOINT, {
            value: `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`,
            enumerable: false,
          });
        throw error;
      }
    },
    { step: 'build', priority: 'low', name: 'kmsReportNameEndpoint' },
  );
  return client;
}

/** The endpoint a failed request went to, when the client was made by {@link makeClient}. */
export function endpointOf(error: unknown): string | null {
  if (error === null || typeof error !== 'object') return null;
  const noted = (error as { [ENDPOINT]?: unknown })[ENDPOINT];
  if (typeof noted === 'string') return noted;
  // Node's own network errors carry the address or host name they failed on.
  const e = error as { address?: unknown; port?: unknown; hostname?: unknown };
  if (typeof e.address === 'string') return `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`;
  if (typeof e.hostname === 'string') return e.hostname;
  return null;
}

/**
 * Reads `--timeout` (seconds, a number > 0) into {@link NetworkOptions}: the request timeout, and
 * the connect timeout ({@link DEFAULT_CONNECT_TIMEOUT_MS}, or the request timeout when shorter).
 */
export function parseTimeout(input: string, flag = '--timeout'): NetworkOptions {
  const seconds = Number(input.trim());
  if (!/^\d+(\.\d+)?$/.test(input.trim()) || !(seconds > 0) || seconds > 3600)
    throw new InputError(flag, `expected a number of seconds between 0 and 3600, got "${input}"`);
  const ms = Math.round(seconds * 1000);
  return { requestTimeoutMs: ms, connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, ms) };
}
