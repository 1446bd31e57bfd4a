import { type Command, Option } from 'commander';
import { parseAthenaOutput, parseAthenaTable } from '../../collect/athena.js';
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

/** Adds `--athena-table` and its companions (for `--usage-source athena`). */
export function addAthenaOptions(command: Command): void {
  command
    .option('--athena-table <db.table>', "for --usage-source athena: the organisation trail's Athena table")
    .option(
      '--athena-database <name>',
      'for --usage-source athena: the database, when --athena-table names only the table',
    )
    .option('--athena-workgroup <name>', 'for --usage-source athena: the Athena workgroup (default: primary)')
    .option(
      '--athena-output <s3-uri>',
      "for --usage-source athena: the query results' location, when the workgroup sets none",
    )
    .addOption(
      new Option(
        '--athena-layout <layout>',
        'for --usage-source athena: the table layout (README, "Athena")',
      ).choices(CLOUDTRAIL_TABLE_LAYOUTS),
    )
    .option(
      '--athena-region <region>',
      "for --usage-source athena: Athena's region (default: the first region)",
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
  if (flags.athenaWorkgroup !== undefined && !WORKGROUP.test(flags.athenaWorkgroup))
    throw new InputError('--athena-workgroup', `"${flags.athenaWorkgroup}" is not a workgroup name`);
  if (flags.athenaRegion !== undefined) parseRegionList(flags.athenaRegion, '--athena-region');
  return {
    table,
    layout: (flags.athenaLayout as CloudTrailTableLayout | undefined) ?? 'console',
    ...(flags.athenaWorkgroup ? { workgroup: flags.athenaWorkgroup } : {}),
    ...(flags.athenaOutput ? { outputLocation: parseAthenaOutput(flags.athenaOutput) } : {}),
    ...(flags.athenaRegion ? { region: flags.athenaRegion } : {}),
  };
}

function flagValue(flags: AthenaFlags, flag: (typeof ATHENA_ENV_FLAGS)[number]): string | undefined {
  const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof AthenaFlags;
  return flags[key];
}
