import type { CostLine } from '../../model/pricing.js';
import type { RequestCount } from '../../model/usage.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import { FAILED_REQUESTS_BILLED } from '../assumptions.js';
import { classifyRequest } from '../tiers.js';
import { coverageStatus, isComplete, type KeySubject, perKeyCoverage } from './lookups.js';
import {
  type AssumptionUse,
  baseLine,
  type KeyProduced,
  type MonthInputs,
  requestAmount,
  usesOf,
} from './produced.js';

/** One key's requests of one billed account, region, operation and pair spec, summed. */
interface RequestGroup {
  readonly rc: RequestCount;
  count: number;
  failed: number;
}

/** The key's request counts summed per billed account, region, operation and pair spec, in that order. */
function groupRequests(requests: readonly RequestCount[]): RequestGroup[] {
  const groups = new Map<string, RequestGroup>();
  for (const rc of requests) {
    const id = compositeKey(rc.account, rc.region, rc.operation, rc.keyPairSpec ?? '');
    const g = groups.get(id);
    if (g) {
      g.count += rc.count;
      g.failed += rc.failedCount;
    } else groups.set(id, { rc, count: rc.count, failed: rc.failedCount });
  }
  return [...groups.values()].sort(
    compareBy(
      (g) => g.rc.account,
      (g) => g.rc.region,
      (g) => g.rc.operation,
      (g) => g.rc.keyPairSpec ?? '',
    ),
  );
}

/**
 * The request lines of one key: one per billed account, region, operation and pair spec (priced
 * by tier, or unknown when the tier or the region's prices are), then unknown lines for the
 * volume the per-key counts do not cover.
 */
export function keyRequestLines(inputs: MonthInputs, key: KeySubject, keySpec: string | null): KeyProduced {
  const groups = groupRequests(key.evidence.requests);
  const counted = countedRequestLines(inputs, key.evidence.arn, groups, keySpec);
  const lines = [...counted.lines, ...uncountedRequestLines(inputs, key, groups, counted.lines.length > 0)];
  return { lines, notes: counted.notes, assumptions: counted.assumptions };
}

/** The lines of the counted requests, and a note on failed requests. */
function countedRequestLines(
  inputs: MonthInputs,
  keyArn: string,
  groups: readonly RequestGroup[],
  keySpec: string | null,
): KeyProduced {
  const lines: CostLine[] = [];
  const assumptions: AssumptionUse[] = [];
  const notes: string[] = [];
  let failed = 0;
  for (const { rc, count, failed: f } of groups) {
    failed += f;
    const billedCount = FAILED_REQUESTS_BILLED ? count + f : count;
    if (billedCount === 0) continue;
    const c = classifyRequest(keySpec, rc.operation, rc.keyPairSpec);
    const common = {
      kind: 'requests' as const,
      account: rc.account,
      region: rc.region,
      keyArn,
      operation: rc.operation,
      keyPairSpec: rc.keyPairSpec,
      quantity: String(billedCount),
    };
    if (c.billed === false) {
      assumptions.push(...usesOf(c.assumptions, keyArn));
      continue;
    }
    if (c.billed === 'unknown') {
      lines.push(
        baseLine({ ...common, description: `${rc.operation} (tier unknown)`, unknownReason: c.reason }),
      );
      continue;
    }
    const prices = inputs.prices.prices(rc.region);
    if (prices === null) {
      const unknownReason = `price unknown: ${inputs.prices.unpriced(rc.region)}`;
      lines.push(
        baseLine({ ...common, description: `${rc.operation} (${c.label})`, tier: c.tier, unknownReason }),
      );
      continue;
    }
    assumptions.push(...usesOf(c.assumptions, keyArn));
    const unitPrice = prices.requestsPer10k[c.tier];
    lines.push(
      baseLine({
        ...common,
        description: `${rc.operation}${rc.keyPairSpec ? ` ${rc.keyPairSpec}` : ''} (${c.label})`,
        tier: c.tier,
        unitPrice,
        amount: requestAmount(billedCount, unitPrice),
        assumptions: c.assumptions,
      }),
    );
  }
  if (failed > 0) {
    assumptions.push({ id: 'FAILED_REQUESTS_BILLED', subject: keyArn });
    notes.push(`${failed} failed requests ${FAILED_REQUESTS_BILLED ? 'billed' : 'not billed'}`);
  }
  return { lines, notes, assumptions };
}

/**
 * Unknown lines where per-key volume is not known: per-key counts are whole only where a per-key
 * source read the whole month (or all of it to date). Another account's calls on the key are in
 * both its trail and the owner's, so they are whole when either was read whole; when neither
 * was, what that account was billed is a lower bound.
 */
function uncountedRequestLines(
  inputs: MonthInputs,
  key: KeySubject,
  groups: readonly RequestGroup[],
  counted: boolean,
): CostLine[] {
  const { owner, evidence } = key;
  const lines: CostLine[] = [];
  const coverage = perKeyCoverage(inputs, owner.account, owner.region);
  if (coverage !== 'none' && coverage.status === 'complete') return lines;
  const callers = new Map<string, string>();
  for (const { rc } of groups) if (rc.account !== owner.account) callers.set(rc.account, rc.region);
  for (const [caller, region] of callers) {
    const own = perKeyCoverage(inputs, caller, region);
    if (isComplete(own)) continue;
    lines.push(
      baseLine({
        kind: 'requests',
        account: caller,
        region,
        keyArn: evidence.arn,
        description: `Requests by ${caller} not counted`,
        unknownReason: `request volume unknown: per-key request counts are not complete in ${region} for the key's owner ${owner.account} (${coverageStatus(coverage)}) nor for the caller ${caller} (${coverageStatus(own)})`,
      }),
    );
  }
  const why =
    coverage === 'none'
      ? inputs.usage
        ? `no per-key request counts were collected for ${owner.account}/${owner.region}`
        : 'no usage was collected for the month'
      : `per-key request counts for ${owner.account}/${owner.region} are ${coverage.status} (${coverage.source}${coverage.detail ? `: ${coverage.detail}` : ''})`;
  lines.push(
    baseLine({
      kind: 'requests',
      account: owner.account,
      region: owner.region,
      keyArn: evidence.arn,
      description: counted || lines.length > 0 ? 'Requests not counted' : 'Requests',
      unknownReason: `request volume unknown: ${why}`,
    }),
  );
  return lines;
}
