import { basename, resolve, sep } from 'node:path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { Command } from 'commander';
import { makeClient } from '../../collect/client-defaults.js';
import { parseRegionList } from '../../collect/regions.js';
import { InputError } from '../../errors.js';
import { REQUEST_TIERS } from '../../model/pricing.js';
import { DEFAULT_PRICING_DIR, loadPricingTables, readPricingTable } from '../../pricing/load.js';
import { formatMoney } from '../../pricing/money.js';
import {
  PRICE_LIST_ENDPOINT_REGION,
  refreshPricingTable,
  renderTableChanges,
} from '../../pricing/refresh.js';
import { type PricingTable, selectTable, serializePricingTable } from '../../pricing/table.js';
import { terminalSafe } from '../../report/escape.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { compareText } from '../../util/compare.js';
import { type MonthWindow, parseMonth } from '../../util/month.js';
import { pathInside } from '../../util/paths.js';
import { TOOL_VERSION } from '../../version.js';
import { ExitCode } from '../exit-codes.js';
import { addNoColor, deprecatedAlias, readsEnvironment, resolveOptionSources } from '../options.js';
import type { CliIo } from './collect.js';

/** What the pricing command needs beyond {@link CliIo}; tests inject a Price List client. */
export interface PricingCommandDeps {
  readonly pricingClient?: (profile?: string) => PricingClient;
}

function defaultPricingClient(profile?: string): PricingClient {
  return makeClient(PricingClient, {
    region: PRICE_LIST_ENDPOINT_REGION,
    ...(profile ? { profile } : {}),
  });
}

function parseDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new InputError('--effective-from', `expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/**
 * Where a table came from, without the local folder (a path in a ticket says nothing to its
 * reader and tells them about the machine): the file name, and whether kms-report shipped it.
 */
export function tableOrigin(table: PricingTable): string {
  if (!table.file) return 'built in memory';
  const shipped = resolve(table.file).startsWith(`${resolve(DEFAULT_PRICING_DIR)}${sep}`);
  return `file ${basename(table.file)}${shipped ? `, shipped with kms-report ${TOOL_VERSION}` : ''}`;
}

/** A table as text for the terminal: provenance, free tier, one line per region. */
export function describeTable(table: PricingTable): string {
  const lines = [
    `Pricing table ${table.version} (${tableOrigin(table)})`,
    `  in force: ${table.effective.from} to ${table.effective.until ?? 'now'}; currency ${table.currency}`,
    `  source: ${table.provenance.source}, checked ${table.provenance.checked} (${table.provenance.method})`,
    ...table.provenance.notes.map((n) => `  note: ${n}`),
    `  free tier: ${table.freeTier.requestsPerMonth} requests/month per account across regions; not for ${table.freeTier.notCovered.join(', ')}`,
    '',
    `  ${['region', 'verified', 'key-month', 'rotation (cap)', ...REQUEST_TIERS.map((t) => `${t}/10k`)].join('\t')}`,
  ];
  const money = (v: string) => formatMoney(v, { currency: table.currency, decimals: 2 });
  for (const [region, p] of Object.entries(table.regions).sort(([a], [b]) => compareText(a, b))) {
    lines.push(
      `  ${[
        region,
        p.verified ? 'yes' : 'NO (assumed)',
        money(p.keyMonth),
        `${money(p.rotation.perRotationMonth)} (${p.rotation.billedRotationsCap ?? 'uncapped'})`,
        ...REQUEST_TIERS.map((t) => money(p.requestsPer10k[t])),
      ].join('\t')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `kms-report pricing`: `refresh` rebuilds pricing-table regions from the AWS Price List and
 * writes a new dated table; `show` prints the table in force for a month.
 */
export function pricingCommand(
  io: CliIo,
  setExit: (code: number) => void,
  deps: PricingCommandDeps = {},
): Command {
  const pricing = new Command('pricing').description(
    'The pricing tables: show them, refresh them from the AWS Price List',
  );
  // Made with `.command()` (not built apart and added) so that they inherit the parent's settings.
  refreshCommand(pricing.command('refresh'), io, setExit, deps);
  showCommand(pricing.command('show'), io, setExit);
  return pricing;
}

interface RefreshOptions {
  readonly regions: string;
  readonly pricing?: string;
  readonly out?: string;
  readonly effectiveFrom?: string;
  readonly profile?: string;
  readonly dryRun?: boolean;
}

/** `pricing refresh`: its options, and the action that rebuilds the regions asked for. */
function refreshCommand(
  refresh: Command,
  io: CliIo,
  setExit: (code: number) => void,
  deps: PricingCommandDeps,
): void {
  refresh
    .description(
      'Rebuild the prices of some regions from the AWS Price List (pricing:GetProducts, AWSKMS) into a new dated table',
    )
    .requiredOption(
      '-r, --regions <list>',
      'comma-separated regions, or "all" for every region of the current table',
    )
    .option(
      '--pricing <dir>',
      'the folder the current tables are read from (default: the pricing/ folder shipped with kms-report)',
    )
    .option('-o, --out <dir>', 'the folder the new table is written to (default: --pricing)')
    .option(
      '--effective-from <date>',
      "first day the new prices apply (default: the current table's)",
      parseDay,
    )
    .option('-p, --profile <name>', 'AWS named profile (default: AWS_PROFILE or the default chain)')
    .option('--dry-run', 'show what changed without writing the table');
  addNoColor(refresh);
  deprecatedAlias(refresh, '--dir <dir>', '--pricing');
  deprecatedAlias(refresh, '--out-dir <dir>', '--out');
  readsEnvironment(refresh, ['--pricing', '--profile', '--no-color']);
  resolveOptionSources(refresh, io);
  refresh.action(async (opts: RefreshOptions) => {
    await runRefresh(opts, io, deps);
    setExit(ExitCode.Ok);
  });
}

/** Refreshes the regions asked for against the table in force today, and writes (or, dry run, shows) the result. */
async function runRefresh(opts: RefreshOptions, io: CliIo, deps: PricingCommandDeps): Promise<void> {
  const now = io.now?.() ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const dir = opts.pricing ?? DEFAULT_PRICING_DIR;
  const tables = await loadPricingTables(dir);
  const base = selectTable(tables, parseMonth(today.slice(0, 7)));
  const asked = parseRegionList(opts.regions);
  const regions = asked === 'all' ? Object.keys(base.regions) : asked;
  const client = (deps.pricingClient ?? defaultPricingClient)(opts.profile);
  const result = await refreshPricingTable({
    client,
    regions,
    base,
    today,
    ...(opts.effectiveFrom ? { effectiveFrom: opts.effectiveFrom } : {}),
  });
  // The tables and the Price List are read from outside: shown, never acted on.
  io.stdout.write(terminalSafe(`Compared with ${base.version}:\n${renderTableChanges(result.changes)}`));
  for (const w of result.warnings) io.stderr.write(`warning: ${terminalSafe(w, { oneLine: true })}\n`);
  if (opts.dryRun) io.stdout.write(terminalSafe(`Dry run: ${result.fileName} not written.\n`));
  else {
    const out = await pathInside(opts.out ?? dir, result.fileName);
    await writeFileAtomic(out, serializePricingTable(result.table));
    io.stdout.write(terminalSafe(`Wrote ${out} (version ${result.table.version}).\n`));
  }
}

/** `pricing show`: prints the table in force for a month. */
function showCommand(show: Command, io: CliIo, setExit: (code: number) => void): void {
  show
    .description('Print the pricing table in force for a month, with provenance and unverified regions')
    .option('-m, --month <YYYY-MM>', 'the month (default: the current one)', (value: string) =>
      parseMonth(value),
    )
    .option(
      '--pricing <path>',
      'a pricing table file or folder (default: the pricing/ folder shipped with kms-report)',
    );
  addNoColor(show);
  deprecatedAlias(show, '--dir <dir>', '--pricing');
  readsEnvironment(show, ['--pricing', '--no-color']);
  resolveOptionSources(show, io);
  show.action(async (opts: { month?: MonthWindow; pricing?: string }) => {
    const month = opts.month ?? parseMonth((io.now?.() ?? new Date()).toISOString().slice(0, 7));
    const tables = opts.pricing?.endsWith('.json')
      ? [await readPricingTable(opts.pricing)]
      : await loadPricingTables(opts.pricing ?? DEFAULT_PRICING_DIR);
    io.stdout.write(terminalSafe(describeTable(selectTable(tables, month))));
    setExit(ExitCode.Ok);
  });
}
