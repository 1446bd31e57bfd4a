/** The KMS read APIs the collectors call, each paced under its own quota. */
export type KmsReadApi =
  | 'ListKeys'
  | 'ListAliases'
  | 'DescribeKey'
  | 'ListResourceTags'
  | 'GetKeyRotationStatus'
  | 'ListKeyRotations'
  | 'GetKeyPolicy'
  | 'GetKeyLastUsage';

/**
 * KMS request quotas (requests per second, per account and region), from the KMS developer
 * guide's "Request quotas" page as summarised in kms-facts.md §4. They are adjustable, and
 * shared with every other caller in the account: kms-report uses only a share of each
 * (DEFAULT_QUOTA_SHARE) so that a report run does not throttle production traffic.
 */
export const KMS_READ_QUOTAS = {
  ListKeys: 500,
  ListAliases: 500,
  DescribeKey: 2000,
  ListResourceTags: 2000,
  GetKeyRotationStatus: 1000,
  ListKeyRotations: 100,
  GetKeyPolicy: 1000,
  GetKeyLastUsage: 5,
} as const satisfies Record<KmsReadApi, number>;

/**
 * ASSUMPTION: the share of each quota a run may use. 0.5 leaves half of every quota to the
 * account's own workloads; raise it (up to 1) with `quotaShare` when the account is quiet.
 * GetKeyLastUsage (5/s) is the exception: at half of 5/s a 10,000-key account would take
 * over an hour, so it always runs at its full documented rate and relies on SDK retries.
 */
export const DEFAULT_QUOTA_SHARE = 0.5;

/** Keys described at once per region. Enough to keep DescribeKey's quota busy at ~20 ms latency. */
export const DEFAULT_KEY_CONCURRENCY = 32;

/** Page sizes: the maxima each API accepts. */
export const PAGE_SIZE = {
  ListKeys: 1000,
  ListAliases: 100,
  ListResourceTags: 50,
  ListKeyRotations: 1000,
} as const;

/** Requests per second kms-report allows itself for each API, given a quota share. */
export function ratesFor(quotaShare: number): Record<KmsReadApi, number> {
  if (!(quotaShare > 0 && quotaShare <= 1))
    throw new RangeError(`quotaShare must be in (0, 1], got ${quotaShare}`);
  const rates = {} as Record<KmsReadApi, number>;
  for (const [api, quota] of Object.entries(KMS_READ_QUOTAS) as [KmsReadApi, number][]) {
    rates[api] = api === 'GetKeyLastUsage' ? quota : quota * quotaShare;
  }
  return rates;
}
