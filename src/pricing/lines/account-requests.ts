import { CRYPTOGRAPHIC_OPERATIONS as CRYPTO_OPERATIONS } from '../../model/kms.js';
import type { CostLine } from '../../model/pricing.js';
import { countsPerKey, type MonthUsage } from '../../model/usage.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import {
  type AssumptionId,
  FAILED_REQUESTS_BILLED,
  MANAGEMENT_CALL_TIER,
  MANAGEMENT_CALLS_BILLED,
} from '../assumptions.js';
import { completeFor, coverageAt, coverageStatus, isComplete, perKeyCoverage } from './lookups.js';
import {
  type AssumptionUse,
  baseLine,
  type MonthInputs,
  type Produced,
  requestAmount,
  usesOf,
} from './produced.js';

/** Requests that name no key, of one account, region and operation, summed. */
interface KeylessGroup {
  readonly account: string;
  readonly region: string;
  readonly operation: string;
  ok: number;
  failed: number;
}

function groupKeyless(usage: MonthUsage): KeylessGroup[] {
  const groups = new Map<string, KeylessGroup>();
  for (const k of usage.keylessRequests ?? []) {
    const id = compositeKey(k.account, k.region, k.operation);
    const g = groups.get(id);
    if (g) {
      g.ok += k.count;
      g.failed += k.failedCount;
    } else
      groups.set(id, {
        account: k.account,
        region: k.region,
        operation: k.operation,
        ok: k.count,
        failed: k.failedCount,
      });
  }
  return [...groups.values()];
}

/**
 * Requests that name no key (ListKeys, ListAliases, CreateKey, GenerateRandom, ...), one line per
 * billed account, region and operation, priced as ordinary requests ({@link MANAGEMENT_CALL_TIER}).
 * Where a per-key source read an account and region but these requests were not counted (usage
 * evidence of schema version 1, or a source that stopped early), and no complete CloudWatch
 * total accounts for them by API name, one line says they are unknown.
 */
export function accountRequestLines(inputs: MonthInputs): Produced {
  const usage = inputs.usage;
  if (!usage) return { lines: [], assumptions: [], notices: [] };
  const lines: CostLine[] = [];
  const assumptions: AssumptionUse[] = [];
  for (const g of groupKeyless(usage)) {
    const line = keylessLine(inputs, g, assumptions);
    if (line) lines.push(line);
  }
  lines.push(...uncountedKeylessLines(inputs, usage));
  lines.sort(
    compareBy(
      (l) => l.account,
      (l) => l.region,
      (l) => l.operation ?? '',
    ),
  );
  return { lines, assumptions, notices: [] };
}

/** The line of one account, region and operation (none when nothing is billed), and the assumptions it met. */
function keylessLine(inputs: MonthInputs, g: KeylessGroup, assumptions: AssumptionUse[]): CostLine | null {
  const subject = `${g.account}/${g.region}`;
  if (g.failed > 0) assumptions.push({ id: 'FAILED_REQUESTS_BILLED', subject });
  const billed = FAILED_REQUESTS_BILLED ? g.ok + g.failed : g.ok;
  if (billed === 0) return null;
  const management = !CRYPTO_OPERATIONS.has(g.operation);
  if (management && !MANAGEMENT_CALLS_BILLED) {
    assumptions.push({ id: 'MANAGEMENT_CALLS_BILLED', subject });
    return null;
  }
  const used: AssumptionId[] = management ? ['MANAGEMENT_CALLS_BILLED'] : [];
  const common = {
    kind: 'requests' as const,
    account: g.account,
    region: g.region,
    keyArn: null,
    operation: g.operation,
    tier: MANAGEMENT_CALL_TIER,
    quantity: String(billed),
    description: `${g.operation} (names no key)`,
  };
  const prices = inputs.prices.prices(g.region);
  if (prices === null)
    return baseLine({ ...common, unknownReason: `price unknown: ${inputs.prices.unpriced(g.region)}` });
  assumptions.push(...usesOf(used, subject));
  const unitPrice = prices.requestsPer10k[MANAGEMENT_CALL_TIER];
  return baseLine({ ...common, unitPrice, amount: requestAmount(billed, unitPrice), assumptions: used });
}

/** An unknown line for each account and region read by a per-key source whose keyless requests are not all counted. */
function uncountedKeylessLines(inputs: MonthInputs, usage: MonthUsage): CostLine[] {
  const where = new Map<string, { account: string; region: string }>();
  for (const c of usage.coverage)
    if (countsPerKey(c.source) && c.status !== 'not-collected')
      where.set(compositeKey(c.account, c.region), { account: c.account, region: c.region });
  const lines: CostLine[] = [];
  for (const { account, region } of where.values()) {
    const perKey = perKeyCoverage(inputs, account, region);
    const counted = usage.keylessRequests !== undefined && isComplete(perKey);
    const byCloudWatch = coverageAt(inputs, account, region).some(
      (c) => c.source === 'cloudwatch' && completeFor(c, inputs.period),
    );
    if (counted || byCloudWatch) continue;
    lines.push(
      baseLine({
        kind: 'requests',
        account,
        region,
        keyArn: null,
        description: 'Requests that name no key (ListKeys, CreateKey, ...)',
        unknownReason:
          usage.keylessRequests === undefined
            ? 'not counted: the usage evidence predates counting requests that name no key (schema version 1); collect the month again'
            : `not all counted: per-key request counts for ${account}/${region} are ${coverageStatus(perKey)}`,
      }),
    );
  }
  return lines;
}
