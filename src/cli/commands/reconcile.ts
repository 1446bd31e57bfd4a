import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BILL_READER_KINDS, type BillReaderKind, COST_EXPLORER_REQUEST_PRICE } from '../../bill/index.js';
import type { NetworkOptions } from '../../collect/client-defaults.js';
import { InputError } from '../../errors.js';
import { DEFAULT_OUT_DIR } from '../../pipeline/options.js';
import { reconcileReportSet } from '../../pipeline/reconcile.js';
import { formatMoney } from '../../pricing/money.js';
import { DEFAULT_DRIFT_THRESHOLD_PERCENT, driftBeyond } from '../../reconcile/index.js';
import { terminalSafe } from '../../report/escape.js';
import { monthOf } from '../../util/month.js';
import { pathInside } from '../../util/paths.js';
import { ExitCode } from '../exit-codes.js';
import { addNoColor, readsEnvironment, resolveOptionSources, timeoutOption } from '../options.js';
import type { CliIo } from './collect.js';
import { addCurFlags, CUR_ENV_FLAGS, type CurFlags, curLocation } from './cur-flags.js';
import { parsePercent } from './report-flags.js';

interface ReconcileFlags extends CurFlags {
  month: string;
  out: string;
  account?: string;
  bill: BillReaderKind;
  driftThreshold: number;
  failOnDrift?: number;
  profile?: string;
  timeout?: NetworkOptions;
  quiet?: boolean;
}

/** The report set of `month` under `out`: `--account`'s, or the only one there is. */
async function reportSet(out: string, month: string, account: string | undefined): Promise<string> {
  if (account !== undefined) {
    if (!/^(\d{12}|organization)$/.test(account))
      throw new InputError('--account', `expected a 12-digit account id or "organization", got "${account}"`);
    return pathInside(out, account, month);
  }
  const scopes = await readdir(out).catch(() => [] as string[]);
  const found: string[] = [];
  for (const scope of scopes) {
    if (!/^(\d{12}|organization)$/.test(scope)) continue;
    if (
      await stat(join(out, scope, month, 'report.json')).then(
        () => true,
        () => false,
      )
    )
      found.push(scope);
  }
  if (found.length === 1) return pathInside(out, found[0] as string, month);
  throw new InputError(
    '--account',
    found.length === 0
      ? `no report set of ${month} with a report.json under ${out}/ (write it first: kms-report --month ${month})`
      : `${found.length} report sets of ${month} under ${out}/ (${found.join(', ')}): name one with --account`,
  );
}

/**
 * `kms-report reconcile --month M`: reads the month's bill and writes the estimate beside it into
 * the month's existing report set (report.json, report.md, report.html, reconciliation.csv, a new
 * manifest), without collecting anything again.
 */
export function reconcileCommand(io: CliIo, setExit: (code: number) => void): Command {
  const command = new Command('reconcile')
    .description(
      "Put an existing report set's estimate beside the month's bill (Cost Explorer or the CUR), and write it into the set",
    )
    .requiredOption('-m, --month <YYYY-MM>', 'the month of the report set')
    .option(
      '-o, --out <dir>',
      'where report sets are (<dir>/<account or "organization">/<YYYY-MM>/)',
      DEFAULT_OUT_DIR,
    )
    .option(
      '--account <id>',
      'the report set: an account id or "organization" (default: the only one of the month)',
    )
    .addOption(
      new Option(
        '--bill <source>',
        `where the bill is read: cost-explorer ($${COST_EXPLORER_REQUEST_PRICE.toFixed(2)} a request, one a month, one more per page) or cur`,
      )
        .choices(BILL_READER_KINDS)
        .default('cost-explorer'),
    );
  addCurFlags(command)
    .addOption(
      new Option(
        '--drift-threshold <pct>',
        'flag a difference above this percentage of its bill that nothing explains',
      )
        .default(DEFAULT_DRIFT_THRESHOLD_PERCENT)
        .argParser((v) => parsePercent(v, '--drift-threshold')),
    )
    .addOption(
      new Option(
        '--fail-on-drift <pct>',
        `exit ${ExitCode.Drift} when the total differs from the bill by more than this percentage (not on a bill still estimated or of unknown status), or the drift is unknown (the bill not read or read in part, the estimate a lower bound, another currency)`,
      ).argParser((v) => parsePercent(v, '--fail-on-drift')),
    )
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .addOption(timeoutOption())
    .option('-q, --quiet', 'print nothing but errors');
  addNoColor(command);
  readsEnvironment(command, [
    '--out',
    '--profile',
    '--timeout',
    '--bill',
    ...CUR_ENV_FLAGS,
    '--drift-threshold',
    '--quiet',
  ]);
  resolveOptionSources(command, io);
  return command.action(async (flags: ReconcileFlags) => {
    const month = monthOf(flags.month, undefined, '--month');
    const cur = curLocation(flags);
    const dir = await reportSet(flags.out, month.month, flags.account);
    const { reconciliation: rec } = await reconcileReportSet({
      dir,
      bill: { source: flags.bill, clients: io.billClients, driftThresholdPercent: flags.driftThreshold, cur },
      profile: flags.profile,
      network: flags.timeout,
      now: io.now,
    });
    const t = rec.totals;
    if (!flags.quiet)
      io.stdout.write(
        terminalSafe(
          `${month.month}: estimate ${formatMoney(t.estimate.amount, { currency: rec.currency })}, bill (${rec.source}, ${rec.status}) ${t.billed === null ? `not read (${rec.gaps[0] ?? 'unknown'})` : formatMoney(t.billed, { currency: rec.currency })}, drift ${t.percent === null ? 'n/a' : `${t.percent}%`}; ${rec.readCost}\nWritten into ${dir}/ (report.json, report.md, reconciliation.csv; verify with: sha256sum -c SHA256SUMS)\n`,
        ),
      );
    const drift = flags.failOnDrift === undefined ? null : driftBeyond(rec, flags.failOnDrift);
    if (drift)
      io.stderr.write(
        `kms-report: ${terminalSafe(`exit ${ExitCode.Drift} (--fail-on-drift ${flags.failOnDrift}): ${drift}`, { oneLine: true })}\n`,
      );
    setExit(drift ? ExitCode.Drift : ExitCode.Ok);
  });
}
