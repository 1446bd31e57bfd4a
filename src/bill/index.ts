import type { AthenaPolling, AthenaTableName } from '../collect/athena.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import { type AwsClients, awsClients } from '../collect/clients.js';
import { InputError } from '../errors.js';
import type { BillRead } from '../model/bill.js';
import { systemClock } from '../util/clock.js';
import type { MonthWindow } from '../util/month.js';
import { readCostExplorerBill } from './cost-explorer.js';
import { type CurLocation, readCurBill } from './cur.js';
import { readCurAthenaBill } from './cur-athena.js';

/** Where a bill can be read: `cost-explorer` (per usage type), `cur` (CUR 2.0 in S3, per key), `cur-athena`. */
export type BillReaderKind = 'cost-explorer' | 'cur' | 'cur-athena';

/** The bill readers' clients. Inject your own (tests, proxies); missing ones are made on `profile`. */
export type BillClients = Partial<Pick<AwsClients, 'costExplorer' | 's3' | 'athena'>>;

/** What every bill reader is given. */
export interface ReadBillOptions {
  readonly month: MonthWindow;
  /** The report's accounts (the bill is read for these). */
  readonly accounts: readonly string[];
  /** True for an organisation-wide report (the bill is then read per linked account). */
  readonly organization: boolean;
  /** The caller's clients (the bill is read with the caller's credentials: for an organisation, the management account's). */
  readonly clients?: BillClients;
  readonly profile?: string;
  readonly network?: NetworkOptions;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** For `cur`: where the export is (`--cur-bucket`, `--cur-prefix`, `--cur-export`, `--cur-region`). */
  readonly cur?: CurExportLocation;
  /** For `cur-athena`: the CUR 2.0 table in Athena and where to query it (`--cur-table`, `--athena-*`). */
  readonly curAthena?: CurAthenaLocation;
}

/**
 * Where the CUR 2.0 table is queried (`--bill cur-athena`): the table Data Exports' Athena
 * integration creates (`DB.TABLE`, partitioned by `billing_period`), the workgroup and results
 * location, and Athena's region (default `us-east-1`, {@link DEFAULT_CUR_REGION}).
 */
export interface CurAthenaLocation {
  /** `DB.TABLE` of the CUR 2.0 table (`--cur-table`), or a checked name. */
  readonly table: string | AthenaTableName;
  /** The Athena workgroup (`--athena-workgroup`; default: Athena's `primary`). */
  readonly workgroup?: string;
  /** `s3://bucket/prefix/` for the results, when the workgroup sets none (`--athena-output`). */
  readonly outputLocation?: string;
  /** Athena's region, where the table's catalog is (`--athena-region`; default `us-east-1`). */
  readonly region?: string;
  /** How the query is polled (default: 0.5 s growing to 10 s, for at most 30 minutes). */
  readonly polling?: AthenaPolling;
}

/**
 * Where a CUR 2.0 export is: an S3 bucket (read with the caller's credentials in `region`, default
 * `us-east-1`) or a local copy laid out like the bucket (`folder`), and the prefix and export name
 * under it (see {@link readCurBill}).
 */
export interface CurExportLocation {
  readonly bucket?: string;
  readonly folder?: string;
  readonly prefix?: string;
  readonly exportName?: string;
  readonly region?: string;
}

/** The region of the CUR bucket's S3 client when none is given. */
export const DEFAULT_CUR_REGION = 'us-east-1';

/** The CUR reader for a run: the bucket (or folder) from `options.cur`. */
function readCur(options: ReadBillOptions): Promise<BillRead> {
  const cur = options.cur;
  if (!cur?.bucket && !cur?.folder)
    throw new InputError(
      '--bill',
      "cur needs the export's bucket (--cur-bucket, and --cur-prefix when it is not at the root)",
    );
  const location: CurLocation = cur.bucket
    ? { kind: 's3', client: clientsOf(options).s3(cur.region ?? DEFAULT_CUR_REGION), bucket: cur.bucket }
    : { kind: 'folder', path: cur.folder as string };
  const now = options.now;
  return readCurBill({
    month: options.month.month,
    location,
    ...(cur.prefix !== undefined ? { prefix: cur.prefix } : {}),
    ...(cur.exportName !== undefined ? { exportName: cur.exportName } : {}),
    ...(options.signal ? { deadline: options.signal } : {}),
    ...(now ? { clock: { now: () => now().getTime() } } : {}),
  });
}

/** The CUR through Athena for a run: the table and workgroup from `options.curAthena`. */
function readCurAthena(options: ReadBillOptions): Promise<BillRead> {
  const at = options.curAthena;
  if (!at?.table)
    throw new InputError('--bill', 'cur-athena needs the CUR 2.0 table in Athena (--cur-table DB.TABLE)');
  const now = options.now;
  return readCurAthenaBill(clientsOf(options).athena(at.region ?? DEFAULT_CUR_REGION), {
    table: at.table,
    window: options.month,
    workgroup: at.workgroup,
    outputLocation: at.outputLocation,
    polling: at.polling,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(now ? { clock: { ...systemClock, now: () => now().getTime() } } : {}),
  });
}

/** One reader: the month's KMS charges from one place. */
export type BillReader = (options: ReadBillOptions) => Promise<BillRead>;

/** The caller's clients: the injected ones, else made on the profile with the run's timeouts. */
function clientsOf(options: ReadBillOptions): Required<BillClients> {
  let own: AwsClients | undefined;
  const made = (): AwsClients => {
    own ??= awsClients({ profile: options.profile, network: options.network });
    return own;
  };
  return {
    costExplorer: options.clients?.costExplorer ?? (() => made().costExplorer()),
    s3: options.clients?.s3 ?? ((region) => made().s3(region)),
    athena:
      options.clients?.athena ?? ((region) => (made().athena as NonNullable<AwsClients['athena']>)(region)),
  };
}

/**
 * The readers, by kind. Each reader takes {@link ReadBillOptions}; a reader that needs more (the
 * CUR's bucket and prefix) reads its own options group from them.
 */
export const BILL_READERS: Readonly<Record<BillReaderKind, BillReader>> = {
  'cost-explorer': (options) =>
    readCostExplorerBill({
      client: clientsOf(options).costExplorer(),
      month: options.month,
      accounts: options.accounts,
      organization: options.organization,
      now: options.now,
      signal: options.signal,
    }),
  cur: readCur,
  'cur-athena': readCurAthena,
};

/** Every kind `--bill` takes. */
export const BILL_READER_KINDS = Object.keys(BILL_READERS) as BillReaderKind[];

/**
 * The month's KMS bill, read from `kind`. What could not be read is in the result's `gaps`
 * (never $0); a bill kms-report cannot read at all is an `InputError`.
 *
 * @example
 * ```ts
 * import { monthOf } from 'kms-report';
 * import { readBill, reconcileBill } from 'kms-report/bill';
 *
 * const bill = await readBill('cost-explorer', { month: monthOf('2026-10'), accounts: ['111122223333'], organization: false });
 * const reconciliation = reconcileBill(report.cost, bill);
 * ```
 */
export async function readBill(kind: BillReaderKind, options: ReadBillOptions): Promise<BillRead> {
  if (!Object.hasOwn(BILL_READERS, kind))
    throw new InputError(
      '--bill',
      `unknown bill source "${kind}" (expected ${BILL_READER_KINDS.join(', ')})`,
    );
  return BILL_READERS[kind](options);
}

export {
  COST_EXPLORER_REGION,
  COST_EXPLORER_REQUEST_PRICE,
  type CostExplorerBillOptions,
  costExplorerReadCost,
  costExplorerRequest,
  KMS_SERVICE_NAME,
  MAX_COST_EXPLORER_PAGES,
  readCostExplorerBill,
} from './cost-explorer.js';
