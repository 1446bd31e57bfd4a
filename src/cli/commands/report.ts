import { type Command, Option } from 'commander';
import { type NetworkOptions, parseTimeout } from '../../collect/client-defaults.js';
import { parseRegionList } from '../../collect/inventory.js';
import { InputError } from '../../errors.js';
import { SEVERITIES, type Severity } from '../../model/findings.js';
import type { FreeTierScope } from '../../model/pricing.js';
import type { MonthlyReport } from '../../model/report.js';
import { type AccountSpec, parseAccountList, parseRoleName } from '../../org/accounts.js';
import { formatTotal } from '../../pricing/money.js';
import { terminalSafe } from '../../report/escape.js';
import { DEFAULT_MARKDOWN_TABLE_ROWS } from '../../report/markdown.js';
import { parseFormats, type ReportFormat, runMonthlyReport } from '../../report/run.js';
import { parseSourceList, type UsageSourceOption } from '../../usage/collect.js';
import { parseDuration } from '../../util/deadline.js';
import { ExitCode, STOP_SIGNALS } from '../exit-codes.js';
import { terminalProgress } from '../progress.js';
import type { CliIo } from './collect.js';

interface ReportOptions {
  month?: string | true;
  demo?: boolean;
  format: ReportFormat[];
  mdMaxRows: number;
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
  if (failOn) {
    const threshold = SEVERITIES.indexOf(failOn);
    const failing = report.findings.some(
      (f) => f.status === 'FAIL' && SEVERITIES.indexOf(f.severity) <= threshold,
    );
    if (failing) return ExitCode.Findings;
  }
  if (failOnGaps && !report.coverage.complete) return ExitCode.Gaps;
  return ExitCode.Ok;
}

function summary(report: MonthlyReport, dir: string, files: number): string {
  const f = report.summary.findings;
  const failing = SEVERITIES.filter((s) => f.failingBySeverity[s] > 0)
    .map((s) => `${f.failingBySeverity[s]} ${s}`)
    .join(', ');
  const gaps = report.coverage.gaps.length;
  const org = report.organization;
  const failedAccounts = org?.accounts.filter((a) => a.coverage === 'failed') ?? [];
  const scope = org
    ? `${org.accounts.length} accounts${org.id ? ` of ${org.id}` : ''}`
    : report.scope.accounts.join(', ');
  return [
    `${report.month}${report.monthToDate ? ' (month to date)' : ''} for ${scope}${report.demo ? ' (demo data)' : ''}:`,
    `  estimated cost ${formatTotal(report.summary.cost.total, { currency: report.cost.currency })}`,
    ...(report.evidence.late
      ? [
          `  late evidence: the inventory was taken ${report.evidence.late.daysAfterMonthEnd} days after the month ended; keys deleted since may be missing (run on the 1st)`,
        ]
      : []),
    `  ${f.byStatus.FAIL} failing findings${failing ? ` (${failing})` : ''}, ${f.byStatus.MUTED} muted, ${f.byStatus.UNKNOWN} unknown`,
    `  coverage ${report.coverage.complete ? 'complete' : `incomplete (${gaps} gaps${report.coverage.usage.some((u) => u.status !== 'complete') ? ', usage sources incomplete' : report.coverage.usage.length === 0 ? ', no usage source' : ''})`}`,
    ...(failedAccounts.length > 0
      ? [
          `  ${failedAccounts.length} account${failedAccounts.length === 1 ? '' : 's'} could not be read: ${failedAccounts.map((a) => a.account).join(', ')}`,
        ]
      : []),
    `Report written to ${dir}/ (${files} files, verify with: sha256sum -c SHA256SUMS)`,
    '',
  ].join('\n');
}

/**
 * The monthly job on the root command: `kms-report --month [YYYY-MM]`. Parses, calls
 * {@link runMonthlyReport}, prints a summary and sets the exit code.
 */
export function addReportOptions(program: Command, io: CliIo, setExit: (code: number) => void): Command {
  return program
    .option(
      '-m, --month [YYYY-MM]',
      'write the monthly report for this month (default: the previous month, UTC)',
    )
    .option(
      '--demo',
      'render the report of the sample account shipped with kms-report (no AWS account needed)',
    )
    .addOption(
      new Option('-f, --format <list>', 'report formats: md, csv, json')
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
    .option(
      '-o, --out <dir>',
      'where report sets are written: <dir>/<account or "organization">/<YYYY-MM>/',
      'reports',
    )
    .option('-r, --regions <list>', 'regions to collect, or "all" (default: the configured region)')
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
    .addOption(
      new Option(
        '--timeout <seconds>',
        'seconds an AWS request may wait for an answer before it is retried (default 30; connections: 5)',
      ).argParser((v) => parseTimeout(v)),
    )
    .addOption(
      new Option(
        '--deadline <duration>',
        'stop collecting after this long (e.g. 30m, 1h30m); what was not read is a gap, and the report is still written',
      ).argParser((v) => parseDuration(v)),
    )
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (opts: ReportOptions) => {
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
      const progress = opts.quiet
        ? { onProgress: () => {}, onAccount: () => {}, done: () => {} }
        : terminalProgress(io.stderr);
      // Ctrl-C or SIGTERM (a scheduler stopping the job) stops the run: nothing is written, exit 130.
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      for (const signal of STOP_SIGNALS) process.once(signal, onSigint);
      try {
        const { report, dir, manifest } = await runMonthlyReport({
          month: typeof opts.month === 'string' ? opts.month : undefined,
          demo: opts.demo,
          formats: opts.format,
          markdownMaxRows: opts.mdMaxRows,
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
        });
        progress.done();
        // The folder and the accounts come from the command line and the evidence: shown, never acted on.
        if (!opts.quiet) io.stdout.write(terminalSafe(summary(report, dir, manifest.files.length + 2)));
        setExit(reportExitCode(report, opts.failOn, opts.failOnGaps ?? false));
      } finally {
        progress.done();
        for (const signal of STOP_SIGNALS) process.off(signal, onSigint);
      }
    });
}
