import { CRYPTOGRAPHIC_OPERATIONS as CRYPTO_OPERATIONS } from '../../model/kms.js';
import type { CostLine } from '../../model/pricing.js';
import type { MonthUsage } from '../../model/usage.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import {
  type AccountResourceRule,
  accountResourceRule,
  CRYPTOGRAPHIC_OPERATIONS,
  DATA_KEY_PAIR_OPERATIONS,
} from '../tiers.js';
import { baseLine, type MonthInputs, type Produced, requestAmount, usesOf } from './produced.js';
import { regionKey } from './usage-index.js';

/** A CloudWatch account total: the calls of one account, region and `Resource`, summed. */
interface AccountTotal {
  readonly account: string;
  readonly region: string;
  readonly resource: string;
  count: number;
}

function sumAccountTotals(usage: MonthUsage): AccountTotal[] {
  const totals = new Map<string, AccountTotal>();
  for (const t of usage.accountTotals) {
    const id = compositeKey(t.account, t.region, t.resource);
    const entry = totals.get(id);
    if (entry) entry.count += t.count;
    else totals.set(id, { account: t.account, region: t.region, resource: t.resource, count: t.count });
  }
  return [...totals.values()].sort(
    compareBy(
      (t) => t.account,
      (t) => t.region,
      (t) => t.resource,
    ),
  );
}

/**
 * The volume CloudWatch counted beyond the per-key counts, one line per account, region and
 * `Resource`: priced at the resource's tier, or unknown when some per-key requests are on keys
 * of unknown spec (the excess cannot be told) or the region cannot be priced. A `Resource` with
 * no known tier is a notice, not a line.
 */
export function unattributedLines(inputs: MonthInputs, specOf: (arn: string) => string | null): Produced {
  const out: Produced = { lines: [], assumptions: [], notices: [] };
  if (!inputs.usage) return out;
  for (const t of sumAccountTotals(inputs.usage)) {
    const rule = accountResourceRule(t.resource);
    if (!rule) {
      out.notices.push(`CloudWatch usage resource "${t.resource}" is not priced (no known tier).`);
      continue;
    }
    const line = unattributedLine(inputs, t, rule, perKeyShare(inputs, t, rule, specOf));
    if (line === null) continue;
    out.lines.push(line);
    if (line.amount !== null) out.assumptions.push(...usesOf(rule.assumptions, `${t.account}/${t.region}`));
  }
  return out;
}

/**
 * How much of a CloudWatch total the per-key counts (and the requests that name no key) account
 * for, and how many per-key requests cannot be placed in it because their key's spec is unknown.
 * CloudWatch counts calls, successful or not.
 */
function perKeyShare(
  inputs: MonthInputs,
  t: AccountTotal,
  rule: AccountResourceRule,
  specOf: (arn: string) => string | null,
): { attributed: number; ambiguous: number } {
  let attributed = 0;
  let ambiguous = 0;
  const here = regionKey(t.account, t.region);
  // Requests that name no key are in CloudWatch's totals too: by their API name, GenerateRandom
  // with the symmetric cryptographic operations.
  for (const k of inputs.index?.keyless.get(here) ?? []) {
    const spec = CRYPTO_OPERATIONS.has(k.operation) ? 'SYMMETRIC_DEFAULT' : null;
    if (rule.covers(spec, k.operation, null)) attributed += k.count + k.failedCount;
  }
  for (const r of inputs.index?.requests.get(here) ?? []) {
    const spec = specOf(r.keyArn);
    // A count whose key spec is unknown cannot be placed in a spec-based resource.
    if (
      spec === null &&
      t.resource.startsWith('CryptographicOperations') &&
      CRYPTOGRAPHIC_OPERATIONS.has(r.operation) &&
      !DATA_KEY_PAIR_OPERATIONS.has(r.operation)
    )
      ambiguous += r.count + r.failedCount;
    else if (rule.covers(spec, r.operation, r.keyPairSpec)) attributed += r.count + r.failedCount;
  }
  return { attributed, ambiguous };
}

/** The line of one CloudWatch total, or null when the per-key counts account for all of it. */
function unattributedLine(
  inputs: MonthInputs,
  t: AccountTotal,
  rule: AccountResourceRule,
  share: { attributed: number; ambiguous: number },
): CostLine | null {
  const common = {
    kind: 'unattributed-requests' as const,
    account: t.account,
    region: t.region,
    keyArn: null,
    description: `Unattributed ${rule.label} (CloudWatch ${t.resource} ${t.count}, per-key counts ${share.attributed})`,
    tier: rule.tier,
  };
  if (share.ambiguous > 0)
    return baseLine({
      ...common,
      unknownReason: `${share.ambiguous} per-key requests are on keys of unknown spec: the unattributed part of ${t.resource} cannot be told`,
    });
  const excess = t.count - share.attributed;
  if (excess <= 0) return null;
  const prices = inputs.prices.prices(t.region);
  if (prices === null)
    return baseLine({
      ...common,
      quantity: String(excess),
      unknownReason: `price unknown: ${inputs.prices.unpriced(t.region)}`,
    });
  const unitPrice = prices.requestsPer10k[rule.tier];
  return baseLine({
    ...common,
    quantity: String(excess),
    unitPrice,
    amount: requestAmount(excess, unitPrice),
    assumptions: rule.assumptions,
  });
}
