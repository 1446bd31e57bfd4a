import type { Command } from 'commander';
import { type BillReaderKind, type CurExportLocation, DEFAULT_CUR_REGION } from '../../bill/index.js';
import { InputError } from '../../errors.js';

/**
 * Where `--bill cur` reads the CUR 2.0 export: one definition of the flags, for the monthly
 * report and `kms-report reconcile`.
 */

/** The CUR export's flags, as commander parses them. */
export interface CurFlags {
  bill?: BillReaderKind;
  curBucket?: string;
  curPrefix?: string;
  curExport?: string;
  curRegion?: string;
}

/** The CUR flags read from the environment as `KMS_REPORT_<FLAG>`. */
export const CUR_ENV_FLAGS = ['--cur-bucket', '--cur-prefix', '--cur-export', '--cur-region'] as const;

/** Adds `--cur-bucket`, `--cur-prefix`, `--cur-export` and `--cur-region` to `command`. */
export function addCurFlags(command: Command): Command {
  return command
    .option(
      '--cur-bucket <name>',
      'for --bill cur: the S3 bucket of the CUR 2.0 export (Data Exports, Parquet, with resource ids)',
    )
    .option(
      '--cur-prefix <prefix>',
      "for --bill cur: the S3 prefix that holds the export (default: the bucket's root)",
    )
    .option(
      '--cur-export <name>',
      "for --bill cur: the export's name (default: the one export under the prefix that holds the month)",
    )
    .option('--cur-region <region>', `for --bill cur: the bucket's region (default ${DEFAULT_CUR_REGION})`);
}

/**
 * Where `--bill cur` reads the export; undefined for another bill. A CUR flag without
 * `--bill cur`, or `--bill cur` without `--cur-bucket`, is an InputError.
 */
export function curLocation(flags: CurFlags): CurExportLocation | undefined {
  for (const [flag, value] of [
    ['--cur-bucket', flags.curBucket],
    ['--cur-prefix', flags.curPrefix],
    ['--cur-export', flags.curExport],
    ['--cur-region', flags.curRegion],
  ] as const)
    if (value !== undefined && flags.bill !== 'cur') throw new InputError(flag, 'goes with --bill cur');
  if (flags.bill !== 'cur') return undefined;
  if (!flags.curBucket)
    throw new InputError('--bill', 'cur needs --cur-bucket (the S3 bucket of the CUR 2.0 export)');
  return {
    bucket: flags.curBucket,
    prefix: flags.curPrefix,
    exportName: flags.curExport,
    region: flags.curRegion,
  };
}
