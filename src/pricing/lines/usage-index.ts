import type { LifecycleEvent, MonthUsage, RequestCount, UsageCoverage } from '../../model/usage.js';
import { compositeKey, groupBy } from '../../util/compare.js';

type KeylessRequest = NonNullable<MonthUsage['keylessRequests']>[number];

/** Each list's rows by account and region ({@link regionKey}), in their order. */
export interface UsageIndex {
  readonly coverage: ReadonlyMap<string, readonly UsageCoverage[]>;
  readonly requests: ReadonlyMap<string, readonly RequestCount[]>;
  readonly keyless: ReadonlyMap<string, readonly KeylessRequest[]>;
  /** After the month: ScheduleKeyDeletion events by key ARN, coverage by account and region. */
  readonly afterSchedules: ReadonlyMap<string, readonly LifecycleEvent[]>;
  readonly afterCoverage: ReadonlyMap<string, readonly UsageCoverage[]>;
}

/** An account and region as one map key. */
export const regionKey = (account: string, region: string): string => compositeKey(account, region);

/** The usage grouped once, so that each key's look-ups do not scan the month. */
export function indexUsage(usage: MonthUsage): UsageIndex {
  const byRegion = (r: { account: string; region: string }) => regionKey(r.account, r.region);
  return {
    coverage: groupBy(usage.coverage, byRegion),
    requests: groupBy(usage.requests, byRegion),
    keyless: groupBy(usage.keylessRequests ?? [], byRegion),
    afterSchedules: groupBy(
      (usage.afterMonth?.lifecycle ?? []).filter((e) => e.event === 'ScheduleKeyDeletion'),
      (e) => e.keyArn,
    ),
    afterCoverage: groupBy(usage.afterMonth?.coverage ?? [], byRegion),
  };
}
