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

/** Network failures that mean the regional endpoint could not be reached at all. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);

/** Credential messages must never echo secrets; SDK messages do not contain them, but trim anyway. */
function safeMessage(message: unknown): string {
  const text = typeof message === 'string' ? message : '';
  return text.replace(/(AKIA|ASIA)[A-Z0-9]{12,}/g, '[redacted]').slice(0, 500);
}

export function classifyAwsError(error: unknown): ClassifiedError {
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
  if (UNREACHABLE.has(String(e.code))) return { kind: 'region-unavailable', code: String(e.code), message };
  const code =
    [e.name, e.Code, e.code].find((c): c is string => typeof c === 'string' && c !== 'Error') ?? 'Error';
  return { kind: KIND_BY_CODE[code] ?? 'other', code, message };
}
