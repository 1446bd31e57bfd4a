import type { Decimal as DecimalClass } from 'decimal.js';
import { type CostLine, type FreeTierScope, REQUEST_TIERS, type RequestTier } from '../../model/pricing.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import type { AssumptionId } from '../assumptions.js';
import { dec } from '../money.js';
import type { RegionPrices } from '../table.js';
import { type AssumptionUse, baseLine, type MonthInputs, type Produced, requestAmount } from './produced.js';

/** The volume the free tier covers, of one account, region and tier. */
interface CoveredVolume {
  readonly account: string;
  readonly region: string;
  readonly tier: RequestTier;
  count: DecimalClass;
}

/**
 * The priced request volume of the inventory's accounts in the tiers the free tier covers, per
 * account, region and tier, in the order the allowance is spent on it.
 */
function coveredVolume(inputs: MonthInputs, lines: readonly CostLine[]): CoveredVolume[] {
  const { table } = inputs;
  const covered = new Set<RequestTier>(REQUEST_TIERS.filter((t) => !table.freeTier.notCovered.includes(t)));
  const volume = new Map<string, CoveredVolume>();
  for (const l of lines) {
    if (l.amount === null || l.tier === null || !covered.has(l.tier) || l.quantity === null) continue;
    if (l.kind !== 'requests' && l.kind !== 'unattributed-requests') continue;
    if (!inputs.inTotal.has(l.account)) continue;
    const id = compositeKey(l.account, l.region, l.tier);
    const v = volume.get(id);
    if (v) v.count = v.count.plus(l.quantity);
    else volume.set(id, { account: l.account, region: l.region, tier: l.tier, count: dec(l.quantity) });
  }
  return [...volume.values()].sort(
    compareBy(
      (v) => v.account,
      (v) => v.region,
      (v) => v.tier,
    ),
  );
}

/**
 * The free tier, applied to the accounts the inventory covers: one credit line per account,
 * region and tier it is spent on, once per account (`account`) or once across them all
 * (`organization`). Another account that called these keys has its own free tier, which this
 * inventory cannot see: it gets no credit here.
 */
export function freeTierCredits(
  inputs: MonthInputs,
  lines: readonly CostLine[],
  scope: FreeTierScope,
): Produced {
  const { table } = inputs;
  const allowance = new Map<string, DecimalClass>();
  const credits: CostLine[] = [];
  const unitPrices = new Set<string>();
  const assumptions: AssumptionId[] = scope === 'organization' ? ['FREE_TIER_ORGANIZATION'] : [];
  for (const v of coveredVolume(inputs, lines)) {
    const pool = scope === 'organization' ? '*' : v.account;
    const left = allowance.get(pool) ?? dec(table.freeTier.requestsPerMonth);
    const used = left.lessThan(v.count) ? left : v.count;
    if (used.isZero()) continue;
    allowance.set(pool, left.minus(used));
    const unitPrice = (inputs.prices.prices(v.region) as RegionPrices).requestsPer10k[v.tier];
    unitPrices.add(unitPrice);
    credits.push(
      baseLine({
        kind: 'free-tier-credit',
        account: v.account,
        region: v.region,
        keyArn: null,
        description: `Free tier: ${used.toFixed()} of ${table.freeTier.requestsPerMonth} requests a month (${scope === 'organization' ? 'organization' : 'account'})`,
        tier: v.tier,
        quantity: used.neg().toFixed(),
        unitPrice,
        amount: requestAmount(used.neg(), unitPrice),
        assumptions: [...assumptions],
      }),
    );
  }
  const uses: AssumptionUse[] = [];
  if (scope === 'organization' && credits.length > 0)
    uses.push({ id: 'FREE_TIER_ORGANIZATION', subject: 'organization' });
  // Credits at different prices: which volume the allowance is spent on first changes the total.
  if (unitPrices.size > 1)
    for (const c of credits)
      uses.push({ id: 'FREE_TIER_ALLOCATION_ORDER', subject: `${c.account}/${c.region}` });
  return { lines: credits, assumptions: uses, notices: [] };
}
