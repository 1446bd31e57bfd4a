import type { S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError, codeAndDetail } from '../collect/aws-errors.js';
import { InputError } from '../errors.js';
import { type BillRead, type BillStatus, CURRENCY_CODE_PATTERN } from '../model/bill.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason } from '../util/deadline.js';
import { type MonthWindow, parseMonth } from '../util/month.js';
import { CurSchemaError } from './cur-columns.js';
import {
  type CurMonthFiles,
  curMonthFiles,
  ExportChoiceError,
  findExportFolder,
  ManifestError,
} from './cur-files.js';
import { BillLineSums, MAX_BILL_LINES } from './cur-lines.js';
import { CurFileError, type CurRow, readCurFile } from './cur-read.js';
import {
  folderStore,
  type ObjectStore,
  S3_CALL_TIMEOUT_MS,
  type StoredObject,
  StoreLimitError,
  StoreReadError,
  s3Store,
} from './object-store.js';
import { type ByteCounter, SliceError } from './parquet-source.js';

/** Where a CUR 2.0 export is read from: its S3 bucket, or a local folder laid out as the bucket. */
export type CurLocation =
  | { readonly kind: 's3'; readonly client: S3Client; readonly bucket: string }
  | {
      readonly kind: 'folder';
      readonly path: string;
      /** How the bill's read cost names the folder (default its path). */
      readonly label?: string;
    };

/** Options of {@link readCurBill}. */
export interface CurBillOptions {
  /** The month, `YYYY-MM`. */
  readonly month: string;
  readonly location: CurLocation;
  /**
   * The export's S3 prefix (`--cur-prefix`): the folder that holds `<export-name>/`, or the
   * export's own folder (the one that holds `data/` and `metadata/`). Default: the root.
   */
  readonly prefix?: string;
  /** The export's name; when omitted, the one export under `prefix` that holds the month. */
  readonly exportName?: string;
  /** How long one S3 call may take. Default {@link S3_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
  /** The run's deadline: the files not read by then are gaps. */
  readonly deadline?: AbortSignal;
  /** When the bill is read (`readAt`). */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * Reads a month's KMS charges from a Cost and Usage Report 2.0 export (AWS Data Exports, Parquet,
 * with `INCLUDE_RESOURCES` for per-key lines), in S3 or in a local copy laid out the same way.
 *
 * Finds the month under `<prefix>/<export-name>/data/BILLING_PERIOD=YYYY-MM/` (the latest
 * manifest's files, see cur-files.ts), streams each Parquet file a row group at a time through
 * ranged reads, keeps rows whose `line_item_product_code` is `awskms`, and sums them exactly per
 * account, region, usage type, operation, key (`line_item_resource_id`) and line item type. The
 * bill is `final` when every KMS row carries a `bill_invoice_id`, `estimated` when any lacks one.
 * Never throws for what it reads: a file that cannot be read (not Parquet, not CUR 2.0, a column
 * of the wrong type, too large a row group) is a gap naming its key and no row of it is counted;
 * an S3 call that fails or times out is a gap. Throws {@link InputError} for a malformed month or
 * an ambiguous prefix (several exports hold the month and none is named).
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 *
 * const bill = await readCurBill({
 *   month: '2026-10',
 *   location: { kind: 's3', client: new S3Client({ region: 'us-east-1' }), bucket: 'billing-exports' },
 *   prefix: 'cur2',
 *   exportName: 'org-cur',
 * });
 * bill.status; // 'final' once AWS has issued October's invoice
 * bill.lines.filter((l) => l.keyArn === myKeyArn);
 * ```
 */
export async function readCurBill(options: CurBillOptions): Promise<BillRead> {
  const window = parseMonth(options.month);
  const run = new CurRead(storeOf(options), window, options);
  const files = await run.findFiles();
  if (files) await run.readFiles(files);
  return run.result();
}

function storeOf(options: CurBillOptions): ObjectStore {
  const { location } = options;
  if (location.kind === 'folder') return folderStore(location.path, location.label);
  return s3Store(location.client, location.bucket, {
    callTimeoutMs: options.callTimeoutMs ?? S3_CALL_TIMEOUT_MS,
    ...(options.deadline ? { deadline: options.deadline } : {}),
  });
}

/** What the rows said about the month's status, currency and period. */
interface RowFacts {
  invoices: Set<string>;
  withoutInvoice: number;
  currency: string | null;
  otherCurrency: number;
  /** Rows whose currency is not a currency code (`^[A-Z]{3}$`). */
  invalidCurrency: number;
  otherPeriod: number;
  invalid: number;
  firstInvalid: string[];
}

/** One read of a month: the files, what was read of them, and what was not. */
class CurRead {
  private readonly sums = new BillLineSums();
  private readonly counter: ByteCounter = { bytes: 0, reads: 0 };
  private readonly gaps: string[] = [];
  private readonly facts: RowFacts = newFacts(null);
  private readonly totals = { files: 0, rowGroups: 0, skipped: 0, rows: 0, kmsRows: 0, bytes: 0 };
  private resources = true;
  private chosen: CurMonthFiles | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly window: MonthWindow,
    private readonly options: CurBillOptions,
  ) {}

  /** The month's files; null when they could not be listed (a gap says why). */
  async findFiles(): Promise<CurMonthFiles | null> {
    const { prefix = '', exportName } = this.options;
    try {
      const folder = await findExportFolder(this.store, prefix, exportName, this.window.month);
      this.chosen = await curMonthFiles(this.store, folder, this.window.month);
      this.gaps.push(...this.chosen.gaps);
      if (this.chosen.files.length === 0)
        this.gaps.push(
          `no CUR 2.0 Parquet file for ${this.window.month} under ${this.store.where}/${folder}data/BILLING_PERIOD=${this.window.month}/: check the bucket, prefix and export name, and that the export is Parquet`,
        );
      return this.chosen;
    } catch (error) {
      if (error instanceof ExportChoiceError) throw new InputError('--cur-prefix', error.message);
      this.gaps.push(`the month's files could not be listed: ${this.failure(error)}`);
      return null;
    }
  }

  /** Reads the files one after the other; a file that fails is a gap, the others are read. */
  async readFiles(month: CurMonthFiles): Promise<void> {
    for (const [i, file] of month.files.entries()) {
      if (this.options.deadline?.aborted) {
        this.gaps.push(`${month.files.length - i} files not read: ${deadlineReason(this.options.deadline)}`);
        return;
      }
      const stop = await this.readFile(file);
      if (stop) {
        this.gaps.push(`${month.files.length - i - 1} more files not read after that`);
        return;
      }
    }
  }

  /** Reads one file into the month's sums, all of it or none; true when no further file can be read. */
  private async readFile(file: StoredObject): Promise<boolean> {
    const sums = new BillLineSums();
    // The file's own facts, merged only when all of it was read (as its sums are).
    const facts = newFacts(this.facts.currency);
    const sink = {
      row: (row: CurRow) => {
        if (keep(facts, row, this.window.start.getTime())) sums.add(row);
      },
      invalid: (reason: string) => {
        facts.invalid += 1;
        if (facts.firstInvalid.length < 3) facts.firstInvalid.push(`${file.key}: ${reason}`);
      },
    };
    try {
      const stats = await readCurFile(this.store, file, this.counter, sink, this.options.deadline);
      this.sums.merge(sums);
      mergeFacts(this.facts, facts);
      this.resources &&= stats.resources;
      this.totals.files += 1;
      this.totals.rowGroups += stats.rowGroups;
      this.totals.skipped += stats.rowGroupsSkipped;
      this.totals.rows += stats.rows;
      this.totals.kmsRows += stats.kmsRows;
      this.totals.bytes += file.size;
      return false;
    } catch (error) {
      this.gaps.push(`${this.store.where}/${file.key} not read: ${this.failure(error)}`);
      const kind = error instanceof Error && isFileProblem(error) ? null : classifyAwsError(error).kind;
      return kind === 'credentials' || kind === 'deadline' || this.options.deadline?.aborted === true;
    }
  }

  private failure(error: unknown): string {
    if (error instanceof Error && isFileProblem(error)) return error.message;
    return codeAndDetail(classifyAwsError(error, this.options.deadline));
  }

  result(): BillRead {
    const [status, statusDetail] = this.status();
    return {
      source: 'cur',
      month: this.window.month,
      status,
      statusDetail,
      currency: this.facts.currency ?? 'USD',
      granularity: this.resources ? 'key' : 'usage-type',
      lines: this.sums.lines(),
      readAt: new Date((this.options.clock ?? systemClock).now()).toISOString(),
      readCost: this.readCost(),
      gaps: [
        ...this.gaps,
        ...rowGaps(this.facts, this.sums.overflowRows, this.resources || this.totals.files === 0),
      ],
    };
  }

  private status(): [BillStatus, string] {
    const { invoices, withoutInvoice } = this.facts;
    if (withoutInvoice > 0)
      return [
        'estimated',
        `bill_invoice_id is empty on ${withoutInvoice} KMS line items: AWS has not issued the invoice for ${this.window.month} yet, the amounts may still change`,
      ];
    if (invoices.size > 0)
      return [
        'final',
        `every KMS line item carries an invoice id (${[...invoices].sort().slice(0, 3).join(', ')})`,
      ];
    return ['unknown', 'no KMS line item was read, so the CUR does not say whether the month is invoiced'];
  }

  private readCost(): string {
    const t = this.totals;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    const chosen = this.chosen;
    return [
      `CUR 2.0 from ${this.store.where}: ${t.files} Parquet files (${mib(t.bytes)} MiB), ${mib(this.counter.bytes)} MiB read in ${this.counter.reads} ranged reads`,
      `${t.rowGroups} row groups (${t.skipped} skipped by their statistics), ${t.rows} rows, ${t.kmsRows} of them KMS`,
      ...(chosen ? [`files: ${chosen.chosenBy}`, ...chosen.notes] : []),
      'amounts as AWS rounded them on each line item, summed exactly',
    ].join('; ');
  }
}

function newFacts(currency: string | null): RowFacts {
  return {
    invoices: new Set(),
    withoutInvoice: 0,
    currency,
    otherCurrency: 0,
    invalidCurrency: 0,
    otherPeriod: 0,
    invalid: 0,
    firstInvalid: [],
  };
}

/** Whether a row counts: its month and currency are the bill's (the others are counted apart). */
function keep(facts: RowFacts, row: CurRow, monthStartMs: number): boolean {
  if (row.periodStartMs !== null && row.periodStartMs !== monthStartMs) {
    facts.otherPeriod += 1;
    return false;
  }
  const currency = row.currency ?? 'USD';
  if (!CURRENCY_CODE_PATTERN.test(currency)) {
    facts.invalidCurrency += 1;
    return false;
  }
  facts.currency ??= currency;
  if (currency !== facts.currency) {
    facts.otherCurrency += 1;
    return false;
  }
  if (row.invoiceId === '') facts.withoutInvoice += 1;
  else if (facts.invoices.size < 100) facts.invoices.add(row.invoiceId);
  return true;
}

/** Adds a file's facts to the month's. */
function mergeFacts(into: RowFacts, file: RowFacts): void {
  for (const id of file.invoices) if (into.invoices.size < 100) into.invoices.add(id);
  into.withoutInvoice += file.withoutInvoice;
  into.currency ??= file.currency;
  into.otherCurrency += file.otherCurrency;
  into.invalidCurrency += file.invalidCurrency;
  into.otherPeriod += file.otherPeriod;
  into.invalid += file.invalid;
  for (const f of file.firstInvalid) if (into.firstInvalid.length < 3) into.firstInvalid.push(f);
}

/** Errors that say what is wrong with a file (not with S3 or the credentials). */
function isFileProblem(error: Error): boolean {
  return (
    error instanceof CurFileError ||
    error instanceof CurSchemaError ||
    error instanceof SliceError ||
    error instanceof StoreReadError ||
    error instanceof StoreLimitError ||
    error instanceof ManifestError
  );
}

/** The gaps the rows left: rows not read, of another month or currency, lines beyond the bound. */
function rowGaps(facts: RowFacts, overflowRows: number, resources: boolean): string[] {
  const gaps: string[] = [];
  if (facts.invalid > 0)
    gaps.push(
      `${facts.invalid} KMS rows could not be read and are not counted (${facts.firstInvalid.join('; ')})`,
    );
  if (facts.otherPeriod > 0)
    gaps.push(`${facts.otherPeriod} KMS rows of another billing period in the month's files are not counted`);
  if (facts.invalidCurrency > 0)
    gaps.push(`${facts.invalidCurrency} KMS rows whose currency is not a currency code are not counted`);
  if (facts.otherCurrency > 0)
    gaps.push(`${facts.otherCurrency} KMS rows in a currency other than ${facts.currency} are not counted`);
  if (overflowRows > 0)
    gaps.push(`${overflowRows} KMS rows beyond ${MAX_BILL_LINES} distinct bill lines are not counted`);
  if (!resources)
    gaps.push(
      'the export has no line_item_resource_id (created without INCLUDE_RESOURCES): the bill is compared per usage type, not per key',
    );
  return gaps;
}
