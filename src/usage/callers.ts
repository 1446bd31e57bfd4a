import type { CallerType } from '../model/usage.js';

/**
 * Who made a KMS request, read from a CloudTrail record's `userIdentity`, normalised so that one
 * principal is one caller (see {@link CallerType}), and, for calls S3 made, which bucket. Every
 * field is hostile text: lengths are bounded, nothing is matched with a regular expression, and
 * what does not read as expected becomes `unknown` rather than a guess.
 */

/** The caller part of a {@link CallerRequestCount}: who called, from which account, through which service. */
export interface CallerIdentity {
  /** The normalised principal: a role or user ARN, `arn:<partition>:iam::<account>:root`, a service principal, a provider. */
  readonly caller: string;
  readonly callerType: CallerType;
  /** The caller's account (`userIdentity.accountId`); null for services and anonymous callers. */
  readonly callerAccount: string | null;
  /** The AWS service that called with the principal's credentials (`userIdentity.invokedBy`); else null. */
  readonly invokedBy: string | null;
}

/** The S3 part of a {@link CallerRequestCount}: the bucket and whether its context was the bucket's (a Bucket Key). */
export interface S3CallContext {
  readonly bucketArn: string | null;
  readonly s3ContextScope: 'bucket' | 'object' | null;
}

/** What a caller is named when the record says nothing usable about who called. */
export const UNKNOWN_CALLER = '(unknown)';
/** What an unauthenticated caller is named. */
export const ANONYMOUS_CALLER = '(anonymous)';
/** S3's service principal: calls it makes (for a principal, or as itself) carry the bucket in `aws:s3:arn`. */
export const S3_SERVICE_PRINCIPAL = 's3.amazonaws.com';

/** The longest ARN IAM accepts (2,048): a longer text is not a principal. */
const MAX_ARN_LENGTH = 2048;
/** The longest service principal or provider name kept (real ones are under 100 characters). */
const MAX_NAME_LENGTH = 256;
/** The longest principal id kept (`AROA…:session`: 128 + 64 in practice). */
const MAX_PRINCIPAL_ID_LENGTH = 256;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `v` when it is a non-empty string of at most `max` characters with no control character; else
 * null. (A linear scan, no regular expression.)
 */
function bounded(v: unknown, max: number): string | null {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return null;
  }
  return v;
}

/** Whether `s` is an AWS account id: 12 ASCII digits. */
function isAccountId(s: string): boolean {
  if (s.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The parts of `arn:<partition>:<service>:<region>:<account>:<resource>`, or null (split by hand, bounded). */
function arnParts(
  arn: string,
): { partition: string; service: string; account: string; resource: string } | null {
  if (!arn.startsWith('arn:')) return null;
  const cuts: number[] = [];
  let from = 4;
  for (let k = 0; k < 4; k++) {
    const at = arn.indexOf(':', from);
    if (at < 0) return null;
    cuts.push(at);
    from = at + 1;
  }
  const [p, s, r, a] = cuts as [number, number, number, number];
  const partition = arn.slice(4, p);
  if (partition === '' || !partition.startsWith('aws')) return null;
  return {
    partition,
    service: arn.slice(p + 1, s),
    account: arn.slice(r + 1, a),
    resource: arn.slice(a + 1),
  };
}

/** Whether `s` is an IAM name (role, user, path segment): 1 to 128 of `A-Za-z0-9+=,.@_-`. */
function isIamName(s: string): boolean {
  if (s.length === 0 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 43 || // +
      c === 61 || // =
      c === 44 || // ,
      c === 46 || // .
      c === 64 || // @
      c === 95 || // _
      c === 45; // -
    if (!ok) return false;
  }
  return true;
}

/**
 * An IAM ARN of the given resource kind (`role/`, `user/`, `root`) when `arn` is one, else null:
 * `arn:<partition>:iam::<12 digits>:role/<path/>Name`.
 */
function iamArn(arn: string | null, kind: 'role/' | 'user/'): string | null {
  if (arn === null) return null;
  const parts = arnParts(arn);
  if (parts?.service !== 'iam' || !isAccountId(parts.account)) return null;
  if (!parts.resource.startsWith(kind)) return null;
  const segments = parts.resource.slice(kind.length).split('/');
  return segments.length <= 64 && segments.every(isIamName) ? arn : null;
}

/**
 * The role of an assumed-role session ARN, `arn:<p>:sts::<account>:assumed-role/<Name>/<session>`
 * → `arn:<p>:iam::<account>:role/<Name>` (the session ARN does not carry the role's path).
 */
function roleOfSession(arn: string | null): string | null {
  if (arn === null) return null;
  const parts = arnParts(arn);
  if (parts?.service !== 'sts' || !isAccountId(parts.account)) return null;
  if (!parts.resource.startsWith('assumed-role/')) return null;
  const rest = parts.resource.slice('assumed-role/'.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  return isIamName(name) ? `arn:${parts.partition}:iam::${parts.account}:role/${name}` : null;
}

/** The partition of an ARN the identity carries (`aws` when it carries none). */
function partitionOf(identity: Json): string {
  const arn = bounded(identity.arn, MAX_ARN_LENGTH);
  return (arn && arnParts(arn)?.partition) || 'aws';
}

const caller = (
  name: string,
  callerType: CallerType,
  callerAccount: string | null,
  invokedBy: string | null,
): CallerIdentity => ({ caller: name, callerType, callerAccount, invokedBy });

/**
 * Texts read so far (role ARNs by the session issuer's ARN as the record wrote it, bucket ARNs,
 * service principals), each kept as one string: a month of records names the same few hundred
 * roles and buckets millions of times. Checking a role ARN once per distinct text, and handing the
 * counter the same string each time (compared by identity, not character by character), was
 * most of the cost of counting callers. Bounded: cleared when full.
 */
const INTERNED_SIZE = 8192;

/** A bounded table of texts, each mapped to the one string kept for it. */
class Interned {
  private readonly map = new Map<string, string>();
  get(text: string): string | undefined {
    return this.map.get(text);
  }
  keep(text: string, as: string = text): string {
    if (this.map.size >= INTERNED_SIZE) this.map.clear();
    this.map.set(text, as);
    return as;
  }
  /** The string kept for `text`, `text` itself the first time. */
  of(text: string): string {
    return this.map.get(text) ?? this.keep(text);
  }
}

/** Role ARNs by the session issuer's ARN (only ARNs that were checked are kept). */
const roles = new Interned();
const buckets = new Interned();
const services = new Interned();

/** The session issuer's ARN when it is a role ARN (checked once per distinct text). */
function issuerRole(issuer: Json | null): string | null {
  if (issuer === null || typeof issuer.arn !== 'string') return null;
  const known = roles.get(issuer.arn);
  if (known !== undefined) return known;
  const role = iamArn(bounded(issuer.arn, MAX_ARN_LENGTH), 'role/');
  return role === null ? null : roles.keep(role);
}

/** An assumed-role session (or a `Role` identity): its role. */
function roleCaller(identity: Json, account: string | null, invokedBy: string | null): CallerIdentity {
  const context = isObject(identity.sessionContext) ? identity.sessionContext : null;
  const issuer = context && isObject(context.sessionIssuer) ? context.sessionIssuer : null;
  const fromIssuer = issuerRole(issuer);
  if (fromIssuer !== null && account !== null) return caller(fromIssuer, 'role', account, invokedBy);
  const arn = bounded(identity.arn, MAX_ARN_LENGTH);
  const role = fromIssuer ?? roleOfSession(arn) ?? iamArn(arn, 'role/');
  if (role === null) return unknownCaller(identity, account, invokedBy);
  return caller(role, 'role', account ?? arnParts(role)?.account ?? null, invokedBy);
}

/** A `FederatedUser` (GetFederationToken): the IAM user that federates; a web identity or SAML user: its provider. */
function federatedCaller(identity: Json, account: string | null, invokedBy: string | null): CallerIdentity {
  const context = isObject(identity.sessionContext) ? identity.sessionContext : null;
  const issuer = context && isObject(context.sessionIssuer) ? context.sessionIssuer : null;
  const issuerArn = issuer ? bounded(issuer.arn, MAX_ARN_LENGTH) : null;
  const principal =
    iamArn(issuerArn, 'user/') ??
    iamArn(issuerArn, 'role/') ??
    bounded(identity.identityProvider, MAX_ARN_LENGTH) ??
    bounded(identity.arn, MAX_ARN_LENGTH);
  if (principal === null) return unknownCaller(identity, account, invokedBy);
  return caller(principal, 'federated', account, invokedBy);
}

/**
 * A cross-account principal CloudTrail names by its id only (`AWSAccount`): the id without its
 * session part (`AROA…:session` → `AROA…`), typed by its prefix (AROA a role, AIDA a user).
 */
function accountPrincipalCaller(
  identity: Json,
  account: string | null,
  invokedBy: string | null,
): CallerIdentity {
  const id = bounded(identity.principalId, MAX_PRINCIPAL_ID_LENGTH);
  if (id === null) return unknownCaller(identity, account, invokedBy);
  const colon = id.indexOf(':');
  const principal = colon < 0 ? id : id.slice(0, colon);
  if (account !== null && principal === account)
    return caller(`arn:aws:iam::${account}:root`, 'root', account, invokedBy);
  const type: CallerType = principal.startsWith('AROA')
    ? 'role'
    : principal.startsWith('AIDA')
      ? 'user'
      : 'unknown';
  return caller(principal === '' ? UNKNOWN_CALLER : principal, type, account, invokedBy);
}

/** What cannot be read: the identity's ARN when it has a usable one, else {@link UNKNOWN_CALLER}. */
function unknownCaller(identity: Json, account: string | null, invokedBy: string | null): CallerIdentity {
  const arn = bounded(identity.arn, MAX_ARN_LENGTH);
  return caller(arn?.startsWith('arn:') ? arn : UNKNOWN_CALLER, 'unknown', account, invokedBy);
}

/**
 * Who made the request a CloudTrail record describes, from its `userIdentity`:
 *
 * - `AssumedRole` (and `Role`): the role, from `sessionContext.sessionIssuer.arn`, else derived
 *   from the session ARN, so each session is not its own caller;
 * - `IAMUser`: the user's ARN; `Root`: `arn:<partition>:iam::<account>:root`;
 * - `FederatedUser`: the IAM user that federates (`sessionIssuer`); `WebIdentityUser`,
 *   `SAMLUser`: the identity provider; all typed `federated`;
 * - `AWSService`: the service principal (`invokedBy`), no account;
 * - `AWSAccount` (a caller in another account named by its principal id only): that id without
 *   its session part; `accountId: "anonymous"` or `type: "Anonymous"`: {@link ANONYMOUS_CALLER};
 * - anything else, or a field that does not read: `unknown`.
 *
 * `invokedBy` is the service that called with the principal's credentials (null for a service
 * calling as itself, which is then the caller).
 *
 * @example
 * ```ts
 * callerOf({
 *   type: 'AssumedRole',
 *   accountId: '111122223333',
 *   arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc',
 *   invokedBy: 's3.amazonaws.com',
 * });
 * // { caller: 'arn:aws:iam::111122223333:role/app', callerType: 'role',
 * //   callerAccount: '111122223333', invokedBy: 's3.amazonaws.com' }
 * ```
 */
export function callerOf(userIdentity: unknown): CallerIdentity {
  if (!isObject(userIdentity)) return caller(UNKNOWN_CALLER, 'unknown', null, null);
  const id = userIdentity;
  const type = typeof id.type === 'string' ? id.type : null;
  const accountText = bounded(id.accountId, 64);
  const service = bounded(id.invokedBy, MAX_NAME_LENGTH);
  const invokedBy = service === null ? null : services.of(service);
  if (type === 'Anonymous' || accountText === 'anonymous')
    return caller(ANONYMOUS_CALLER, 'anonymous', null, invokedBy);
  const account = accountText !== null && isAccountId(accountText) ? accountText : null;
  switch (type) {
    case 'AssumedRole':
    case 'Role':
      return roleCaller(id, account, invokedBy);
    case 'IAMUser': {
      const arn = iamArn(bounded(id.arn, MAX_ARN_LENGTH), 'user/');
      const name = bounded(id.userName, 128);
      const user =
        arn ??
        (account && name && isIamName(name) ? `arn:${partitionOf(id)}:iam::${account}:user/${name}` : null);
      return user ? caller(user, 'user', account, invokedBy) : unknownCaller(id, account, invokedBy);
    }
    case 'Root': {
      const owner = account ?? arnParts(bounded(id.arn, MAX_ARN_LENGTH) ?? '')?.account ?? null;
      return owner && isAccountId(owner)
        ? caller(`arn:${partitionOf(id)}:iam::${owner}:root`, 'root', owner, invokedBy)
        : unknownCaller(id, account, invokedBy);
    }
    case 'FederatedUser':
    case 'WebIdentityUser':
    case 'SAMLUser':
      return federatedCaller(id, account, invokedBy);
    case 'AWSService':
      return invokedBy
        ? caller(invokedBy, 'service', null, null)
        : caller(UNKNOWN_CALLER, 'unknown', null, null);
    case 'AWSAccount':
      return accountPrincipalCaller(id, account, invokedBy);
    default:
      return unknownCaller(id, account, invokedBy);
  }
}

/** The longest `aws:s3:arn` read: a bucket ARN (63-character name) and an object key (1,024 bytes). */
const MAX_S3_ARN_LENGTH = 1200;
const NO_S3: S3CallContext = Object.freeze({ bucketArn: null, s3ContextScope: null });

/**
 * The bucket of a call S3 made, from the encryption context it sent (`aws:s3:arn`): the bucket's
 * ARN when S3 used a Bucket Key (scope `bucket`: one data key per bucket, reused), an object's
 * ARN without one (scope `object`: one request per object), whose part after the first `/` is
 * removed. Both are nulls when the context has no S3 ARN or it does not read as one.
 *
 * @example
 * ```ts
 * s3ContextOf({ encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::logs/2026/10/a.gz' } });
 * // { bucketArn: 'arn:aws:s3:::logs', s3ContextScope: 'object' }
 * ```
 */
export function s3ContextOf(requestParameters: unknown): S3CallContext {
  if (!isObject(requestParameters)) return NO_S3;
  const context = requestParameters.encryptionContext;
  if (!isObject(context)) return NO_S3;
  const arn = bounded(context['aws:s3:arn'], MAX_S3_ARN_LENGTH);
  // `arn:<partition>:s3:::<bucket>[/<key>]`, read by hand: this runs for every call S3 makes.
  if (arn === null || !arn.startsWith('arn:aws')) return NO_S3;
  const service = arn.indexOf(':', 4);
  if (service < 0 || !arn.startsWith(':s3:::', service)) return NO_S3;
  const start = service + ':s3:::'.length;
  const slash = arn.indexOf('/', start);
  const end = slash < 0 ? arn.length : slash;
  if (!isBucketName(arn, start, end)) return NO_S3;
  return slash < 0
    ? { bucketArn: buckets.of(arn), s3ContextScope: 'bucket' }
    : { bucketArn: buckets.of(arn.slice(0, slash)), s3ContextScope: 'object' };
}

/** Whether `s` from `start` to `end` is an S3 bucket name: 3 to 63 of lower-case letters, digits, `.` and `-`. */
function isBucketName(s: string, start: number, end: number): boolean {
  if (end - start < 3 || end - start > 63) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45)) return false;
  }
  return true;
}

/**
 * The S3 context of a call S3 made, with the principal's credentials (`invokedBy`) or as itself;
 * nothing for other callers (whose `aws:s3:arn`, if any, was not written by S3).
 */
export function s3ContextOfCall(identity: CallerIdentity, requestParameters: unknown): S3CallContext {
  const byS3 =
    identity.invokedBy === S3_SERVICE_PRINCIPAL ||
    (identity.callerType === 'service' && identity.caller === S3_SERVICE_PRINCIPAL);
  return byS3 ? s3ContextOf(requestParameters) : NO_S3;
}
