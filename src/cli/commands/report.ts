import { once } from 'node:events';
import type { Command } from 'commander';
import { parseRegionList } from '../../collect/regions.js';
import { describeFilter } from '../../compliance/filter.js';
import { InputError } from '../../errors.js';
import { failingBySeverity, type Severity, severityCounts, severityRank } from '../../model/findings.js';
import { flaggedDifferences } from '../../model/reconciliation.js';
import type { MonthlyReport } from '../../model/report.js';
import type { EvidenceOptions, MonthlyReportOptions } from '../../pipeline/options.js';
import { renderMonthlyReport, runMonthlyReport } from '../../pipeline/run.js';
import { formatMoney, formatTotal } from '../../pricing/money.js';
import type { SecurityHubImport } from '../../publish/security-hub.js';
import { driftBeyond } from '../../reconcile/index.js';
import { terminalSafe } from '../../report/escape.js';
import type { AthenaUsageOptions } from '../../usage/athena.js';
import { jsonFileChunks } from '../../util/json-chunks.js';
import { ExitCode, STOP_SIGNALS } from '../exit-codes.js';
import { addNoColor, plural, readsEnvironment, resolveOptionSources } from '../options.js';
import { terminalProgress } from '../progress.js';
import { securityHubExit, securityHubSummary } from '../security-hub-summary.js';
import { reportAthenaOptions } from './athena-flags.js';
import type { CliIo } from './collect.js';
import { curLocation } from './cur-flags.js';
import { addReportFlags, applyConfigOptions, REPORT_ENV_FLAGS, type ReportFlags } from './report-flags.js';

/** The exit code for `--fail-on` and `--fail-on-gaps`. */
export function reportExitCode(
  report: MonthlyReport,
  failOn: Severity | undefined,
  failOnGaps: boolean,
  failOnDrift?: number,
): number {
  return reportExit(report, failOn, failOnGaps, failOnDrift).code;
}

/**
 * The exit code for `--fail-on` and `--fail-on-gaps`, and the one line that says why when it is
 * not 0 (printed on stderr even with `--quiet`: a job that fails says why).
 */
export function reportExit(
  report: MonthlyReport,
  failOn: Severity | undefined,
  failOnGaps: boolean,
  failOnDrift?: number,
): { code: number; reason: string | null } {
  if (failOn) {
    const threshold = severityRank(failOn);
    const failing = report.findings.filter(
      (f) => f.status === 'FAIL' && severityRank(f.severity) <= threshold,
    );
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
  const drift = failOnDrift === undefined || !report.bill ? null : driftBeyond(report.bill, failOnDrift);
  if (drift)
    return {
      code: ExitCode.Drift,
      reason: `exit ${ExitCode.Drift} (--fail-on-drift ${failOnDrift}): ${drift}`,
    };
  return { code: ExitCode.Ok, reason: null };
}

/** One line: the bill read, its total and the drift. */
function billSummary(report: MonthlyReport): string {
  const rec = report.bill as NonNullable<MonthlyReport['bill']>;
  const t = rec.totals;
  if (t.billed === null) return `bill (${rec.source}): not read (${rec.gaps[0] ?? 'unknown'})`;
  const flagged = flaggedDifferences(rec);
  return `bill (${rec.source}, ${rec.status}): ${formatMoney(t.billed, { currency: rec.currency })}, drift ${t.percent === null ? 'n/a' : `${t.percent}%`}${flagged > 0 ? `, ${plural(flagged, 'difference')} flagged` : ''}; ${rec.readCost}`;
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
    ...(report.filters ? [`  filtered: only ${describeFilter(report.filters)}`] : []),
    `  coverage ${report.coverage.complete ? 'complete' : `incomplete (${plural(gaps, 'gap')}${report.coverage.usage.some((u) => u.status !== 'complete') ? ', usage sources incomplete' : report.coverage.usage.length === 0 ? ', no usage source' : ''})`}`,
    ...(report.bill ? [`  ${billSummary(report)}`] : []),
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

/**
 * The monthly job on the root command: `kms-report --month [YYYY-MM]`. Parses, calls
 * {@link runMonthlyReport}, prints a summary and sets the exit code.
 */
export function addReportOptions(program: Command, io: CliIo, setExit: (code: number) => void): Command {
  addReportFlags(program);
  addNoColor(program);
  readsEnvironment(program, REPORT_ENV_FLAGS);
  resolveOptionSources(program, io, applyConfigOptions);
  return program.action(async (flags: ReportFlags) => {
    checkFlags(program, io, flags);
    const toStdout = toStandardOutput(program, flags);
    const progress = flags.quiet
      ? { onProgress: () => {}, onAccount: () => {}, done: () => {} }
      : terminalProgress(io.stderr);
    // Ctrl-C or SIGTERM (a scheduler stopping the job) stops the run: nothing is written, exit 130.
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    for (const signal of STOP_SIGNALS) process.once(signal, onSigint);
    try {
      const options = reportOptions(flags, io, toStdout, {
        progress: { onInventory: progress.onProgress, onAccount: progress.onAccount },
        signal: controller.signal,
      });
      const { report, written, securityHub } = await produce(options, toStdout, io, progress.done);
      // With report.json on stdout, what a person reads goes to stderr: stdout is the pipe's.
      // The folder and the accounts come from the command line and the evidence: shown, never acted on.
      if (!flags.quiet) (toStdout ? io.stderr : io.stdout).write(terminalSafe(summary(report, written)));
      if (securityHub && (!flags.quiet || !securityHub.complete))
        io.stderr.write(terminalSafe(securityHubSummary(securityHub)));
      const exit =
        securityHubExit(securityHub) ??
        reportExit(report, flags.failOn, flags.failOnGaps ?? false, flags.failOnDrift);
      if (exit.reason) io.stderr.write(`kms-report: ${terminalSafe(exit.reason, { oneLine: true })}\n`);
      setExit(exit.code);
    } finally {
      progress.done();
      for (const signal of STOP_SIGNALS) process.off(signal, onSigint);
    }
  });
}

/** Refuses what the flags cannot mean together (before anything is read). */
function checkFlags(program: Command, io: CliIo, flags: ReportFlags): void {
  if (flags.month === undefined && !flags.demo) {
    io.stderr.write(terminalSafe(program.helpInformation()));
    throw new InputError(
      'kms-report',
      'nothing to do: give --month [YYYY-MM] for the monthly report (or --demo), or a command',
    );
  }
  curLocation(flags);
  if (flags.failOnDrift !== undefined && !flags.bill)
    throw new InputError('--fail-on-drift', 'goes with --bill (the bill to compare the estimate with)');
  if (flags.usage && !flags.snapshot)
    throw new InputError('--usage', 'goes with --snapshot (to render from saved evidence)');
  if (flags.demo && flags.snapshot) throw new InputError('--demo', 'cannot be combined with --snapshot');
  const many = manyAccounts(flags);
  if (many && (flags.demo || flags.snapshot))
    throw new InputError(
      flags.org ? '--org' : '--accounts',
      `collects from AWS: it cannot be combined with ${flags.demo ? '--demo' : '--snapshot'}`,
    );
  if (!many && (flags.roleName !== undefined || flags.externalId !== undefined))
    throw new InputError(
      flags.roleName !== undefined ? '--role-name' : '--external-id',
      'goes with --org or --accounts (the accounts to enter)',
    );
}

const manyAccounts = (flags: ReportFlags): boolean => flags.org === true || flags.accounts !== undefined;

/** `--stdout` or `--out -`: report.json to standard output, refusing flags typed for a report set. */
function toStandardOutput(program: Command, flags: ReportFlags): boolean {
  const toStdout = flags.stdout === true || flags.out === '-';
  if (!toStdout) return false;
  if (flags.stdout && flags.out !== '-' && program.getOptionValueSource('out') === 'cli')
    throw new InputError(
      '--stdout',
      `writes to standard output: it cannot be combined with --out ${flags.out}`,
    );
  // Only formats typed on this command line are refused: a default, the environment's or the
  // file's (written for report sets) give way to json.
  const typed = program.getOptionValueSource('format') === 'cli';
  if (typed && (flags.format.length !== 1 || flags.format[0] !== 'json'))
    throw new InputError(
      '--format',
      `only json goes to standard output (one file on one stream): give --format json, or --out <dir> for ${flags.format.join(', ')}`,
    );
  return true;
}

/** The library's options for these flags: what the CLI runs is what a library user would write. */
function reportOptions(
  flags: ReportFlags,
  io: CliIo,
  toStdout: boolean,
  run: Pick<MonthlyReportOptions, 'progress' | 'signal'> = {},
): MonthlyReportOptions {
  const athena = reportAthenaOptions(flags, {
    usage: flags.usageSource.includes('athena'),
    bill: flags.bill === 'cur-athena',
  });
  return {
    month: typeof flags.month === 'string' ? flags.month : undefined,
    evidence: evidenceOptions(flags, io, athena.usage),
    output: {
      dir: flags.out,
      formats: toStdout ? ['json'] : flags.format,
      markdownMaxRows: flags.mdMaxRows,
      findingsCsv: flags.csvFindings,
    },
    pricing: { tables: flags.pricing, freeTierScope: flags.freeTier },
    bill: flags.bill
      ? {
          source: flags.bill,
          clients: io.billClients,
          driftThresholdPercent: flags.driftThreshold,
          cur: curLocation(flags),
          ...(athena.curTable ? { curAthena: { table: athena.curTable, ...athena.query } } : {}),
        }
      : undefined,
    configFile: flags.config,
    filter: { rules: flags.rules, severities: flags.severity, statuses: flags.status },
    frameworks: flags.compliance,
    network: flags.timeout,
    deadlineMs: flags.deadline,
    now: io.now,
    ...(flags.securityHub ? { securityHub: {} } : {}),
    ...run,
  };
}

/** `--demo`, `--snapshot`, `--org`/`--accounts`, or (the default) the caller's account. */
function evidenceOptions(flags: ReportFlags, io: CliIo, athena?: AthenaUsageOptions): EvidenceOptions {
  if (flags.demo) return { kind: 'demo' };
  if (flags.snapshot) return { kind: 'saved', snapshotFile: flags.snapshot, usageFile: flags.usage };
  const collection = {
    regions: flags.regions === undefined ? undefined : parseRegionList(flags.regions),
    profile: flags.profile,
    lastUsage: flags.lastUsage,
    usageSources: flags.usageSource,
    bucket: flags.bucket,
    prefix: flags.prefix,
    ...(athena ? { athena } : {}),
    clients: io.clients,
  };
  if (!manyAccounts(flags)) return { kind: 'live', ...collection };
  return {
    kind: 'organization',
    ...collection,
    fromOrganization: flags.org ?? false,
    accounts: flags.accounts,
    roleName: flags.roleName,
    externalId: flags.externalId,
  };
}

/** Runs the job: the report set written, or report.json printed on standard output. */
async function produce(
  options: MonthlyReportOptions,
  toStdout: boolean,
  io: CliIo,
  collected: () => void,
): Promise<{ report: MonthlyReport; written: string; securityHub: SecurityHubImport | null }> {
  if (toStdout) {
    const report = await renderMonthlyReport(options);
    // The progress line is cleared before the first byte of the pipe's.
    collected();
    // JSON escapes every control character in its strings: report.json is inert as it is.
    await writeChunks(io.stdout, jsonFileChunks(report));
    return {
      report,
      written: 'report.json written to standard output (nothing written to disk)',
      securityHub: null,
    };
  }
  const { report, dir, manifest, securityHub } = await runMonthlyReport(options);
  collected();
  return {
    report,
    securityHub,
    written: `Report written to ${dir}/ (${plural(manifest.files.length + 2, 'file')}, verify with: sha256sum -c SHA256SUMS)`,
  };
}
