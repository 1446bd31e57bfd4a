import { ListRegionsCommand } from '@aws-sdk/client-account';
import { InputError, KmsReportError } from '../errors.js';
import { classifyAwsError, networkError } from './aws-errors.js';
import type { InventoryClients } from './clients.js';
import { awsCredentialsError } from './credentials.js';
import { configuredRegion } from './identity.js';

/** Which regions a collection reads, and whose configuration names the default one. */
export interface RegionChoice {
  /**
   * A list, `'all'` (every region enabled for the account, from account:ListRegions), or omitted
   * for the configured region (AWS_REGION or the profile's).
   */
  readonly regions?: readonly string[] | 'all';
  /** Named profile: its configured region, and the name in error messages. */
  readonly profile?: string;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Checks a user-given region list; names the offending entry. */
export function parseRegionList(input: string, flag = '--regions'): string[] | 'all' {
  const trimmed = input.trim();
  if (trimmed === 'all') return 'all';
  const regions = [...new Set(trimmed.split(',').map((r) => r.trim()))].filter(Boolean);
  if (regions.length === 0)
    throw new InputError(flag, 'expected a comma-separated list of regions, or "all"');
  for (const region of regions) {
    if (!REGION_PATTERN.test(region))
      throw new InputError(flag, `"${region}" is not a region name (expected something like us-east-1)`);
  }
  return regions;
}

/**
 * The regions a collection reads: the list given, every region enabled for the account of
 * `clients` (`'all'`, account:ListRegions), or the configured region.
 */
export async function resolveRegions(
  options: RegionChoice,
  clients: Pick<InventoryClients, 'account'>,
): Promise<string[]> {
  if (options.regions === 'all') {
    const regions: string[] = [];
    try {
      let NextToken: string | undefined;
      do {
        const page = await clients.account().send(
          new ListRegionsCommand({
            RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
            MaxResults: 50,
            NextToken,
          }),
        );
        for (const r of page.Regions ?? []) if (r.RegionName) regions.push(r.RegionName);
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      const e = classifyAwsError(error);
      if (e.kind === 'credentials') throw awsCredentialsError(options.profile, e, error);
      if (e.kind === 'unreachable') throw networkError('account:ListRegions', e, error);
      throw new KmsReportError(
        `could not list the account's enabled regions (account:ListRegions: ${e.code}${e.message ? `, ${e.message}` : ''}); grant account:ListRegions or name the regions with --regions`,
        { cause: error },
      );
    }
    return regions.sort();
  }
  if (options.regions && options.regions.length > 0) return [...options.regions];
  const configured = await configuredRegion(options.profile);
  if (!configured)
    throw new InputError(
      'region',
      'no AWS region is configured: set AWS_REGION, give the profile a region, or pass --regions',
    );
  return [configured];
}
