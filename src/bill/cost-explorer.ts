import {
  type CostExplorerClient,
  type Expression,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GroupDefinition,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { classifyAwsError, codeAndDetail } from '../collect/aws-errors.js';
import { InterruptedError } from '../errors.js';
import {
  type BillLine,
  type BillRead,
  type BillStatus,
  billCategoryOf,
  CURRENCY_CODE_PATTERN,
} from '../model/bill.js';
import { dec, toMoney } from '../pricing/money.js';
import { compositeKey } from '../util/compare.js';
import type { MonthWindow } from '../util/month.js';

/**
 * The month's KMS charges from Cost Explorer (`GetCostAndUsage`): one request for the whole month
 * (MONTHLY, both metrics, two group-bys), more only when Cost Explorer pages its groups.
 */

/** Cost Explorer's name of the service (the `SERVICE` dimension). */
export const KMS_SERVICE_NAME = 'AWS Key Management Service';
/** What one Cost Explorer API request costs (USD): every page of GetCostAndUsage is a request. */
export const COST_EXPLORER_REQUEST_PRICE = 0.01;
/** Cost Explorer's endpoint is in us-east-1 (aws partition). */
export const COST_EXPLORER_REGION = 'us-east-1';
/**
 * Pages read at most: a month of one service has a few groups per account and region, so even a
 * large organisation's answer is a handful of pages. Past this the bill is a gap, not an endless
 * (and, at $0.01 a page, costly) loop.
 */
export const MAX_COST_EXPLORER_PAGES = 50;

export interface CostExplorerBillOptions {
  readonly client: CostExplorerClient;
  readonly month: MonthWindow;
  /**
   * The report's accounts. One account (not an organisation): the query is filtered to it
   * (`LINKED_ACCOUNT`: a management account's Cost Explorer sees its whole organisation) and
   * grouped by `USAGE_TYPE` and `REGION`. An organisation: grouped by `USAGE_TYPE` and
   * `LINKED_ACCOUNT` (Cost Explorer allows two group-bys), the region read from the usage type's
   * prefix (`us-east-1-KMS-Keys`).
   */
  readonly accounts: readonly string[];
  readonly organization: boolean;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
/** A decimal in plain notation, full precision (`1E-10` → `0.0000000001`). */
const plainDecimal = (text: string) => toMoney(dec(text));
const addDecimal = (a: string, b: string) => toMoney(dec(a).plus(b));

/** The one request: the month, KMS only, usage records only, two metrics, two group-bys. */
export function costExplorerRequest(
  options: Omit<CostExplorerBillOptions, 'client'>,
): GetCostAndUsageCommandInput {
  const byAccount = options.organization || options.accounts.length !== 1;
  const filters: Expression[] = [
    { Dimensions: { Key: 'SERVICE', Values: [KMS_SERVICE_NAME] } },
    // Usage only: credits, refunds and taxes would net into the amounts; the estimate models none.
    { Dimensions: { Key: 'RECORD_TYPE', Values: ['Usage'] } },
  ];
  if (!byAccount) filters.push({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...options.accounts] } });
  const groupBy: GroupDefinition[] = [
    { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
    { Type: 'DIMENSION', Key: byAccount ? 'LINKED_ACCOUNT' : 'REGION' },
  ];
  return {
    TimePeriod: { Start: day(options.month.start), End: day(options.month.end) },
    Granularity: 'MONTHLY',
    Filter: { And: filters },
    Metrics: ['UnblendedCost', 'UsageQuantity'],
    GroupBy: groupBy,
  };
}

/** A decimal as Cost Explorer writes it (`0.0300000000`, rarely with an exponent); bounded, no backtracking. */
const amountText = z
  .string()
  .regex(/^-?\d{1,20}(\.\d{1,20})?([eE][-+]?\d{1,3})?$/, 'expected a decimal amount');
const metric = z.object({ Amount: amountText, Unit: z.string().max(32) });
const groupSchema = z.object({
  Keys: z.array(z.string().max(256)).length(2),
  Metrics: z.object({ UnblendedCost: metric, UsageQuantity: metric }),
});
const pageSchema = z.object({
  ResultsByTime: z
    .array(
      z.object({
        Groups: z.array(z.unknown()).max(100_000).optional(),
        Estimated: z.boolean().optional(),
      }),
    )
    .max(1_000)
    .optional(),
  NextPageToken: z.string().max(16_384).optional(),
});

const ACCOUNT_ID = /^\d{12}$/;
/** A region code as Cost Explorer's `REGION` names it (it also says `global`, `NoRegion`). */
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** What the pages said, gathered. */
interface Gathered {
  readonly lines: Map<string, BillLine>;
  readonly gaps: string[];
  readonly estimated: boolean[];
  currency: string | null;
  requests: number;
}

/** One group of the answer as a bill line, or why it could not be read. */
function lineOf(raw: unknown, byAccount: boolean, sole: string | null): BillLine | string {
  const parsed = groupSchema.safeParse(raw);
  if (!parsed.success)
    return `a group of Cost Explorer's answer is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})`;
  const [usageType, second] = parsed.data.Keys as [string, string];
  const { region: prefix, category } = billCategoryOf(usageType);
  if (byAccount && !ACCOUNT_ID.test(second)) return `a group names "${second.slice(0, 40)}" as its account`;
  const region = prefix ?? (!byAccount && REGION_CODE.test(second) ? second : null);
  return {
    account: byAccount ? second : sole,
    region,
    usageType,
    category,
    operation: null,
    keyArn: null,
    lineItemType: 'Usage',
    quantity: plainDecimal(parsed.data.Metrics.UsageQuantity.Amount),
    amount: plainDecimal(parsed.data.Metrics.UnblendedCost.Amount),
  };
}

/** Adds a page's groups to what was gathered. */
function addPage(
  page: z.infer<typeof pageSchema>,
  raw: unknown,
  into: Gathered,
  byAccount: boolean,
  sole: string | null,
): void {
  const results = (
    raw as { ResultsByTime?: { Groups?: { Metrics?: { UnblendedCost?: { Unit?: unknown } } }[] }[] }
  ).ResultsByTime;
  for (const [i, result] of (page.ResultsByTime ?? []).entries()) {
    if (result.Estimated !== undefined) into.estimated.push(result.Estimated);
    for (const [j, group] of (result.Groups ?? []).entries()) {
      const line = lineOf(group, byAccount, sole);
      if (typeof line === 'string') {
        into.gaps.push(line);
        continue;
      }
      const unit = results?.[i]?.Groups?.[j]?.Metrics?.UnblendedCost?.Unit as string;
      if (!CURRENCY_CODE_PATTERN.test(unit)) {
        into.gaps.push(`${line.usageType}: its cost's unit is not a currency code: left out`);
        continue;
      }
      into.currency ??= unit;
      if (unit !== into.currency) {
        into.gaps.push(`${line.usageType} is billed in ${unit.slice(0, 8)}, not ${into.currency}: left out`);
        continue;
      }
      const id = compositeKey(line.account ?? '', line.region ?? '', line.usageType);
      const seen = into.lines.get(id);
      into.lines.set(
        id,
        seen
          ? {
              ...seen,
              quantity: addDecimal(seen.quantity, line.quantity),
              amount: addDecimal(seen.amount, line.amount),
            }
          : line,
      );
    }
  }
}

/** Reads every page; a failed request ends the read with a gap (what was read is kept). */
async function readPages(options: CostExplorerBillOptions, into: Gathered): Promise<void> {
  const request = costExplorerRequest(options);
  const byAccount = request.GroupBy?.[1]?.Key === 'LINKED_ACCOUNT';
  const sole = byAccount ? null : (options.accounts[0] ?? null);
  let token: string | undefined;
  do {
    if (into.requests >= MAX_COST_EXPLORER_PAGES) {
      into.gaps.push(
        `Cost Explorer answered more than ${MAX_COST_EXPLORER_PAGES} pages: the rest was not read`,
      );
      return;
    }
    let raw: unknown;
    try {
      into.requests += 1;
      raw = await options.client.send(new GetCostAndUsageCommand({ ...request, NextPageToken: token }), {
        abortSignal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted)
        throw new InterruptedError('stopped (Ctrl-C) while reading the bill', { cause: error });
      into.gaps.push(failureText(error));
      return;
    }
    const page = pageSchema.safeParse(raw);
    if (!page.success) {
      into.gaps.push(`Cost Explorer's answer is malformed (${page.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    addPage(page.data, raw, into, byAccount, sole);
    token = page.data.NextPageToken || undefined;
  } while (token);
}

/** What a failed request means, with what to do about the usual ones. */
function failureText(error: unknown): string {
  const e = classifyAwsError(error);
  const hint =
    e.kind === 'access-denied'
      ? ': the caller needs ce:GetCostAndUsage (for an organisation, in the management account)'
      : e.code === 'DataUnavailableException'
        ? ': Cost Explorer has no data for the month (is it enabled for the account?)'
        : '';
  return `Cost Explorer GetCostAndUsage: ${codeAndDetail(e)}${hint}`;
}

function statusOf(estimated: readonly boolean[]): { status: BillStatus; statusDetail: string } {
  if (estimated.length === 0)
    return { status: 'unknown', statusDetail: 'Cost Explorer did not say whether the month is final' };
  if (estimated.some(Boolean))
    return {
      status: 'estimated',
      statusDetail:
        'Cost Explorer marks the month Estimated: AWS settles it in the first days of the next month',
    };
  return { status: 'final', statusDetail: 'Cost Explorer marks the month final (not Estimated)' };
}

/** What the read cost, in words: requests made at $0.01 each. */
export function costExplorerReadCost(requests: number): string {
  const dollars = (requests * COST_EXPLORER_REQUEST_PRICE).toFixed(2);
  return `${requests} Cost Explorer request${requests === 1 ? '' : 's'} (GetCostAndUsage at $${COST_EXPLORER_REQUEST_PRICE.toFixed(2)} each: $${dollars})`;
}

/**
 * The month's KMS charges from Cost Explorer: one `GetCostAndUsage` request (and one more per
 * page, when Cost Explorer pages the groups), each $0.01. The answer is validated; what cannot be
 * read (a refused request, a malformed group, too many pages) is a gap of the bill, never $0.
 * `Estimated` on the answer makes the bill `estimated`.
 *
 * @example
 * ```ts
 * import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
 *
 * const bill = await readCostExplorerBill({
 *   client: new CostExplorerClient({ region: 'us-east-1' }),
 *   month: monthOf('2026-10'),
 *   accounts: ['111122223333'],
 *   organization: false,
 * });
 * console.log(bill.status, bill.readCost, bill.lines.length);
 * ```
 */
export async function readCostExplorerBill(options: CostExplorerBillOptions): Promise<BillRead> {
  const into: Gathered = { lines: new Map(), gaps: [], estimated: [], currency: null, requests: 0 };
  await readPages(options, into);
  return {
    source: 'cost-explorer',
    month: options.month.month,
    ...statusOf(into.estimated),
    currency: into.currency ?? 'USD',
    granularity: 'usage-type',
    lines: [...into.lines.values()],
    readAt: (options.now?.() ?? new Date()).toISOString(),
    readCost: costExplorerReadCost(into.requests),
    gaps: into.gaps,
  };
}
