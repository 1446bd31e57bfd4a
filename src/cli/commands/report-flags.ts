import { type Command, Option } from 'commander';
import { BILL_READER_KINDS, COST_EXPLORER_REQUEST_PRICE } from '../../bill/index.js';
import type { NetworkOptions } from '../../collect/client-defaults.js';
import { ComplianceConfigError, loadConfigOptions, RUN_OPTION_KEYS } from '../../compliance/config.js';
import { InputError } from '../../errors.js';
import { SEVERITIES, type Severity } from '../../model/findings.js';
import type { FreeTierScope } from '../../model/pricing.js';
import { type AccountSpec, parseAccountList, parseRoleName } from '../../org/accounts.js';
import { DEFAULT_REPORT_FORMATS, parseFormats, type ReportFormat } from '../../pipeline/formats.js';
import { DEFAULT_OUT_DIR, DEFAULT_USAGE_SOURCES } from '../../pipeline/options.js';
import { DEFAULT_DRIFT_THRESHOLD_PERCENT } from '../../reconcile/index.js';
import { FINDINGS_CSV_ROWS, type FindingsCsvRows } from '../../report/csv.js';
import { DEFAULT_MARKDOWN_TABLE_ROWS } from '../../report/markdown.js';
import { parseSourceList, type UsageSourceOption } from '../../usage/collect.js';
import { ExitCode } from '../exit-codes.js';
import {
  checkRegions,
  deadlineOption,
  isUnset,
  parseOptionValue,
  setFlag,
  timeoutOption,
} from '../options.js';
import { ATHENA_ENV_FLAGS, type AthenaFlags, addAthenaOptions } from './athena-flags.js';
import { addCurFlags, CUR_ENV_FLAGS, type CurFlags } from './cur-flags.js';
import { addViewFlags } from './view-flags.js';

/** The monthly report's flags, as commander parses them. */
export interface ReportFlags extends AthenaFlags, CurFlags {
  month?: string | true;
  demo?: boolean;
  format: ReportFormat[];
  mdMaxRows: number;
  csvFindings: FindingsCsvRows;
  out: string;
  regions?: string;
  profile?: string;
  usageSource: UsageSourceOption[];
  bucket?: string;
  prefix?: string;
  config?: string;
  pricing?: string;
  snapshot?: string;
  usage?: string;
  freeTier?: FreeTierScope;
  failOn?: Severity;
  failOnGaps?: boolean;
  lastUsage: boolean;
  quiet?: boolean;
  stdout?: boolean;
  color: boolean;
  org?: boolean;
  accounts?: AccountSpec[];
  roleName?: string;
  externalId?: string;
  timeout?: NetworkOptions;
  deadline?: number;
  securityHub?: boolean;
  compliance?: string[];
  rules?: string[];
  severity?: string[];
  status?: string[];
  curTable?: string;
  driftThreshold?: number;
  failOnDrift?: number;
}

/** A percentage flag's value: a number from 0 to 1,000. */
export function parsePercent(value: string, flag: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (!/^\d+(\.\d+)?%?$/.test(value.trim()) || !(n >= 0 && n <= 1000))
    throw new InputError(flag, `expected a percentage between 0 and 1000, got "${value}"`);
  return n;
}

function parseSeverity(value: string): Severity {
  const s = value.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s))
    throw new InputError('--fail-on', `expected one of ${SEVERITIES.join(', ')}, got "${value}"`);
  return s as Severity;
}

function parseMaxRows(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InputError('--md-max-rows', `expected a whole number of rows (0: no limit), got "${value}"`);
  return n;
}

function parseUsageSources(value: string): UsageSourceOption[] {
  return value.trim() === 'none' ? [] : parseSourceList(value, '--usage-source');
}

/** The options the monthly report reads from the environment as `KMS_REPORT_<FLAG>`. */
export const REPORT_ENV_FLAGS = [
  '--format',
  '--md-max-rows',
  '--csv-findings',
  '--out',
  '--regions',
  '--profile',
  '--usage-source',
  '--bucket',
  '--prefix',
  '--config',
  '--pricing',
  '--free-tier',
  '--bill',
  '--drift-threshold',
  ...CUR_ENV_FLAGS,
  '--cur-table',
  ...ATHENA_ENV_FLAGS,
  '--fail-on',
  '--fail-on-gaps',
  '--fail-on-drift',
  '--org',
  '--accounts',
  '--role-name',
  '--external-id',
  '--no-last-usage',
  '--timeout',
  '--deadline',
  '--quiet',
  '--no-color',
] as const;

/**
 * The monthly report's flags on the root command, in the order `--help` lists them: what to
 * report and where, where the evidence comes from, when to fail, which accounts.
 */
export function addReportFlags(program: Command): Command {
  addOutputFlags(program);
  addViewFlags(program);
  addEvidenceFlags(program);
  addExitFlags(program);
  addAccountFlags(program);
  return program
    .option('-q, --quiet', 'print nothing but errors (and, with --fail-on, the line that says why it fails)')
    .addHelpText(
      'after',
      `
Options can also be set in the environment, KMS_REPORT_<OPTION> (KMS_REPORT_REGIONS=all,
KMS_REPORT_FAIL_ON=high, KMS_REPORT_NO_LAST_USAGE=1), and in an "options:" section of the --config
file. The command line wins over the environment, which wins over the file.`,
    );
}

function addOutputFlags(program: Command): void {
  program
    .option(
      '-m, --month [YYYY-MM]',
      'write the monthly report for this month (default: the previous month, UTC)',
    )
    .option(
      '--demo',
      'render the report of the sample account shipped with kms-report (no AWS account needed)',
    )
    .addOption(
      new Option(
        '-f, --format <list>',
        'report formats: md, csv, json, html, ocsf, asff (html: one self-contained page; ocsf: findings.ocsf.json, OCSF 1.8.0 Compliance Finding events; asff: findings.asff.json, AWS Security Finding Format; these three on request)',
      )
        .default([...DEFAULT_REPORT_FORMATS], DEFAULT_REPORT_FORMATS.join(','))
        .argParser((v) => parseFormats(v)),
    )
    .addOption(
      new Option(
        '--md-max-rows <n>',
        'rows per table in report.md (keys, findings, waste, gaps); the CSV and JSON files hold them all (0: no limit)',
      )
        .default(DEFAULT_MARKDOWN_TABLE_ROWS)
        .argParser(parseMaxRows),
    )
    .addOption(
      new Option(
        '--csv-findings <rows>',
        'the findings.csv rows: every verdict, or all but PASS (rules.csv still counts them; report.json keeps them)',
      )
        .choices(FINDINGS_CSV_ROWS)
        .default('all'),
    )
    .option(
      '-o, --out <dir>',
      'where report sets are written (<dir>/<account or "organization">/<YYYY-MM>/); "-": report.json to standard output, nothing to disk',
      DEFAULT_OUT_DIR,
    )
    .option(
      '--stdout',
      'the same as --out -: report.json to standard output (for pipes), the summary to stderr',
    )
    .option(
      '--security-hub',
      `after writing the report, import its findings into AWS Security Hub (BatchImportFindings, each key's region; earlier findings no longer failing are archived). Every finding, whatever --rules/--severity/--status; live evidence of the latest month (or the current one) only, not --snapshot. The only option that writes to AWS: needs iam/kms-report-security-hub-policy.json; exit ${ExitCode.SecurityHub} when a finding is not taken`,
    );
}

function addEvidenceFlags(program: Command): void {
  program
    .option(
      '-r, --regions <list>',
      'regions to collect, or "all" (default: the configured region)',
      checkRegions,
    )
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .addOption(
      new Option(
        '--usage-source <list>',
        "request-volume sources: lookup (CloudTrail Event history), s3 (trail log files) or athena (the trail's Athena table), cloudwatch, or none",
      )
        .default([...DEFAULT_USAGE_SOURCES], DEFAULT_USAGE_SOURCES.join(','))
        .argParser(parseUsageSources),
    )
    .option('--bucket <name>', 'for --usage-source s3: the trail bucket')
    .option(
      '--prefix <prefix>',
      'for --usage-source s3: the key prefix before <account>/CloudTrail/ (default AWSLogs/)',
    );
  addAthenaOptions(program, '--usage-source athena or --bill cur-athena');
  program
    .option('-c, --config <file>', 'compliance configuration (YAML): thresholds, required tags, suppressions')
    .option(
      '--pricing <path>',
      'a pricing table file or folder (default: the tables shipped with kms-report)',
    )
    .option('--snapshot <file>', 'render from a saved inventory snapshot instead of collecting')
    .option('--usage <file>', 'with --snapshot: a saved usage evidence file (kms-report usage)')
    .addOption(
      new Option(
        '--free-tier <scope>',
        'the 20,000-request free tier once per account, or once for the organization (default: organization with --org, else account)',
      ).choices(['account', 'organization']),
    )
    .addOption(
      new Option(
        '--bill <source>',
        `read the month's bill and put the estimate beside it (report section, reconciliation.csv): cost-explorer costs $${COST_EXPLORER_REQUEST_PRICE.toFixed(2)} a request, one a month (one more per page); cur reads the Cost and Usage Report in S3, cur-athena its Athena table (--cur-table; Athena bills the bytes scanned)`,
      ).choices(BILL_READER_KINDS),
    )
    .addOption(
      new Option(
        '--drift-threshold <pct>',
        `with --bill: flag a difference above this percentage of its bill that nothing explains (not on a bill still estimated)`,
      )
        .default(DEFAULT_DRIFT_THRESHOLD_PERCENT)
        .argParser((v) => parsePercent(v, '--drift-threshold')),
    )
    .option(
      '--cur-table <db.table>',
      'for --bill cur-athena: the CUR 2.0 table in Athena (Data Exports; queried with --athena-workgroup, --athena-output, --athena-region)',
    );
  addCurFlags(program);
}

function addExitFlags(program: Command): void {
  program
    .addOption(
      new Option(
        '--fail-on <severity>',
        `exit ${ExitCode.Findings} when an unmuted finding at or above this severity fails`,
      ).argParser(parseSeverity),
    )
    .option(
      '--fail-on-gaps',
      `exit ${ExitCode.Gaps} when coverage is incomplete (an account, region, key or usage source not read)`,
    )
    .addOption(
      new Option(
        '--fail-on-drift <pct>',
        `with --bill: exit ${ExitCode.Drift} when the total estimate differs from the bill by more than this percentage (not on a bill still estimated or of unknown status), or the drift is unknown (the bill not read or read in part, the estimate a lower bound, another currency)`,
      ).argParser((v) => parsePercent(v, '--fail-on-drift')),
    );
}

function addAccountFlags(program: Command): void {
  program
    .option(
      '--org',
      'report on every ACTIVE account of the organization (AWS Organizations), assuming --role-name in each',
    )
    .addOption(
      new Option(
        '--accounts <list>',
        'account ids or role ARNs: with --org, only these; without, the accounts to report on',
      ).argParser((v) => parseAccountList(v)),
    )
    .addOption(
      new Option(
        '--role-name <name>',
        'with --org or --accounts: the role to assume in each account',
      ).argParser((v) => parseRoleName(v)),
    )
    .option('--external-id <id>', 'the external id the role to assume requires')
    .option('--no-last-usage', 'skip GetKeyLastUsage while collecting')
    .addOption(timeoutOption())
    .addOption(deadlineOption('; what was not read is a gap, and the report is still written'));
}

/**
 * The `options:` section of the `--config` file fills what neither the command line nor the
 * environment gave. Its values go through the flags' own parsers; a refusal names the file, the
 * field and its line.
 */
export async function applyConfigOptions(command: Command): Promise<void> {
  const file = command.getOptionValue('config') as string | undefined;
  if (file === undefined) return;
  const { options, lineOf } = await loadConfigOptions(file);
  for (const key of RUN_OPTION_KEYS) {
    const value = options[key];
    if (value === undefined || !isUnset(command, key)) continue;
    const option = command.options.find((o) => o.attributeName() === key);
    if (!option) continue;
    if (typeof value === 'boolean') {
      setFlag(command, option, option.negate ? !value : value, 'config');
      continue;
    }
    const text = Array.isArray(value) ? value.join(',') : String(value);
    try {
      command.setOptionValueWithSource(key, parseOptionValue(option, text, `options.${key}`), 'config');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new ComplianceConfigError(file, [
        { field: `options.${key}`, line: lineOf(key), message: error.detail },
      ]);
    }
  }
}
