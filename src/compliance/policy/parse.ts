/**
 * Reads a key policy into one normalised form the POL rules share. The policy is
 * untrusted text: it is only ever given to `JSON.parse`, never evaluated.
 */

import { isAccountId } from '../../model/account-id.js';

/** Who a statement names. `id` groups the same principal written two ways (`111122223333` and its root ARN). */
export interface Principal {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`. */
  readonly type: string;
  /** As written in the policy. */
  readonly raw: string;
  /** Anyone: `*`, `{"AWS": "*"}`, an ARN whose account is a wildcard, or the complement of a NotPrincipal. */
  readonly public: boolean;
  /** The 12-digit account the principal belongs to, when the text says so. */
  readonly account: string | null;
  /** An account's root (`111122223333` or `arn:aws:iam::111122223333:root`). */
  readonly root: boolean;
  readonly id: string;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** One condition key test, e.g. `StringEquals kms:CallerAccount = ["111122223333"]`. */
export interface Condition {
  /** The operator as written (`ForAnyValue:StringLikeIfExists`). */
  readonly operator: string;
  /** The operator without qualifier and `IfExists`, lower case (`stringlike`). */
  readonly base: string;
  readonly qualifier: SetQualifier | null;
  readonly ifExists: boolean;
  /** The condition key as written. */
  readonly rawKey: string;
  /** The condition key in lower case (`kms:calleraccount`). */
  readonly key: string;
  /** The values as strings (booleans and numbers converted). */
  readonly values: readonly string[];
}

export interface PolicyStatement {
  /** 1-based position in the policy. */
  readonly index: number;
  readonly sid: string | null;
  /** `statement 2 ("Allow use of the key")`: how reasons name the statement. */
  readonly label: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principalMode: 'Principal' | 'NotPrincipal';
  readonly principals: readonly Principal[];
  readonly actionMode: 'Action' | 'NotAction';
  /** Action patterns in lower case (`kms:reencrypt*`). */
  readonly actions: readonly string[];
  /** The same patterns as the policy writes them (`kms:ReEncrypt*`), in the same order: how reasons name them. */
  readonly writtenActions: readonly string[];
  readonly resourceMode: 'Resource' | 'NotResource' | null;
  readonly resources: readonly string[];
  readonly conditions: readonly Condition[];
}

export interface KeyPolicy {
  readonly version: string | null;
  readonly statements: readonly PolicyStatement[];
}

/** A policy read for the POL rules: either analysable, or unreadable with the reason. */
export type PolicyReading =
  | { readonly status: 'read'; readonly policy: KeyPolicy }
  | { readonly status: 'unreadable'; readonly reason: string };

/**
 * Bounds on the work one key policy can cost. AWS caps a key policy at 32 KB, but the policy
 * reaches the rules through a snapshot file, which anyone can write: a policy over a bound is
 * not analysed (its POL findings are UNKNOWN, never PASS) and the reason names the bound.
 */
/** Characters of policy text analysed: four times AWS's 32 KB quota on a key policy. */
export const MAX_POLICY_TEXT_LENGTH = 131_072;
/** Statements in one policy (a minimal statement is about 50 characters: 32 KB hold about 650). */
export const MAX_POLICY_STATEMENTS = 1_000;
/** Values in one element: principals of one type, actions, resources, values of one condition key. */
export const MAX_POLICY_ELEMENT_VALUES = 1_000;
/** Characters of one Action or Resource pattern: IAM's longest ARN is 2,048 characters. */
export const MAX_POLICY_PATTERN_LENGTH = 2_048;

class PolicyShapeError extends Error {
  override readonly name = 'PolicyShapeError';
}

/** The policy is well formed, perhaps, but larger than kms-report analyses (see the bounds above). */
class PolicyBoundError extends Error {
  override readonly name = 'PolicyBoundError';
}

const count = (n: number) => n.toLocaleString('en-US');

const PRINCIPAL_ARN = /^arn:([^:]*):(iam|sts)::([^:]*):(.*)$/;
const hasWildcard = (s: string) => s.includes('*') || s.includes('?');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one field of `record` whose name matches `name` case-insensitively. */
function field(record: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function boundedList(value: unknown, what: string): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_POLICY_ELEMENT_VALUES)
    throw new PolicyBoundError(
      `${what} lists ${count(list.length)} values, more than the ${count(MAX_POLICY_ELEMENT_VALUES)} kms-report analyses`,
    );
  return list;
}

function stringList(value: unknown, what: string): string[] {
  const list = boundedList(value, what);
  if (list.length === 0) throw new PolicyShapeError(`${what} is an empty list`);
  return list.map((v) => {
    if (typeof v !== 'string') throw new PolicyShapeError(`${what} holds a non-string value`);
    return v;
  });
}

function awsPrincipal(raw: string): Principal {
  const value = raw.trim();
  if (value === '*') return { type: 'AWS', raw, public: true, account: null, root: false, id: '*' };
  if (isAccountId(value))
    return { type: 'AWS', raw, public: false, account: value, root: true, id: `${value}:root` };
  const arn = PRINCIPAL_ARN.exec(value);
  if (arn) {
    const account = arn[3] ?? '';
    const resource = arn[4] ?? '';
    if (hasWildcard(account) || account === '')
      return { type: 'AWS', raw, public: true, account: null, root: false, id: '*' };
    if (resource === 'root')
      return { type: 'AWS', raw, public: false, account, root: true, id: `${account}:root` };
    return { type: 'AWS', raw, public: false, account, root: false, id: value };
  }
  // A unique id (AROA..., AIDA...) left behind by a deleted role or user, or something unrecognised.
  return { type: 'AWS', raw, public: false, account: null, root: false, id: value };
}

function otherPrincipal(type: string, raw: string): Principal {
  const value = raw.trim();
  if (value === '*') return { type, raw, public: true, account: null, root: false, id: '*' };
  const arn = PRINCIPAL_ARN.exec(value);
  const account = arn?.[3] && isAccountId(arn[3]) ? arn[3] : null;
  return { type, raw, public: false, account, root: false, id: `${type}:${value}` };
}

function principals(value: unknown, what: string): Principal[] {
  if (typeof value === 'string') {
    if (value.trim() !== '*') throw new PolicyShapeError(`${what} is a string other than "*"`);
    return [{ type: '*', raw: value, public: true, account: null, root: false, id: '*' }];
  }
  if (!isRecord(value)) throw new PolicyShapeError(`${what} is neither "*" nor an object`);
  const out: Principal[] = [];
  for (const [type, entries] of Object.entries(value)) {
    const canonical = ['AWS', 'Service', 'Federated', 'CanonicalUser'].find(
      (t) => t.toLowerCase() === type.toLowerCase(),
    );
    for (const raw of stringList(entries, `${what}.${type}`))
      out.push(canonical === 'AWS' ? awsPrincipal(raw) : otherPrincipal(canonical ?? type, raw));
  }
  if (out.length === 0) throw new PolicyShapeError(`${what} names no principal`);
  return out;
}

function conditions(value: unknown, what: string): Condition[] {
  if (value === undefined) return [];
  if (!isRecord(value)) throw new PolicyShapeError(`${what} is not an object`);
  const out: Condition[] = [];
  for (const [operator, tests] of Object.entries(value)) {
    if (!isRecord(tests)) throw new PolicyShapeError(`${what}.${operator} is not an object`);
    let rest = operator;
    let qualifier: SetQualifier | null = null;
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      const prefix = rest.slice(0, colon).toLowerCase();
      qualifier =
        prefix === 'foranyvalue' ? 'ForAnyValue' : prefix === 'forallvalues' ? 'ForAllValues' : null;
      if (!qualifier) throw new PolicyShapeError(`${what} has an unknown operator prefix in "${operator}"`);
      rest = rest.slice(colon + 1);
    }
    const ifExists = /ifexists$/i.test(rest);
    const base = (ifExists ? rest.slice(0, -'IfExists'.length) : rest).toLowerCase();
    for (const [rawKey, rawValues] of Object.entries(tests)) {
      const list = boundedList(rawValues, `${what}.${operator}.${rawKey}`);
      const values = list.map((v) => {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
        throw new PolicyShapeError(`${what}.${operator}.${rawKey} holds a value that is not a string`);
      });
      out.push({ operator, base, qualifier, ifExists, rawKey, key: rawKey.toLowerCase(), values });
    }
  }
  return out;
}

function oneOf<A extends string, B extends string>(
  record: Record<string, unknown>,
  a: A,
  b: B,
  what: string,
  required: boolean,
): { mode: A | B; value: unknown } | null {
  const va = field(record, a);
  const vb = field(record, b);
  if (va !== undefined && vb !== undefined) throw new PolicyShapeError(`${what} has both ${a} and ${b}`);
  if (va !== undefined) return { mode: a, value: va };
  if (vb !== undefined) return { mode: b, value: vb };
  if (required) throw new PolicyShapeError(`${what} has neither ${a} nor ${b}`);
  return null;
}

/** Action or Resource patterns, each short enough to match against. */
function patterns(value: unknown, what: string): string[] {
  const list = stringList(value, what);
  const long = list.find((p) => p.length > MAX_POLICY_PATTERN_LENGTH);
  if (long !== undefined)
    throw new PolicyBoundError(
      `${what} holds a pattern of ${count(long.length)} characters, more than the ${count(MAX_POLICY_PATTERN_LENGTH)} kms-report analyses`,
    );
  return list;
}

function statement(raw: unknown, index: number): PolicyStatement {
  const what = `statement ${index}`;
  if (!isRecord(raw)) throw new PolicyShapeError(`${what} is not an object`);
  const sidValue = field(raw, 'Sid');
  const sid = typeof sidValue === 'string' && sidValue !== '' ? sidValue : null;
  const label = sid ? `${what} ("${sid}")` : what;
  const effectValue = field(raw, 'Effect');
  const effect =
    typeof effectValue === 'string' && ['allow', 'deny'].includes(effectValue.toLowerCase())
      ? effectValue.toLowerCase() === 'allow'
        ? 'Allow'
        : 'Deny'
      : null;
  if (!effect) throw new PolicyShapeError(`${label} has no Effect of Allow or Deny`);
  const who = oneOf(raw, 'Principal', 'NotPrincipal', label, true);
  const act = oneOf(raw, 'Action', 'NotAction', label, true);
  const res = oneOf(raw, 'Resource', 'NotResource', label, false);
  if (!who || !act) throw new PolicyShapeError(`${label} is incomplete`);
  return {
    index,
    sid,
    label,
    effect,
    principalMode: who.mode,
    principals: principals(who.value, `${label} ${who.mode}`),
    actionMode: act.mode,
    ...actionsOf(patterns(act.value, `${label} ${act.mode}`)),
    resourceMode: res?.mode ?? null,
    resources: res ? patterns(res.value, `${label} ${res.mode}`) : [],
    conditions: conditions(field(raw, 'Condition'), `${label} Condition`),
  };
}

/** A statement's action patterns, lower-cased for matching and as written for reasons. */
function actionsOf(written: readonly string[]): { actions: string[]; writtenActions: string[] } {
  const trimmed = written.map((a) => a.trim());
  return { actions: trimmed.map((a) => a.toLowerCase()), writtenActions: trimmed };
}

/**
 * Parses a key policy document. Never throws: a policy that is not JSON, whose shape is not a
 * policy, or that is larger than kms-report analyses ({@link MAX_POLICY_TEXT_LENGTH} and the
 * other bounds) comes back `unreadable` with a reason a person can act on.
 *
 * @example
 * ```ts
 * const reading = parseKeyPolicy('{"Version":"2012-10-17","Statement":[...]}');
 * if (reading.status === 'read') console.log(reading.policy.statements.length);
 * ```
 */
export function parseKeyPolicy(text: string): PolicyReading {
  const tooLarge = (why: string): PolicyReading => ({
    status: 'unreadable',
    reason: `the key policy could not be analysed: ${why}`,
  });
  if (text.length > MAX_POLICY_TEXT_LENGTH)
    return tooLarge(
      `it is ${count(text.length)} characters long, more than the ${count(MAX_POLICY_TEXT_LENGTH)} kms-report analyses (AWS allows 32 KB)`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { status: 'unreadable', reason: `the key policy is not valid JSON (${(error as Error).message})` };
  }
  try {
    if (!isRecord(data)) throw new PolicyShapeError('the document is not a JSON object');
    const version = field(data, 'Version');
    const raw = field(data, 'Statement');
    if (raw === undefined) throw new PolicyShapeError('the document has no Statement');
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length > MAX_POLICY_STATEMENTS)
      throw new PolicyBoundError(
        `it has ${count(list.length)} statements, more than the ${count(MAX_POLICY_STATEMENTS)} kms-report analyses`,
      );
    return {
      status: 'read',
      policy: {
        version: typeof version === 'string' ? version : null,
        statements: list.map((s, i) => statement(s, i + 1)),
      },
    };
  } catch (error) {
    if (error instanceof PolicyShapeError)
      return { status: 'unreadable', reason: `the key policy is not a valid policy: ${error.message}` };
    if (error instanceof PolicyBoundError) return tooLarge(error.message);
    throw error;
  }
}
