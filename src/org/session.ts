import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsFailure, type ClassifiedError, classifyAwsError } from '../collect/aws-errors.js';
import { type Clock, systemClock } from '../util/clock.js';

/**
 * Temporary credentials in the shape the AWS SDK's `credentials` option takes. They live only
 * in memory: kms-report never writes or logs them.
 */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When they stop working; the SDK asks its provider again before that. */
  readonly expiration?: Date;
}

/** A function the SDK calls for credentials, and again when they near their `expiration`. */
export type SessionCredentialsProvider = () => Promise<SessionCredentials>;

/**
 * A role could not be assumed: the classified AWS error ({@link AwsFailure}: `code`, `detail`)
 * and the role. The SDK error is the `cause`.
 */
export class AssumeRoleError extends AwsFailure {
  override readonly name = 'AssumeRoleError';
  constructor(
    readonly roleArn: string,
    failure: ClassifiedError,
    options?: ErrorOptions,
  ) {
    super(
      failure,
      options,
      `could not assume ${roleArn} (sts:AssumeRole: ${failure.code}${failure.message ? `, ${failure.message}` : ''})`,
    );
  }
}

/** Session length asked of STS: one hour, the most a role chained from another session may have. */
export const DEFAULT_SESSION_SECONDS = 3600;

/**
 * How long before expiry a session is renewed. Above the SDK's own five-minute margin, so the
 * SDK never holds credentials it already considers expired.
 */
export const SESSION_REFRESH_MARGIN_MS = 10 * 60 * 1000;

/** `kms-report-20261101T020500Z`: the session name CloudTrail shows for every call of the run. */
export function defaultSessionName(now: Date): string {
  return `kms-report-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export interface AssumeRoleSessionOptions {
  /** STS of the caller (the management account or a delegated administrator). */
  readonly sts: STSClient;
  readonly roleArn: string;
  readonly externalId?: string;
  /** Default {@link defaultSessionName} of the first call's time. */
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly refreshMarginMs?: number;
  readonly clock?: Clock;
}

/**
 * A credential provider for one role: the first call assumes it (sts:AssumeRole), later calls
 * return the same session until it is within {@link SESSION_REFRESH_MARGIN_MS} of its expiry,
 * then assume the role again. Concurrent callers share one AssumeRole request. Give it to every
 * SDK client of the account: one session serves them all, and a run longer than the session
 * renews it without a gap.
 *
 * A refusal throws {@link AssumeRoleError} (never containing credentials).
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { STSClient } from '@aws-sdk/client-sts';
 *
 * const credentials = assumeRoleSession({
 *   sts: new STSClient({ region: 'us-east-1' }),
 *   roleArn: 'arn:aws:iam::444455556666:role/KmsReportReader',
 * });
 * const kms = new KMSClient({ region: 'eu-west-1', credentials });
 * ```
 */
export function assumeRoleSession(options: AssumeRoleSessionOptions): SessionCredentialsProvider {
  const clock = options.clock ?? systemClock;
  const margin = options.refreshMarginMs ?? SESSION_REFRESH_MARGIN_MS;
  let current: SessionCredentials | null = null;
  let pending: Promise<SessionCredentials> | null = null;

  const assume = async (): Promise<SessionCredentials> => {
    try {
      const r = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? defaultSessionName(new Date(clock.now())),
          DurationSeconds: options.durationSeconds ?? DEFAULT_SESSION_SECONDS,
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        }),
      );
      const c = r.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw Object.assign(new Error('AssumeRole returned no credentials'), { name: 'EmptyResponse' });
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        // Without an expiry from STS, assume the duration asked for.
        expiration:
          c.Expiration ?? new Date(clock.now() + (options.durationSeconds ?? DEFAULT_SESSION_SECONDS) * 1000),
      };
    } catch (error) {
      throw new AssumeRoleError(options.roleArn, classifyAwsError(error), { cause: error });
    }
  };

  return async () => {
    const fresh =
      current !== null &&
      (current.expiration === undefined || current.expiration.getTime() - clock.now() > margin);
    if (fresh && current) return current;
    if (!pending)
      pending = assume().then(
        (c) => {
          current = c;
          pending = null;
          return c;
        },
        (error: unknown) => {
          pending = null;
          throw error;
        },
      );
    return pending;
  };
}
