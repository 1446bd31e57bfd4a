import { CRYPTOGRAPHIC_OPERATIONS, DATA_KEY_PAIR_OPERATIONS } from '../model/kms.js';
import type { RequestTier } from '../model/pricing.js';
import {
  type AssumptionId,
  HMAC_REQUEST_TIER,
  MANAGEMENT_CALL_TIER,
  MANAGEMENT_CALLS_BILLED,
  UNATTRIBUTED_API_TIER,
  UNATTRIBUTED_RSA_TIER,
  UNLISTED_ASYMMETRIC_SPEC_TIER,
} from './assumptions.js';

export { CRYPTOGRAPHIC_OPERATIONS, DATA_KEY_PAIR_OPERATIONS };

/** Asymmetric key specs the pricing page names, in the "all other asymmetric" tier. */
const LISTED_OTHER_ASYMMETRIC = new Set([
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
]);

/** Asymmetric key specs with no published price: see {@link UNLISTED_ASYMMETRIC_SPEC_TIER}. */
const UNLISTED_ASYMMETRIC = new Set(['ECC_NIST_EDWARDS25519', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87']);

/** The outcome of classifying one (key spec, operation, pair spec). */
export type Classification =
  | {
      readonly billed: true;
      readonly tier: RequestTier;
      readonly kind: 'cryptographic' | 'data-key-pair' | 'management';
      /** A short label for the line, e.g. `symmetric`, `RSA data key pair`. */
      readonly label: string;
      readonly assumptions: readonly AssumptionId[];
    }
  | { readonly billed: false; readonly assumptions: readonly AssumptionId[] }
  | { readonly billed: 'unknown'; readonly reason: string };

function byKeySpec(
  keySpec: string,
): { tier: RequestTier; label: string; assumptions: AssumptionId[] } | { reason: string } {
  if (keySpec === 'SYMMETRIC_DEFAULT') return { tier: 'KMS-Requests', label: 'symmetric', assumptions: [] };
  if (keySpec.startsWith('HMAC_'))
    return { tier: HMAC_REQUEST_TIER, label: 'HMAC', assumptions: ['HMAC_REQUEST_TIER'] };
  if (keySpec === 'RSA_2048')
    return { tier: 'KMS-Requests-Asymmetric-RSA_2048', label: 'asymmetric RSA_2048', assumptions: [] };
  if (LISTED_OTHER_ASYMMETRIC.has(keySpec))
    return { tier: 'KMS-Requests-Asymmetric', label: `asymmetric ${keySpec}`, assumptions: [] };
  if (UNLISTED_ASYMMETRIC.has(keySpec))
    return {
      tier: UNLISTED_ASYMMETRIC_SPEC_TIER,
      label: `asymmetric ${keySpec}`,
      assumptions: ['UNLISTED_ASYMMETRIC_SPEC_TIER'],
    };
  return { reason: `key spec ${keySpec} has no known price tier` };
}

/** The tier of a GenerateDataKeyPair* request, from the pair spec it asked for. */
export function dataKeyPairTier(keyPairSpec: string | null): RequestTier | null {
  if (keyPairSpec === null) return null;
  if (keyPairSpec.startsWith('RSA_')) return 'KMS-Requests-GenerateDatakeyPair-RSA';
  if (keyPairSpec.startsWith('ECC_') || keyPairSpec === 'SM2') return 'KMS-Requests-GenerateDatakeyPair-ECC';
  return null;
}

/**
 * Classifies one kind of request into its price tier.
 *
 * - GenerateDataKeyPair / GenerateDataKeyPairWithoutPlaintext: by the requested pair spec
 *   (`RSA_*` → the RSA pair tier, `ECC_*`/`SM2` → the ECC pair tier), whatever the key.
 * - Other cryptographic operations: by the spec of the key the request names.
 * - Management calls (DescribeKey, GetKeyPolicy, ...): ordinary requests
 *   ({@link MANAGEMENT_CALL_TIER}) whatever the key, billed under {@link MANAGEMENT_CALLS_BILLED}.
 *   AWS's asymmetric tiers and free-tier exclusion cover only the cryptographic operations on
 *   asymmetric keys.
 *
 * An unknown key spec or pair spec gives `billed: 'unknown'`, never a guess.
 *
 * @example
 * ```ts
 * classifyRequest('SYMMETRIC_DEFAULT', 'GenerateDataKeyPair', 'RSA_4096');
 * // { billed: true, tier: 'KMS-Requests-GenerateDatakeyPair-RSA', kind: 'data-key-pair', ... }
 * ```
 */
export function classifyRequest(
  keySpec: string | null,
  operation: string,
  keyPairSpec: string | null,
): Classification {
  if (DATA_KEY_PAIR_OPERATIONS.has(operation)) {
    const tier = dataKeyPairTier(keyPairSpec);
    if (tier === null)
      return {
        billed: 'unknown',
        reason:
          keyPairSpec === null
            ? `${operation}: the requested key pair spec was not recorded`
            : `${operation}: key pair spec ${keyPairSpec} has no known price tier`,
      };
    const family = tier === 'KMS-Requests-GenerateDatakeyPair-RSA' ? 'RSA' : 'ECC';
    return { billed: true, tier, kind: 'data-key-pair', label: `${family} data key pair`, assumptions: [] };
  }
  if (!CRYPTOGRAPHIC_OPERATIONS.has(operation)) {
    if (!MANAGEMENT_CALLS_BILLED) return { billed: false, assumptions: ['MANAGEMENT_CALLS_BILLED'] };
    return {
      billed: true,
      tier: MANAGEMENT_CALL_TIER,
      kind: 'management',
      label: 'management',
      assumptions: ['MANAGEMENT_CALLS_BILLED'],
    };
  }
  if (keySpec === null) return { billed: 'unknown', reason: `${operation}: the key's spec is unknown` };
  const spec = byKeySpec(keySpec);
  if ('reason' in spec) return { billed: 'unknown', reason: `${operation}: ${spec.reason}` };
  return {
    billed: true,
    tier: spec.tier,
    kind: 'cryptographic',
    label: spec.label,
    assumptions: spec.assumptions,
  };
}

/** Which per-key counts an account-level CloudWatch `Resource` value covers, and how its excess is priced. */
export interface AccountResourceRule {
  readonly tier: RequestTier;
  readonly label: string;
  readonly assumptions: readonly AssumptionId[];
  /** True when a per-key count (its key's spec, operation, pair spec) is part of this resource's total. */
  readonly covers: (keySpec: string | null, operation: string, keyPairSpec: string | null) => boolean;
}

const isCryptoNotPair = (operation: string) =>
  CRYPTOGRAPHIC_OPERATIONS.has(operation) && !DATA_KEY_PAIR_OPERATIONS.has(operation);

/**
 * The rule for one CloudWatch `AWS/Usage` `CallCount` `Resource` value, or null for a value
 * the engine does not know (it is then reported, not priced).
 */
export function accountResourceRule(resource: string): AccountResourceRule | null {
  if (resource === 'CryptographicOperationsSymmetric')
    return {
      tier: 'KMS-Requests',
      label: 'symmetric cryptographic operations',
      assumptions: [],
      covers: (spec, op) =>
        isCryptoNotPair(op) && spec !== null && (spec === 'SYMMETRIC_DEFAULT' || spec.startsWith('HMAC_')),
    };
  if (resource === 'CryptographicOperationsRsa')
    return {
      tier: UNATTRIBUTED_RSA_TIER,
      label: 'RSA cryptographic operations',
      assumptions: ['UNATTRIBUTED_RSA_TIER'],
      covers: (spec, op) => isCryptoNotPair(op) && spec?.startsWith('RSA_') === true,
    };
  if (resource === 'CryptographicOperationsEcc')
    return {
      tier: 'KMS-Requests-Asymmetric',
      label: 'ECC cryptographic operations',
      assumptions: [],
      covers: (spec, op) => isCryptoNotPair(op) && (spec?.startsWith('ECC_') === true || spec === 'SM2'),
    };
  const pair = /^GenerateDataKeyPair-(.+)$/.exec(resource);
  if (pair) {
    const pairSpec = pair[1] as string;
    const tier = dataKeyPairTier(pairSpec);
    if (tier === null) return null;
    return {
      tier,
      label: `GenerateDataKeyPair ${pairSpec}`,
      assumptions: [],
      covers: (_spec, op, kps) => DATA_KEY_PAIR_OPERATIONS.has(op) && kps === pairSpec,
    };
  }
  if (/^[A-Z][A-Za-z]+$/.test(resource) && !CRYPTOGRAPHIC_OPERATIONS.has(resource)) {
    if (!MANAGEMENT_CALLS_BILLED) return null;
    return {
      tier: UNATTRIBUTED_API_TIER,
      label: resource,
      assumptions: ['UNATTRIBUTED_API_TIER', 'MANAGEMENT_CALLS_BILLED'],
      covers: (_spec, op) => op === resource,
    };
  }
  return null;
}
