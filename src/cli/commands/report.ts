import { once } from 'node:events';
import { type Command, Option } from 'commander';
import type { NetworkOptions } from '../../collect/client-defaults.js';
import { parseRegionList } from '../../collect/inventory.js';
import { ComplianceConfigError, loadConfigOptions, RUN_OPTION_KEYS } from '../../compliance/config.js';
import { InputError } from '../../errors.js';
import { failingBySeverity, SEVERITIES, type Severity, severityCounts } from '../../model/findings.js';
import type { FreeTierScope } from '../../model/pricing.js';
import type { MonthlyReport } from '../../model/report.js';
import { type AccountSpec, parseAccountList, parseRoleName } from '../../org/accounts.js';
import { formatTotal } from '../../pricing/money.js';
import { FINDINGS_CSV_ROWS, type FindingsCsvRows } from '../../report/csv.js';
import { terminalSafe } from '../../report/escape.js';
import { DEFAULT_MARKDOWN_TABLE_ROWS } from '../../report/markdown.js';
import { parseFormats, type ReportFormat, renderMonthlyReport, runMonthlyReport } from '../../report/run.js';
import { parseSourceList, type UsageSourceOption } from '../../usage/collect.js';
import { jsonFileChunks } from '../../util/json-chunks.js';
import { ExitCode, STOP_SIGNALS } from '../exit-codes.js';
import {
  addNoColor,
  checkRegions,
  deadlineOption,
  isUnset,
  parseOptionValue,
  plural,
  readsEnvironment,
  resolveOptionSources,
  setFlag,
  timeoutOption,
} from '../options.js';
import { terminalProgress } from '../progress.js';
import type { CliIo } from './collect.js';

interface ReportOptions {
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

/** The exit code for `--fail-on` and `--fail-on-gaps`. */
export function reportExitCode(
  report: MonthlyReport,
  failOn: Severity | undefined,
  failOnGaps: boolean,
): number {
  return reportExit(report, failOn, failOnGaps).code;
}

/**
 * The exit code for `--fail-on` and `--fail-on-gaps`, and the one line that says why when it is
 * not 0 (printed on stderr even with `--quiet`: a job that fails says why).
 */
export function reportExit(
  report: MonthlyReport,
  failOn: Severity | undefined,
  failOnGaps: boolean,
): { code: number; reason: string | null } {
  if (failOn) {
    const threshold = SEVERITIES.indexOf(failOn);
    const at = SEVERITIES.filter((s) => SEVERITIES.indexOf(s) <= threshold);
    const failing = report.findings.filter((f) => f.status === 'FAIL' && at.includes(f.severity));
    if (failing.length > 0) {
      const split = severityCounts(failingBySeverity(failing));
      return {
        code: ExitCode.Findings,
        reason: `exit ${ExitCode.Findings} (--fail-on ${failOn}): ${plural(failing.length, 'unmuted failing finding')} at or above ${failOn} (${split})`,
      };
    }
  }
  if (failOnGaps && !report.coverage.complete) {
    const gaps = report.coverage.gaps.length;
    const usage = report.coverage.usage.some((u) => u.status !== 'complete');
    return {
      code: ExitCode.Gaps,
      reason: `exit ${ExitCode.Gaps} (--fail-on-gaps): coverage is incomplete (${[
        ...(gaps > 0 ? [plural(gaps, 'gap')] : []),
        ...(usage ? ['usage sources incomplete'] : []),
        ...(gaps === 0 && !usage ? ['see the report'] : []),
      ].join(', ')})`,
    };
  }
  return { code: ExitCode.Ok, reason: null };
}

function summary(report: MonthlyReport, written: string): string {
  const f = report.summary.findings;
  const failing = severityCounts(f.failingBySeverity);
  const gaps = report.coverage.gaps.length;
  const org = report.organization;
  const failedAccounts = org?.accounts.filter((a) => a.coverage === 'failed') ?? [];
  const scope = org
    ? `${plural(org.accounts.length, 'account')}${org.id ? ` of ${org.id}` : ''}`
    : report.scope.accounts.join(', ');
  return [
    `${report.month}${report.monthToDate ? ' (month to date)' : ''} for ${scope}${report.demo ? ' (demo data)' : ''}:`,
    `  estimated cost ${formatTotal(report.summary.cost.total, { currency: report.cost.currency })}`,
    ...(report.evidence.late
      ? [
          `  late evidence: the inventory was taken ${plural(report.evidence.late.daysAfterMonthEnd, 'day')} after the month ended; keys deleted since may be missing (run on the 1st)`,
        ]
      : []),
    `  ${plural(f.byStatus.FAIL, 'failing finding')}${failing ? ` (${failing})` : ''}, ${f.byStatus.MUTED} muted, ${f.byStatus.UNKNOWN} unknown`,
    `  coverage ${report.coverage.complete ? 'complete' : `incomplete (${plural(gaps, 'gap')}${report.coverage.usage.some((u) => u.status !== 'complete') ? ', usage sources incomplete' : report.coverage.usage.length === 0 ? ', no usage source' : ''})`}`,
    ...(failedAccounts.length > 0
      ? [
          `  ${plural(failedAccounts.length, 'account')} could not be read: ${failedAccounts.map((a) => a.account).join(', ')}`,
        ]
      : []),
    written,
    '',
  ].join('\n');
}

/**
 * Writes the pieces to `stream`, waiting when it is full (a pipe to a slow reader). A reader that
 * goes away (`| head`: EPIPE) ends the writing quietly, as it does for other command-line tools.
 */
async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (error: NodeJS.ErrnoException) => {
    failure ??= error;
  };
  stream.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failure) break;
      if (!stream.write(chunk)) await once(stream, 'drain');
    }
  } catch (error) {
    failure ??= error as NodeJS.ErrnoException;
  }
  // Left listening once the reader is gone: a late EPIPE is not an error of the run.
  if (failure === null) stream.off('error', onError);
  else if ((failure as NodeJS.ErrnoException).code !== 'EPIPE') throw failure;
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
  '--fail-on',
  '--fail-on-gaps',
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
 * The `options:` section of the `--config` file fills what neither the command line nor the
 * environment gave. Its values go through the flags' own parsers; a refusal names the file, the
 * field and its line.
 */
async function applyConfigOptions(command: Command): Promise<void> {
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
        { field: `options.${key}`, line: lineOf(key), message: error.message.slice(error.input.length + 2) },
      ]);
    }
  }
}

/**
 * The monthly job on the root command: `kms-report --month [YYYY-MM]`. Parses, calls
 * {@link runMonthlyReport}, prints a summary and sets the exit code.
 */
export function addReportOptions(program: Command, io: CliIo, setExit: (code: number) => void): Command {
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
        'report formats: md, csv, json, html (html: one self-contained page, on request)',
      )
        .default(['md', 'csv', 'json'], 'md,csv,json')
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
      'reports',
    )
    .option(
      '--stdout',
      'the same as --out -: report.json to standard output (for pipes), the summary to stderr',
    )
    .option(
      '-r, --regions <list>',
      'regions to collect, or "all" (default: the configured region)',
      checkRegions,
    )
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .addOption(
      new Option(
        '--usage-source <list>',
        'request-volume sources: lookup (CloudTrail Event history), s3 (trail log files), cloudwatch, or none',
      )
        .default(['lookup', 'cloudwatch'], 'lookup,cloudwatch')
        .argParser(parseUsageSources),
    )
    .option('--bucket <name>', 'for --usage-source s3: the trail bucket')
    .option(
      '--prefix <prefix>',
      'for --usage-source s3: the key prefix before <account>/CloudTrail/ (default AWSLogs/)',
    )
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
        '--fail-on <severity>',
        `exit ${ExitCode.Findings} when an unmuted finding at or above this severity fails`,
      ).argParser(parseSeverity),
    )
    .option(
      '--fail-on-gaps',
      `exit ${ExitCode.Gaps} when coverage is incomplete (an account, region, key or usage source not read)`,
    )
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
    .addOption(deadlineOption('; what was not read is a gap, and the report is still written'))
    .option('-q, --quiet', 'print nothing but errors (and, with --fail-on, the line that says why it fails)')
    .addHelpText(
      'after',
      `
Options can also be set in the environment, KMS_REPORT_<OPTION> (KMS_REPORT_REGIONS=all,
KMS_REPORT_FAIL_ON=high, KMS_REPORT_NO_LAST_USAGE=1), and in an "options:" section of the --config
file. The command line wins over the environment, which wins over the file.`,
    );
  addNoColor(program);
  readsEnvironment(program, REPORT_ENV_FLAGS);
  resolveOptionSources(program, io, applyConfigOptions);
  return program.action(async (opts: ReportOptions) => {
    if (opts.month === undefined && !opts.demo) {
      io.stderr.write(terminalSafe(program.helpInformation()));
      throw new InputError(
        'kms-report',
        'nothing to do: give --month [YYYY-MM] for the monthly report (or --demo), or a command',
      );
    }
    if (opts.usage && !opts.snapshot)
      throw new InputError('--usage', 'goes with --snapshot (to render from saved evidence)');
    if (opts.demo && opts.snapshot) throw new InputError('--demo', 'cannot be combined with --snapshot');
    const many = opts.org || opts.accounts !== undefined;
    if (many && (opts.demo || opts.snapshot))
      throw new InputError(
        opts.org ? '--org' : '--accounts',
        `collects from AWS: it cannot be combined with ${opts.demo ? '--demo' : '--snapshot'}`,
      );
    if (!many && (opts.roleName !== undefined || opts.externalId !== undefined))
      throw new InputError(
        opts.roleName !== undefined ? '--role-name' : '--external-id',
        'goes with --org or --accounts (the accounts to enter)',
      );
    const toStdout = opts.stdout === true || opts.out === '-';
    if (toStdout) {
      if (opts.stdout && opts.out !== '-' && program.getOptionValueSource('out') === 'cli')
        throw new InputError(
          '--stdout',
          `writes to standard output: it cannot be combined with --out ${opts.out}`,
        );
      // Only formats typed on this command line are refused: a default, the environment's or the
      // file's (written for report sets) give way to json.
      const typed = program.getOptionValueSource('format') === 'cli';
      if (typed && (opts.format.length !== 1 || opts.format[0] !== 'json'))
        throw new InputError(
          '--format',
          `only json goes to standard output (one file on one stream): give --format json, or --out <dir> for ${opts.format.join(', ')}`,
        );
    }
    // With report.json on stdout, what a person reads goes to stderr: stdout is the pipe's.
    const tell = toStdout ? io.stderr : io.stdout;
    const progress = opts.quiet
      ? { onProgress: () => {}, onAccount: () => {}, done: () => {} }
      : terminalProgress(io.stderr);
    // Ctrl-C or SIGTERM (a scheduler stopping the job) stops the run: nothing is written, exit 130.
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    for (const signal of STOP_SIGNALS) process.once(signal, onSigint);
    try {
      const options = {
        month: typeof opts.month === 'string' ? opts.month : undefined,
        demo: opts.demo,
        formats: toStdout ? (['json'] as ReportFormat[]) : opts.format,
        markdownMaxRows: opts.mdMaxRows,
        findingsCsv: opts.csvFindings,
        outDir: opts.out,
        regions: opts.regions === undefined ? undefined : parseRegionList(opts.regions),
        profile: opts.profile,
        usageSources: opts.usageSource,
        bucket: opts.bucket,
        prefix: opts.prefix,
        configFile: opts.config,
        pricing: opts.pricing,
        snapshotFile: opts.snapshot,
        usageFile: opts.usage,
        freeTierScope: opts.freeTier,
        lastUsage: opts.lastUsage,
        organization: many
          ? {
              fromOrganization: opts.org ?? false,
              accounts: opts.accounts,
              roleName: opts.roleName,
              externalId: opts.externalId,
              clients: io.orgClients,
              onAccount: progress.onAccount,
            }
          : undefined,
        inventoryClients: io.clients,
        network: opts.timeout,
        deadlineMs: opts.deadline,
        signal: controller.signal,
        now: io.now,
        onInventoryProgress: progress.onProgress,
      };
      let report: MonthlyReport;
      let written: string;
      if (toStdout) {
        report = await renderMonthlyReport(options);
        progress.done();
        // JSON escapes every control character in its strings: report.json is inert as it is.
        await writeChunks(io.stdout, jsonFileChunks(report));
        written = 'report.json written to standard output (nothing written to disk)';
      } else {
        const result = await runMonthlyReport(options);
        report = result.report;
        written = `Report written to ${result.dir}/ (${plural(result.manifest.files.length + 2, 'file')}, verify with: sha256sum -c SHA256SUMS)`;
      }
      progress.done();
      // The folder and the accounts come from the command line and the evidence: shown, never acted on.
      if (!opts.quiet) tell.write(terminalSafe(summary(report, written)));
      const exit = reportExit(report, opts.failOn, opts.failOnGaps ?? false);
      if (exit.reason) io.stderr.write(`kms-report: ${terminalSafe(exit.reason, { oneLine: true })}\n`);
      setExit(exit.code);
    } finally {
      progress.done();
      for (const signal of STOP_SIGNALS) process.off(signal, onSigint);
    }
  });
}
