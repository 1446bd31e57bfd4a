import { Command, Option } from 'commander';
import type { NetworkOptions } from '../../collect/client-defaults.js';
import { awsClients, clientsFor } from '../../collect/clients.js';
import { configuredRegion } from '../../collect/identity.js';
import { parseRegionList, resolveRegions } from '../../collect/regions.js';
import { InputError } from '../../errors.js';
import { collectMonthUsage, type MonthUsageResult } from '../../org/usage.js';
import { DEFAULT_OUT_DIR } from '../../pipeline/options.js';
import { terminalSafe } from '../../report/escape.js';
import { parseSourceList } from '../../usage/collect.js';
import { writeUsageEvidence } from '../../usage/evidence.js';
import type { UsageProgress } from '../../usage/source.js';
import type { Clock } from '../../util/clock.js';
import { startDeadline } from '../../util/deadline.js';
import { parseMonth } from '../../util/month.js';
import { ExitCode, STOP_SIGNALS } from '../exit-codes.js';
import {
  addNoColor,
  checkRegions,
  deadlineOption,
  deprecatedAlias,
  environmentHelp,
  plural,
  readsEnvironment,
  resolveOptionSources,
  timeoutOption,
} from '../options.js';
import { ATHENA_ENV_FLAGS, addAthenaOptions, athenaOptionsOf } from './athena-flags.js';
import { type CliIo, outputPath } from './collect.js';

/** The shell's code for a run ended by Ctrl-C or SIGTERM (128 + SIGINT). The evidence file is still written. */
export const INTERRUPTED_EXIT_CODE = ExitCode.Interrupted;

/** What the usage command can be given besides {@link CliIo}; tests inject these. */
export interface UsageCliExtras {
  /** Replaces Ctrl-C handling: aborting it stops the collection as Ctrl-C would. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

const SOURCE_LABEL: Record<string, string> = {
  'cloudtrail-lookup': 'lookup',
  'cloudtrail-s3': 's3',
  'cloudtrail-athena': 'athena',
  cloudwatch: 'cloudwatch',
};

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** One self-rewriting line on stderr, only when it is a terminal. */
function usageProgress(stream: NodeJS.WriteStream) {
  if (!stream.isTTY) return { onProgress: () => {}, line: (_: string) => {}, done: () => {} };
  const state = new Map<string, UsageProgress>();
  let drawn = false;
  return {
    onProgress: (p: UsageProgress) => {
      state.set(`${p.region}/${p.source}`, p);
      const parts = [...state.values()].map((s) => {
        const eta = s.fraction < 1 && s.etaSeconds !== null ? `, ~${duration(s.etaSeconds)} left` : '';
        const events =
          s.source === 'cloudwatch'
            ? ''
            : `${s.events.toLocaleString('en-US')} events, ${Math.round(s.eventsPerSecond)}/s, `;
        return `${s.region} ${SOURCE_LABEL[s.source] ?? s.source}: ${events}${Math.round(s.fraction * 100)}%${eta}`;
      });
      stream.write(`\r\x1b[2K${terminalSafe(parts.join(' | '), { oneLine: true })}`);
      drawn = true;
    },
    line: (text: string) => {
      stream.write(`${drawn ? '\r\x1b[2K' : ''}${terminalSafe(text, { oneLine: true })}\n`);
      drawn = false;
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** A short account of the evidence for the terminal. */
export function summarizeUsage(result: MonthUsageResult, out: string): string {
  const { usage } = result;
  const { reconciliation } = result.evidence;
  const lines: string[] = [];
  const calls = usage.requests.reduce((a, r) => a + r.count, 0);
  const failed = usage.requests.reduce((a, r) => a + r.failedCount, 0);
  const keys = new Set(usage.requests.map((r) => r.keyArn)).size;
  lines.push(
    `${usage.month} in account ${result.accounts.join(', ')}: ${plural(calls, 'request')} on ${plural(keys, 'key')} (${failed.toLocaleString('en-US')} failed), ${plural(usage.lifecycle.length, 'lifecycle event')}.`,
  );
  for (const c of usage.coverage)
    lines.push(`  ${c.region} ${SOURCE_LABEL[c.source] ?? c.source}: ${c.status}: ${c.detail}`);
  if (reconciliation.length > 0) {
    lines.push('Per-key counts against CloudWatch totals:');
    for (const r of reconciliation)
      lines.push(
        `  ${r.region} ${r.resource}: CloudWatch ${r.cloudWatch}, attributed ${r.attributed}, unattributed ${r.unattributed}${r.attributedPercent === null ? '' : ` (${r.attributedPercent}% attributed)`}${r.unknownClass ? `, ${r.unknownClass} on keys of unknown class` : ''}`,
      );
  }
  if (result.interrupted)
    lines.push('Stopped before the end (Ctrl-C): the file holds what was read, marked partial.');
  lines.push(`Usage evidence written to ${out}`);
  return `${lines.join('\n')}\n`;
}

/** The regions to read: the list given, every enabled region (`all`), or the configured one. */
async function usageRegions(
  io: CliIo,
  listed: string[] | 'all' | undefined,
  opts: Pick<UsageOptions, 'profile' | 'timeout'>,
): Promise<string[]> {
  if (listed === 'all')
    return resolveRegions(
      { regions: 'all', profile: opts.profile },
      io.clients
        ? clientsFor(io.clients, null)
        : awsClients({ profile: opts.profile, network: opts.timeout }),
    );
  if (listed) return listed;
  const region = await configuredRegion(opts.profile);
  if (!region)
    throw new InputError(
      '--regions',
      'no AWS region is configured: set AWS_REGION, give the profile a region, or pass --regions',
    );
  return [region];
}

/** The options `usage` reads from the environment as `KMS_REPORT_<FLAG>`. */
const USAGE_ENV_FLAGS = [
  '--regions',
  '--usage-source',
  '--bucket',
  '--prefix',
  '--bucket-region',
  ...ATHENA_ENV_FLAGS,
  '--out',
  '--profile',
  '--timeout',
  '--deadline',
  '--fail-on-gaps',
  '--quiet',
  '--no-color',
];

/** What `usage` was given on the command line (or in the environment). */
interface UsageOptions {
  readonly month: string;
  readonly regions?: string;
  readonly usageSource: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly bucketRegion?: string;
  readonly athenaTable?: string;
  readonly athenaDatabase?: string;
  readonly athenaWorkgroup?: string;
  readonly athenaOutput?: string;
  readonly athenaLayout?: string;
  readonly athenaRegion?: string;
  readonly out: string;
  readonly outputFile?: string;
  readonly profile?: string;
  readonly failOnGaps?: boolean;
  readonly quiet?: boolean;
  readonly timeout?: NetworkOptions;
  readonly deadline?: number;
}

/**
 * `kms-report usage`: one month's KMS request volumes per key and operation, key lifecycle events
 * and CloudWatch totals, written as a usage evidence file.
 */
export function usageCommand(io: CliIo & UsageCliExtras, setExit: (code: number) => void): Command {
  const command = new Command('usage')
    .description(
      'Collect one month of KMS request volumes (CloudTrail, CloudWatch) and write a usage evidence file (JSON)',
    )
    .requiredOption('-m, --month <YYYY-MM>', 'the calendar month to read (UTC)')
    .option(
      '-r, --regions <list>',
      'comma-separated regions, or "all" (every region enabled for the account) (default: the configured region)',
      checkRegions,
    )
    .addOption(
      new Option(
        '--usage-source <list>',
        "sources, comma-separated: lookup (Event history, last 90 days), s3 (trail log files) or athena (the trail's Athena table), and cloudwatch",
      )
        .default('lookup,cloudwatch')
        .argParser((v) => {
          parseSourceList(v, '--usage-source');
          return v;
        }),
    )
    .option('--bucket <name>', 'for --usage-source s3: the bucket the trail delivers to')
    .option(
      '--prefix <prefix>',
      'for --usage-source s3: the key path before <account>/CloudTrail/ (default AWSLogs/; AWSLogs/o-xxxx/ for an organization trail)',
    )
    .option(
      '--bucket-region <region>',
      "for --usage-source s3: the bucket's region (default: the first region)",
    );
  addAthenaOptions(command);
  command
    .option(
      '-o, --out <dir>',
      'the folder the evidence is written to, as usage-<month>.json',
      DEFAULT_OUT_DIR,
    )
    .option('--output-file <file>', 'write the evidence to this file instead')
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .addOption(timeoutOption())
    .addOption(deadlineOption(': what is not read by then is a gap'))
    .option('--fail-on-gaps', `exit with code ${ExitCode.Gaps} when a source was partial or failed`)
    .option('-q, --quiet', 'print nothing but errors');
  addNoColor(command);
  deprecatedAlias(command, '-s, --source <list>', '--usage-source');
  readsEnvironment(command, USAGE_ENV_FLAGS);
  environmentHelp(command);
  resolveOptionSources(command, io);
  return command.action((opts: UsageOptions) => runUsage(io, command, opts, setExit));
}

/** Collects the month, writes the evidence, says what it holds, sets the exit code. */
async function runUsage(
  io: CliIo & UsageCliExtras,
  command: Command,
  opts: UsageOptions,
  setExit: (code: number) => void,
): Promise<void> {
  const window = parseMonth(opts.month);
  const sources = parseSourceList(opts.usageSource, '--usage-source');
  const listed = opts.regions === undefined ? undefined : parseRegionList(opts.regions);
  if (opts.bucketRegion !== undefined) parseRegionList(opts.bucketRegion, '--bucket-region');
  const regions = await usageRegions(io, listed, opts);
  const { path: out, check } = await outputPath(
    opts,
    command.getOptionValueSource('out'),
    `usage-${window.month}.json`,
    io.stderr,
  );
  const progress = opts.quiet
    ? { onProgress: () => {}, line: () => {}, done: () => {} }
    : usageProgress(io.stderr);
  const controller = new AbortController();
  const onSigint = () => {
    progress.line('Stopping after the requests in flight (Ctrl-C again to quit at once)...');
    controller.abort();
  };
  if (!io.signal) for (const stop of STOP_SIGNALS) process.once(stop, onSigint);
  const deadline = opts.deadline === undefined ? undefined : startDeadline(opts.deadline);
  let result: MonthUsageResult;
  try {
    result = await collectMonthUsage({
      month: window,
      regions,
      sources,
      clients: io.clients,
      profile: opts.profile,
      bucket: opts.bucket,
      prefix: opts.prefix,
      bucketRegion: opts.bucketRegion,
      athena: athenaOptionsOf(opts),
      clock: io.clock,
      signal: io.signal ?? controller.signal,
      deadline: deadline?.signal,
      network: opts.timeout,
      onProgress: progress.onProgress,
    });
  } finally {
    deadline?.clear();
    for (const stop of STOP_SIGNALS) process.removeListener(stop, onSigint);
    progress.done();
  }
  await check();
  await writeUsageEvidence(out, result.evidence);
  if (!opts.quiet) io.stdout.write(terminalSafe(summarizeUsage(result, out)));
  setExit(usageExitCode(io, result, opts.failOnGaps ?? false));
}

/** 130 when stopped; with `--fail-on-gaps`, 4 (said on stderr) when a source was partial or failed. */
function usageExitCode(io: CliIo, result: MonthUsageResult, failOnGaps: boolean): number {
  if (result.interrupted) return INTERRUPTED_EXIT_CODE;
  const gaps = result.usage.coverage.filter((c) => c.status === 'partial' || c.status === 'failed');
  if (!failOnGaps || gaps.length === 0) return ExitCode.Ok;
  io.stderr.write(
    terminalSafe(
      `kms-report: exit ${ExitCode.Gaps} (--fail-on-gaps): ${plural(gaps.length, 'source')} partial or failed (${gaps.map((c) => `${c.region} ${SOURCE_LABEL[c.source] ?? c.source}`).join(', ')})\n`,
      { oneLine: false },
    ),
  );
  return ExitCode.Gaps;
}
