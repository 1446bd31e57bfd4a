import type { Condition, KeyPolicy, PolicyStatement, Principal } from './parse.js';

/**
 * Questions the POL rules ask of a parsed key policy. Deny statements are not credited:
 * an Allow is judged on its own (principal, actions and its own conditions), so a FAIL can
 * be one a Deny elsewhere neutralises, but a PASS is never given on a guess.
 */

/**
 * Whether an IAM-style pattern (`*` any run, `?` one character) matches the whole of `value`,
 * ignoring case when asked (actions are case-insensitive, ARNs are not).
 *
 * Patterns come from key policies and configuration files, so they are hostile: this is the
 * greedy two-pointer matcher (on a mismatch, go back to the last `*` and let it take one more
 * character), never a regular expression. It takes at most `O(pattern.length × value.length)`
 * steps, whatever the pattern (`*?*?*?…x` included), and keeps no cache.
 *
 * @example
 * ```ts
 * wildcardMatch('kms:ReEncrypt*', 'kms:reencryptfrom', true); // true
 * wildcardMatch('arn:aws:kms:*:111122223333:key/*', keyArn, false);
 * ```
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const STAR = 42; // '*'
  const QUESTION = 63; // '?'
  let pi = 0;
  let vi = 0;
  // The last `*` seen, and the position in `value` it was tried against.
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const c = pi < p.length ? p.charCodeAt(pi) : -1;
    if (c === STAR) {
      star = pi++;
      mark = vi;
    } else if (c !== -1 && (c === QUESTION || c === v.charCodeAt(vi))) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p.charCodeAt(pi) === STAR) pi++;
  return pi === p.length;
}

/** Whether the statement covers this action (`kms:Decrypt`), through Action or NotAction. */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  const hit = statement.actions.some((p) => wildcardMatch(p, action, true));
  return statement.actionMode === 'Action' ? hit : !hit;
}

/**
 * How a statement grants an action, for a reason: the patterns (as the policy writes them) that
 * match it (`kms:Create*` for kms:CreateGrant), or `NotAction` naming what it leaves out; empty
 * when the statement does not grant the action.
 *
 * @example
 * ```ts
 * grantingActions(statement, 'kms:CreateGrant'); // ['kms:Create*']
 * ```
 */
export function grantingActions(statement: PolicyStatement, action: string): string[] {
  if (!coversAction(statement, action)) return [];
  if (statement.actionMode === 'NotAction') return [`NotAction ${statement.writtenActions.join(', ')}`];
  return statement.writtenActions.filter((p) => wildcardMatch(p, action, true));
}

/** The statement grants every KMS action: `kms:*` or `*`, or a NotAction (all but a few). */
export function grantsFullAccess(statement: PolicyStatement): boolean {
  if (statement.actionMode === 'NotAction') return true;
  return statement.actions.some((a) => a === '*' || a === 'kms:*');
}

/** Whether the statement's Resource / NotResource includes the key (`*` in a key policy means "this key"). */
function appliesToKey(statement: PolicyStatement, keyArn: string): boolean {
  if (statement.resourceMode === null) return true;
  const hit = statement.resources.some((r) => r.trim() === '*' || wildcardMatch(r.trim(), keyArn, false));
  return statement.resourceMode === 'Resource' ? hit : !hit;
}

/** Allow statements that apply to the key. */
export function allowStatements(policy: KeyPolicy, keyArn: string): PolicyStatement[] {
  return policy.statements.filter((s) => s.effect === 'Allow' && appliesToKey(s, keyArn));
}

/**
 * The principals a statement really grants to. An Allow with NotPrincipal grants to
 * everyone except those listed: one public principal.
 */
export function grantees(statement: PolicyStatement): readonly Principal[] {
  if (statement.principalMode === 'Principal') return statement.principals;
  const except = statement.principals.map((p) => p.raw).join(', ');
  return [
    {
      type: 'NotPrincipal',
      raw: `everyone except ${except}`,
      public: true,
      account: null,
      root: false,
      id: '*',
    },
  ];
}

/** How a principal is named in reasons. */
export function describePrincipal(p: Principal): string {
  if (p.type === '*') return '"*" (anyone)';
  if (p.type === 'NotPrincipal') return p.raw;
  if (p.public) return `${p.type} "${p.raw}" (anyone)`;
  return p.type === 'AWS' ? p.raw : `${p.type} ${p.raw}`;
}

/** Condition keys that narrow who may call: with a concrete value, a public principal is no longer public. */
export const RESTRICTING_KEYS: ReadonlySet<string> = new Set([
  'kms:calleraccount',
  'kms:viaservice',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
]);

const ACCOUNT_KEYS = new Set([
  'kms:calleraccount',
  'aws:principalaccount',
  'aws:sourceaccount',
  'aws:sourceowner',
]);
const ARN_KEYS = new Set(['aws:sourcearn', 'aws:principalarn']);
const ORG_KEYS = new Set(['aws:principalorgid', 'aws:sourceorgid']);
/** Operators that allow only the listed values (not their complement). */
const MATCHING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
]);

const hasWildcard = (s: string) => s.includes('*') || s.includes('?');

/** The account segment of an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`), or null. */
function arnAccount(arn: string): string | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  return parts[4] ?? null;
}

/** A value that names something specific: not `*`, not empty, no wildcard where the identity sits. */
function concreteValue(key: string, value: string): boolean {
  const v = value.trim();
  if (v === '' || /^[*?]+$/.test(v)) return false;
  if (ARN_KEYS.has(key)) {
    const account = arnAccount(v);
    if (account === null) return false;
    if (account !== '') return !hasWildcard(account);
    // ARNs without an account (S3 buckets): the resource part must be named.
    const resource = v.split(':').slice(5).join(':');
    return resource !== '' && !/^[*?]/.test(resource);
  }
  if (key === 'aws:principalorgpaths' || key === 'aws:sourceorgpaths') return /^o-[a-z0-9]+\//.test(v);
  return !hasWildcard(v);
}

/**
 * Why a condition does not restrict who may use the key, or null when it does: a
 * restricting key, a matching operator, at least one value and every value concrete.
 * `IfExists` does not restrict (the test passes when the key is absent), nor does
 * `ForAllValues` (it passes on an empty set).
 */
export function whyNotRestricting(condition: Condition): string | null {
  const c = condition;
  if (!RESTRICTING_KEYS.has(c.key)) return `${c.rawKey} does not narrow who may call`;
  if (!MATCHING_OPERATORS.has(c.base)) return `${c.operator} does not limit ${c.rawKey} to the listed values`;
  if (c.ifExists) return `${c.operator} also passes when ${c.rawKey} is absent`;
  if (c.qualifier === 'ForAllValues') return `ForAllValues also passes when ${c.rawKey} has no value`;
  if (c.values.length === 0) return `${c.rawKey} lists no value`;
  const loose = c.values.find((v) => !concreteValue(c.key, v));
  if (loose !== undefined) return `${c.rawKey} = "${loose}" matches anyone`;
  return null;
}

/** Whether a condition really restricts who may use the key (see {@link whyNotRestricting}). */
export function restricts(condition: Condition): boolean {
  return whyNotRestricting(condition) === null;
}

/** The statement's conditions that really restrict who may call. */
export function restrictingConditions(statement: PolicyStatement): Condition[] {
  return statement.conditions.filter(restricts);
}

/**
 * Who a public principal is narrowed to by the statement's restricting conditions:
 * the accounts (intersection of every account-fixing condition), or the organizations,
 * or neither (narrowed only by path, e.g. `kms:ViaService`).
 */
export function narrowedAudience(statement: PolicyStatement): {
  accounts: readonly string[] | null;
  organizations: readonly string[] | null;
} {
  const accountSets: Set<string>[] = [];
  const orgSets: Set<string>[] = [];
  for (const c of restrictingConditions(statement)) {
    const values = c.values.map((v) => v.trim());
    if (ACCOUNT_KEYS.has(c.key)) accountSets.push(new Set(values));
    else if (ARN_KEYS.has(c.key)) {
      const list = values.map((v) => arnAccount(v) ?? '');
      // S3-style ARNs carry no account: such a condition does not name accounts.
      if (list.every((a) => a !== '')) accountSets.push(new Set(list));
    } else if (ORG_KEYS.has(c.key)) orgSets.push(new Set(values));
  }
  const intersect = (sets: Set<string>[]): string[] | null => {
    const [first, ...rest] = sets;
    if (!first) return null;
    return [...first].filter((v) => rest.every((s) => s.has(v))).sort();
  };
  return { accounts: intersect(accountSets), organizations: intersect(orgSets) };
}

/**
 * Whether the statement carries `kms:GrantIsForAWSResource = true` as a real restriction
 * (Bool or StringEquals, not `IfExists`, every value `true`).
 */
export function requiresGrantForAwsResource(statement: PolicyStatement): boolean {
  return statement.conditions.some(
    (c) =>
      c.key === 'kms:grantisforawsresource' &&
      ['bool', 'stringequals', 'stringequalsignorecase'].includes(c.base) &&
      !c.ifExists &&
      c.qualifier !== 'ForAllValues' &&
      c.values.length > 0 &&
      c.values.every((v) => v.trim().toLowerCase() === 'true'),
  );
}

/** Administrative actions (catalogue: PutKeyPolicy, ScheduleKeyDeletion, Delete*, Disable*, Create*, Update*). */
export const ADMIN_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:DeleteAlias',
  'kms:DeleteCustomKeyStore',
  'kms:DeleteImportedKeyMaterial',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:CreateAlias',
  'kms:CreateCustomKeyStore',
  'kms:CreateKey',
  'kms:UpdateAlias',
  'kms:UpdateCustomKeyStore',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
] as const;
// kms:CreateGrant is deliberately absent: AWS's default policy gives it to key users
// ("Allow attachment of persistent resources"); KMS-POL-05 judges it.

/** Cryptographic use of the key. */
export const CRYPTO_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:Sign',
  'kms:GenerateMac',
  'kms:DeriveSharedSecret',
] as const;

/** Whether a principal is the root of the key's own account (the AWS default delegation to IAM). */
export function isOwnRoot(principal: Principal, keyAccount: string): boolean {
  return principal.root && principal.account === keyAccount;
}

/** Lists at most `max` items and says how many more there are. */
export function listSome(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}
