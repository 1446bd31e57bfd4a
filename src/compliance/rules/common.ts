import type { FindingDetails } from '../../model/findings.js';
import type { KeyMetadata, KeyRecord } from '../../model/inventory.js';
import { rotationEligibility } from '../../model/kms.js';
import { describeMissing } from '../../model/observed.js';
import { DAY_MS } from '../../util/month.js';
import type { KeyPolicy } from '../policy/parse.js';
import type { RuleContext, RuleResult } from './types.js';

export const pass = (reason: string, details?: FindingDetails): RuleResult => ({
  status: 'PASS',
  reason,
  details,
});
export const fail = (reason: string, details?: FindingDetails): RuleResult => ({
  status: 'FAIL',
  reason,
  details,
});
export const notApplicable = (reason: string): RuleResult => ({ status: 'NOT_APPLICABLE', reason });
export const unknown = (reason: string): RuleResult => ({ status: 'UNKNOWN', reason });

/** The key's DescribeKey metadata, or the UNKNOWN result saying why it is missing. */
export function metadataOf(key: KeyRecord): KeyMetadata | RuleResult {
  if (key.metadata.status === 'collected') return key.metadata.value;
  return unknown(`the key's metadata could not be read: ${describeMissing(key.metadata)}`);
}

export function isResult(value: KeyMetadata | RuleResult): value is RuleResult {
  return 'status' in value && 'reason' in value;
}

/** Why the POL rules about what a policy's owner wrote do not apply to AWS managed keys. */
export const AWS_WRITES_THE_POLICY = 'AWS writes the policy of AWS managed keys; it cannot be changed';

export const PENDING_DELETION_STATES: ReadonlySet<string> = new Set([
  'PendingDeletion',
  'PendingReplicaDeletion',
]);

/** Why the key cannot rotate automatically, or null when it can (the one rule: {@link rotationEligibility}). */
export const cannotRotate = (meta: KeyMetadata): string | null => rotationEligibility(meta).automatic;

/** Whole days from `from` to `to` (negative when `to` is earlier), rounded down. */
export function daysBetween(from: string, to: string): number {
  return Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** `2026-10-01T00:00:00.000Z` → `2026-10-01`. */
export const day = (iso: string): string => iso.slice(0, 10);

/** The parsed key policy, or the UNKNOWN result saying why it cannot be judged (never a PASS). */
export function policyOf(context: RuleContext): KeyPolicy | RuleResult {
  if (context.policy.status === 'read') return context.policy.policy;
  return unknown(context.policy.reason);
}

export function isPolicy(value: KeyPolicy | RuleResult): value is KeyPolicy {
  return 'statements' in value;
}

/**
 * The key policy, for rules about what a policy's owner wrote (not applicable to AWS managed
 * keys, which the engine decides from the rule's metadata): UNKNOWN when the policy or the
 * metadata could not be read (without the metadata, whether the rule applies is unknown).
 */
export function customerPolicyOf(key: KeyRecord, context: RuleContext): KeyPolicy | RuleResult {
  const policy = policyOf(context);
  if (!isPolicy(policy)) return policy;
  const m = metadataOf(key);
  return isResult(m) ? m : policy;
}
