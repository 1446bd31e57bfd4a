import type { Money } from './pricing.js';
import type { CallerType } from './usage.js';

/**
 * Who drives the request bill, and what would cut it: the report's "Cost drivers" and
 * "Recommendations" as data (`MonthlyReport.drivers`, `MonthlyReport.recommendations`), made by
 * `adviseMonth` from the month's per-caller counts ({@link MonthUsage.callers}) and its priced lines.
 */

/**
 * Whether the month's callers are known: `known` when every counted request line billed to the
 * report's accounts has its callers; `partial` when some lines have none (a source that cannot see
 * callers, evidence written before callers were counted); `unknown` when no line has.
 */
export type CallersKnown = 'known' | 'partial' | 'unknown';

/** One caller's requests and dollars: over all keys (`keyArn` null) or on one key. */
export interface CallerDriver {
  /** The normalised principal (a role's ARN, a user, `s3.amazonaws.com`, `(other callers)`). Hostile text. */
  readonly caller: string;
  readonly callerType: CallerType;
  readonly callerAccount: string | null;
  /** The AWS service that called on the principal's behalf, e.g. `s3.amazonaws.com`. */
  readonly invokedBy: string | null;
  /** For calls S3 made: the bucket's ARN. */
  readonly bucketArn: string | null;
  /** Null in the overall list; the key in the per-key list. */
  readonly keyArn: string | null;
  /** The account billed for these requests (the caller's: see `RequestCount.account`). */
  readonly billedAccount: string;
  /** True when the billed account is one of the report's (its dollars are in the month's total). */
  readonly billedToReport: boolean;
  /** Billed requests (successful ones, and failed ones where those are billed). */
  readonly requests: number;
  /** Its share of its request lines' amounts, less its share of the free tier; null when a line is unknown. */
  readonly cost: Money | null;
  /** Last month's requests and cost, when last month's report lists this caller; else null (unknown, not zero). */
  readonly previousRequests: number | null;
  readonly previousCost: Money | null;
  /** `cost - previousCost`; null when either is unknown. */
  readonly costChange: Money | null;
}

/** The callers that cost the most this month (see {@link CallerDriver}). */
export interface CostDrivers {
  readonly callersKnown: CallersKnown;
  /** Why callers are not (all) known; null when they are. */
  readonly callersNote: string | null;
  /** The costliest callers over all keys, most expensive first (at most `DRIVERS_OVERALL`). */
  readonly overall: readonly CallerDriver[];
  /** Per key (the keys with the costliest request bills first), its costliest callers (at most `DRIVERS_PER_KEY` each). */
  readonly perKey: readonly CallerDriver[];
  /** Requests and dollars billed to the report's accounts whose callers are not known; null amount: unknown. */
  readonly unknownCallers: { readonly requests: number; readonly cost: Money | null };
  /** Last month, when its report listed cost drivers to compare with; else null. */
  readonly previousMonth: string | null;
  /** How each caller's dollars are worked out (its share of the line, the free tier shared pro rata). */
  readonly method: string;
}

/** What a recommendation is about (the order they are applied in is `RECOMMENDATION_ORDER`). */
export type RecommendationKind =
  | 'cross-account-caller'
  | 'remove-unused-key'
  | 's3-bucket-key'
  | 'ecc-data-key-pairs'
  | 'data-key-caching';

/** How to apply a recommendation; null where that way does not apply (caching is a code change). */
export interface HowToApply {
  readonly text: string;
  readonly console: string | null;
  readonly cli: string | null;
  readonly terraform: string | null;
}

/** One piece of advice with dollars. Advice, not a finding: `--fail-on` never looks at it. */
export interface Recommendation {
  /** `<kind>:<subject>`: stable from month to month. */
  readonly id: string;
  readonly kind: RecommendationKind;
  readonly title: string;
  /** What it is about: a bucket ARN, a principal, a key ARN, an account. Hostile text. */
  readonly subject: string;
  /** What triggered it, with the figures. */
  readonly evidence: string;
  /** The keys whose requests or fees it touches. */
  readonly keyArns: readonly string[];
  /** Requests it counts on (those not already counted by an earlier recommendation). */
  readonly requests: number;
  /** Estimated monthly saving for the report's accounts; `0` when billed elsewhere; null when unknown. */
  readonly monthlySaving: Money | null;
  /** `monthlySaving × 12`. */
  readonly yearlySaving: Money | null;
  /** How the saving was estimated (the named constants it rests on). */
  readonly savingBasis: string;
  readonly apply: HowToApply;
}

/** The recommendations of a month, largest saving first, and what they add up to. */
export interface Recommendations {
  readonly items: readonly Recommendation[];
  /** The sum of the known savings (no request counted twice); `complete` false when one is unknown. */
  readonly monthlySaving: { readonly amount: Money; readonly complete: boolean };
  readonly yearlySaving: Money;
  /** How double counting is avoided: the order requests are claimed in. */
  readonly method: string;
}
