import { type Command, Option } from 'commander';
import { type AthenaTableName, parseAthenaOutput, parseAthenaTable } from '../../collect/athena.js';
import { parseRegionList } from '../../collect/regions.js';
import { InputError } from '../../errors.js';
import type { AthenaUsageOptions } from '../../usage/athena.js';
import { CLOUDTRAIL_TABLE_LAYOUTS, type CloudTrailTableLayout } from '../../usage/athena-sql.js';

/** The Athena flags read from the environment as `KMS_REPORT_<FLAG>`. */
export const ATHENA_ENV_FLAGS = [
  '--athena-table',
  '--athena-database',
  '--athena-workgroup',
  '--athena-output',
  '--athena-layout',
  '--athena-region',
] as const;

/** What the Athena flags give. */
export interface AthenaFlags {
  readonly athenaTable?: string;
  readonly athenaDatabase?: string;
  readonly athenaWorkgroup?: string;
  readonly athenaOutput?: string;
  readonly athenaLayout?: string;
  readonly athenaRegion?: string;
}

const WORKGROUP = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Adds `--athena-table` and its companions (for `--usage-source athena`). `queriesFor`: what
 * the workgroup, results location and region serve (the report's `--bill cur-athena` too).
 */
export function addAthenaOptions(command: Command, queriesFor = '--usage-source athena'): void {
  command
    .option('--athena-table <db.table>', "for --usage-source athena: the organisation trail's Athena table")
    .option(
      '--athena-database <name>',
      'for --usage-source athena: the database, when --athena-table names only the table',
    )
    .option('--athena-workgroup <name>', `for ${queriesFor}: the Athena workgroup (default: primary)`)
    .option(
      '--athena-output <s3-uri>',
      `for ${queriesFor}: the query results' location, when the workgroup sets none`,
    )
    .addOption(
      new Option(
        '--athena-layout <layout>',
        'for --usage-source athena: the table layout (README, "Athena")',
      ).choices(CLOUDTRAIL_TABLE_LAYOUTS),
    )
    .option(
      '--athena-region <region>',
      `for ${queriesFor}: Athena's region (default: the first region${queriesFor.includes('cur-athena') ? '; us-east-1 for the CUR' : ''})`,
    );
}

/** The checked Athena options, or undefined when no table is given. */
export function athenaOptionsOf(flags: AthenaFlags): AthenaUsageOptions | undefined {
  if (flags.athenaTable === undefined) {
    const stray = ATHENA_ENV_FLAGS.find((f) => f !== '--athena-table' && flagValue(flags, f) !== undefined);
    if (stray) throw new InputError(stray, 'needs --athena-table');
    return undefined;
  }
  const table = parseAthenaTable(flags.athenaTable, '--athena-table', flags.athenaDatabase);
  return {
    table,
    layout: (flags.athenaLayout as CloudTrailTableLayout | undefined) ?? 'console',
    ...athenaQueryOf(flags),
  };
}

/** Where any query runs (`--athena-workgroup`, `--athena-output`, `--athena-region`), checked. */
export function athenaQueryOf(
  flags: AthenaFlags,
): Pick<AthenaUsageOptions, 'workgroup' | 'outputLocation' | 'region'> {
  if (flags.athenaWorkgroup !== undefined && !WORKGROUP.test(flags.athenaWorkgroup))
    throw new InputError('--athena-workgroup', `"${flags.athenaWorkgroup}" is not a workgroup name`);
  if (flags.athenaRegion !== undefined) parseRegionList(flags.athenaRegion, '--athena-region');
  return {
    ...(flags.athenaWorkgroup ? { workgroup: flags.athenaWorkgroup } : {}),
    ...(flags.athenaOutput ? { outputLocation: parseAthenaOutput(flags.athenaOutput) } : {}),
    ...(flags.athenaRegion ? { region: flags.athenaRegion } : {}),
  };
}

/**
 * The monthly report's Athena flags: the trail's table for `--usage-source athena` (refused
 * without it), the workgroup, results location and region shared with `--bill cur-athena`
 * (`--cur-table`). A flag neither uses is refused, naming what it goes with.
 */
export function reportAthenaOptions(
  flags: AthenaFlags & { readonly curTable?: string },
  uses: { readonly usage: boolean; readonly bill: boolean },
): { usage?: AthenaUsageOptions; curTable?: AthenaTableName; query: ReturnType<typeof athenaQueryOf> } {
  if (!uses.usage)
    for (const flag of ['--athena-table', '--athena-database', '--athena-layout'] as const)
      if (flagValue(flags, flag) !== undefined) throw new InputError(flag, 'goes with --usage-source athena');
  if (!uses.usage && !uses.bill) {
    const stray = ATHENA_ENV_FLAGS.find((f) => flagValue(flags, f) !== undefined);
    if (stray) throw new InputError(stray, 'goes with --usage-source athena or --bill cur-athena');
  }
  if (uses.usage && flags.athenaTable === undefined)
    throw new InputError('--athena-table', "--usage-source athena needs the trail's table (DB.TABLE)");
  if (flags.curTable !== undefined && !uses.bill)
    throw new InputError('--cur-table', 'goes with --bill cur-athena');
  if (uses.bill && flags.curTable === undefined)
    throw new InputError('--bill', 'cur-athena needs --cur-table (the CUR 2.0 table in Athena, DB.TABLE)');
  return {
    ...(uses.usage ? { usage: athenaOptionsOf(flags) } : {}),
    ...(uses.bill ? { curTable: parseAthenaTable(flags.curTable as string, '--cur-table') } : {}),
    query: athenaQueryOf(flags),
  };
}

function flagValue(flags: AthenaFlags, flag: (typeof ATHENA_ENV_FLAGS)[number]): string | undefined {
  const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof AthenaFlags;
  return flags[key];
}
