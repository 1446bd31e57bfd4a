import { KmsReportError, NetworkError } from '../errors.js';
import { DEADLINE_ERROR_CODE, DeadlinePassed, deadlinePassed } from '../util/deadline.js';
import { endpointOf } from './client-defaults.js';

/**
 * Sorting AWS SDK errors into what the collectors do with them. Error codes come from the
 * service models (KMS `NotFoundException`, `UnsupportedOperationException`, ...) and from
 * the SDK's own credential errors.
 */
export type ErrorKind =
  | 'not-found'
  | 'access-denied'
  | 'unsupported'
  | 'invalid-state'
  | 'throttled'
  | 'credentials'
  | 'region-unavailable'
  | 'unreachable'
  | 'deadline'
  | 'other';

export interface ClassifiedError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
}

const KIND_BY_CODE: Record<string, ErrorKind> = {
  NotFoundException: 'not-found',
  AccessDeniedException: 'access-denied',
  AccessDenied: 'access-denied',
  UnauthorizedOperation: 'access-denied',
  UnsupportedOperationException: 'unsupported',
  KMSInvalidStateException: 'invalid-state',
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  TooManyRequestsException: 'throttled',
  RequestLimitExceeded: 'throttled',
  LimitExceededException: 'throttled',
  ExpiredTokenException: 'credentials',
  ExpiredToken: 'credentials',
  RequestExpired: 'credentials',
  CredentialsProviderError: 'credentials',
  TokenRefreshRequired: 'credentials',
  // A region that is not enabled for the account rejects the (valid) credentials.
  UnrecognizedClientException: 'region-unavailable',
  InvalidClientTokenId: 'region-unavailable',
  AuthFailure: 'region-unavailable',
  OptInRequired: 'region-unavailable',
};

/**
 * Network failures: the endpoint could not be reached, or stopped answering. What each means,
 * for the message (the SDK has already retried them).
 */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (nothing listens at that address and port)',
  ENOTFOUND: 'the host name could not be resolved (DNS)',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  TimeoutError: 'no answer within the timeout (--timeout)',
};

/** The message for a network failure: names the endpoint and what happened, never credentials. */
function unreachable(code: string, error: unknown): ClassifiedError {
  const endpoint = endpointOf(error);
  return {
    kind: 'unreachable',
    code,
    message: `could not reach ${endpoint ?? 'the AWS endpoint'}: ${UNREACHABLE[code]}; check the network, proxy or firewall, and AWS_ENDPOINT_URL if set`,
  };
}

/** Credential messages must never echo secrets; SDK messages do not contain them, but trim anyway. */
function safeMessage(message: unknown): string {
  const text = typeof message === 'string' ? message : '';
  return text.replace(/(AKIA|ASIA)[A-Z0-9]{12,}/g, '[redacted]').slice(0, 500);
}

/**
 * What an error means for a collector. With the run's `deadline` signal: a request cut by it
 * (the SDK's AbortError) or work refused because of it ({@link DeadlinePassed}) is kind
 * `deadline`, "not read: the run's deadline of 30m passed".
 */
export function classifyAwsError(error: unknown, deadline?: AbortSignal): ClassifiedError {
  // Already classified where it happened: said as it was then.
  if (error instanceof AwsFailure) return { kind: error.kind, code: error.code, message: error.detail };
  const passed = deadlinePassed(deadline);
  if (
    passed &&
    (error instanceof DeadlinePassed || (error as { name?: unknown } | null)?.name === 'AbortError')
  )
    return { kind: 'deadline', code: DEADLINE_ERROR_CODE, message: `not read: ${passed.message}` };
  const e = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    Code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const message = safeMessage(e.message);
  // An endpoint that answers with something other than the service's protocol (an HTML error
  // page, an emulator without the API) surfaces as a deserialisation error: name it by status.
  if (e.name === 'SyntaxError' && e.$metadata?.httpStatusCode)
    return {
      kind: 'other',
      code: `UnexpectedResponse(HTTP ${e.$metadata.httpStatusCode})`,
      message: 'the endpoint did not answer in the AWS protocol',
    };
  // The SDK names its own timeouts TimeoutError (a request timeout also has code ETIMEDOUT), and
  // renames Node's ECONNRESET and EPIPE TimeoutError: keep those codes, they say more.
  const timedOut = e.name === 'TimeoutError' && (e.code === undefined || e.code === 'ETIMEDOUT');
  if (timedOut) return unreachable('TimeoutError', error);
  if (typeof e.code === 'string' && e.code in UNREACHABLE) return unreachable(e.code, error);
  const code =
    [e.name, e.Code, e.code].find((c): c is string => typeof c === 'string' && c !== 'Error') ?? 'Error';
  return { kind: KIND_BY_CODE[code] ?? 'other', code, message };
}

/** The error for a call the run cannot do without whose endpoint could not be reached. */
export function networkError(operation: string, e: ClassifiedError, cause: unknown): NetworkError {
  return new NetworkError(`${operation}: ${e.message} (${e.code})`, { cause });
}

/** `Code: detail`, or the code alone when the service said nothing more: how a failure is shown. */
export function codeAndDetail(failure: Pick<ClassifiedError, 'code' | 'message'>): string {
  return failure.message ? `${failure.code}: ${failure.message}` : failure.code;
}

/**
 * An AWS call that failed, classified ({@link classifyAwsError}): the error code and what the
 * service said, as fields, for the code that decides what the failure becomes (a gap, a
 * credentials error). The SDK error is the `cause`; {@link classifyAwsError} of an `AwsFailure`
 * gives back its classification.
 */
export class AwsFailure extends KmsReportError {
  override readonly name: string = 'AwsFailure';
  readonly kind: ErrorKind;
  /** The service's (or the SDK's) error code: `ExpiredTokenException`, `AccessDenied`... */
  readonly code: string;
  /** What the service said (may be empty), never containing credentials. */
  readonly detail: string;
  constructor(failure: ClassifiedError, options?: ErrorOptions, message = codeAndDetail(failure)) {
    super(message, options);
    this.kind = failure.kind;
    this.code = failure.code;
    this.detail = failure.message;
  }
}

/**
 * Thrown out of a region's read (KMS, CloudTrail, CloudWatch, S3) when the credentials
 * themselves are unusable (expired, missing): that is not a gap of one region but a failed
 * account. For the caller's own account the run fails with a `CredentialsError`; in an
 * organisation run the region is a gap of the account.
 */
export class RegionCredentialsFailure extends AwsFailure {
  override readonly name = 'RegionCredentialsFailure';
}
