import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { BillClients } from '../../bill/index.js';
import type { NetworkOptions } from '../../collect/client-defaults.js';
import type { ClientSource, InventoryClients, UsageClients } from '../../collect/clients.js';
import { parseRegionList } from '../../collect/regions.js';
import { InputError, InterruptedError } from '../../errors.js';
import type { InventorySnapshot } from '../../model/inventory.js';
import { collectInventory } from '../../org/collect.js';
import { DEFAULT_OUT_DIR } from '../../pipeline/options.js';
import { terminalSafe } from '../../report/escape.js';
import { writeSnapshot } from '../../snapshot.js';
import { startDeadline } from '../../util/deadline.js';
import { pathInside } from '../../util/paths.js';
import { ExitCode, STOP_SIGNALS } from '../exit-codes.js';
import {
  addNoColor,
  checkRegions,
  deadlineOption,
  environmentHelp,
  plural,
  readsEnvironment,
  resolveOptionSources,
  timeoutOption,
} from '../options.js';
import { terminalProgress } from '../progress.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  /**
   * Injected in tests (a function of the credentials for organisation-wide runs); the real run
   * uses the standard credential chain.
   */
  readonly clients?: ClientSource<InventoryClients & UsageClients>;
  /** The bill readers' clients (`--bill`, `reconcile`); injected in tests, else the caller's. */
  readonly billClients?: BillClients;
  readonly now?: () => Date;
  /** The environment options are read from (`KMS_REPORT_*`); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

function parseShare(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1))
    throw new InputError('--quota-share', `expected a number in (0, 1], got "${value}"`);
  return n;
}

/**
 * Where `collect` and `usage` write: `--output-file <file>`, or `<--out dir>/<name>`. `--out` is a
 * folder on every command; before, on these two it was the file, and a value ending in `.json`
 * still is (with a notice on stderr), so existing cron lines keep working.
 */
export async function outputPath(
  opts: { out: string; outputFile?: string },
  outSource: string | undefined,
  name: string,
  stderr: NodeJS.WritableStream,
): Promise<{ path: string; check: () => Promise<unknown> }> {
  if (opts.outputFile !== undefined) {
    if (outSource === 'cli')
      throw new InputError(
        '--output-file',
        `names the file itself: it cannot be combined with --out ${opts.out}`,
      );
    return { path: opts.outputFile, check: async () => {} };
  }
  if (outSource === 'cli' && opts.out.toLowerCase().endsWith('.json')) {
    stderr.write(
      terminalSafe(
        `kms-report: --out ${opts.out}: --out is now a folder on every command; a file is --output-file (read as --output-file ${opts.out} this time)\n`,
      ),
    );
    return { path: opts.out, check: async () => {} };
  }
  // The file must land in the output folder (checked after collecting: a failed run creates nothing).
  return { path: join(opts.out, name), check: () => pathInside(opts.out, name) };
}

/** `inventory-<time>.json`, the snapshot's name in {@link DEFAULT_OUT_DIR} by default. */
function defaultOutName(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `inventory-${stamp}.json`;
}

/** A short account of the snapshot for the terminal. */
export function summarize(snapshot: InventorySnapshot, out: string): string {
  const lines: string[] = [];
  const customer = snapshot.keys.filter(
    (k) => k.metadata.status === 'collected' && k.metadata.value.keyManager === 'CUSTOMER',
  ).length;
  const aws = snapshot.keys.filter(
    (k) => k.metadata.status === 'collected' && k.metadata.value.keyManager === 'AWS',
  ).length;
  const unknown = snapshot.keys.length - customer - aws;
  lines.push(
    `Collected ${plural(snapshot.keys.length, 'key')} (${customer} customer managed, ${aws} AWS managed${unknown ? `, ${unknown} not described` : ''}) in account ${snapshot.accounts.join(', ')}.`,
  );
  for (const r of snapshot.regions) {
    const n = snapshot.keys.filter((k) => k.region === r.region && k.account === r.account).length;
    lines.push(`  ${r.region}: ${plural(n, 'key')}, ${r.status}`);
  }
  if (snapshot.gaps.length === 0) lines.push('No gaps: every call succeeded.');
  else {
    lines.push(`${plural(snapshot.gaps.length, 'gap')} (what could not be seen):`);
    for (const g of snapshot.gaps.slice(0, 20)) {
      const where = [g.region, g.keyArn?.split('/').pop(), g.field].filter(Boolean).join(' ');
      lines.push(`  ${where}: ${g.operation} ${g.errorCode}`);
    }
    if (snapshot.gaps.length > 20)
      lines.push(`  ... and ${snapshot.gaps.length - 20} more (see the snapshot's "gaps")`);
  }
  lines.push(`Snapshot written to ${out}`);
  return `${lines.join('\n')}\n`;
}

/** The options `collect` reads from the environment as `KMS_REPORT_<FLAG>`. */
const COLLECT_ENV_FLAGS = [
  '--out',
  '--regions',
  '--profile',
  '--no-last-usage',
  '--quota-share',
  '--timeout',
  '--deadline',
  '--fail-on-gaps',
  '--quiet',
  '--no-color',
];

/** What `collect` was given on the command line (or in the environment). */
interface CollectOptions {
  readonly out: string;
  readonly outputFile?: string;
  readonly regions?: string;
  readonly profile?: string;
  readonly lastUsage: boolean;
  readonly quotaShare: number;
  readonly failOnGaps?: boolean;
  readonly quiet?: boolean;
  readonly timeout?: NetworkOptions;
  readonly deadline?: number;
}

export function collectCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = new Command('collect')
    .description('List every KMS key with its metadata and evidence, and write an inventory snapshot (JSON)')
    .option(
      '-o, --out <dir>',
      'the folder the snapshot is written to, as inventory-<time>.json',
      DEFAULT_OUT_DIR,
    )
    .option('--output-file <file>', 'write the snapshot to this file instead')
    .option(
      '-r, --regions <list>',
      'comma-separated regions, or "all" for every enabled region (default: the configured region)',
      checkRegions,
    )
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .option('--no-last-usage', 'skip GetKeyLastUsage (5 requests/s per region: slow on large accounts)')
    .addOption(
      new Option('--quota-share <fraction>', 'share of each KMS request quota to use, in (0, 1]')
        .default(0.5)
        .argParser(parseShare),
    )
    .addOption(timeoutOption())
    .addOption(deadlineOption(': what is not read by then is a gap'))
    .option('--fail-on-gaps', `exit with code ${ExitCode.Gaps} when anything could not be seen`)
    .option('-q, --quiet', 'print nothing but errors');
  addNoColor(command);
  readsEnvironment(command, COLLECT_ENV_FLAGS);
  environmentHelp(command);
  resolveOptionSources(command, io);
  return command.action((opts: CollectOptions) => runCollect(io, command, opts, setExit));
}

/** `kms-report collect`: collects, writes the snapshot, says what it holds, sets the exit code. */
async function runCollect(
  io: CliIo,
  command: Command,
  opts: CollectOptions,
  setExit: (code: number) => void,
): Promise<void> {
  const now = io.now?.() ?? new Date();
  const regions = opts.regions === undefined ? undefined : parseRegionList(opts.regions);
  const { path: out, check } = await outputPath(
    opts,
    command.getOptionValueSource('out'),
    defaultOutName(now),
    io.stderr,
  );
  const progress = opts.quiet ? { onProgress: () => {}, done: () => {} } : terminalProgress(io.stderr);
  // Ctrl-C or SIGTERM stops the scan after the keys in flight, or the write; nothing is
  // written (exit 130).
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  for (const signal of STOP_SIGNALS) process.once(signal, onSigint);
  const deadline = opts.deadline === undefined ? undefined : startDeadline(opts.deadline);
  let snapshot: InventorySnapshot;
  try {
    ({ snapshot } = await collectInventory({
      regions,
      profile: opts.profile,
      clients: io.clients,
      lastUsage: opts.lastUsage,
      quotaShare: opts.quotaShare,
      onProgress: progress.onProgress,
      signal: controller.signal,
      deadline: deadline?.signal,
      network: opts.timeout,
    }).catch((error: unknown) => {
      if (error instanceof InterruptedError)
        throw new InterruptedError(`stopped (Ctrl-C) while collecting: ${out} was not written`);
      throw error;
    }));
    progress.done();
    await check();
    await writeSnapshot(out, snapshot, { signal: controller.signal });
  } finally {
    deadline?.clear();
    progress.done();
    for (const signal of STOP_SIGNALS) process.off(signal, onSigint);
  }
  if (!opts.quiet) io.stdout.write(terminalSafe(summarize(snapshot, out)));
  if (opts.failOnGaps && snapshot.gaps.length > 0) {
    io.stderr.write(
      `kms-report: exit ${ExitCode.Gaps} (--fail-on-gaps): ${plural(snapshot.gaps.length, 'gap')} (what could not be seen is listed in the snapshot)\n`,
    );
    setExit(ExitCode.Gaps);
  } else setExit(ExitCode.Ok);
}
