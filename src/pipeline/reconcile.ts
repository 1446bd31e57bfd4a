import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readBill } from '../bill/index.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import { InputError, KmsReportError } from '../errors.js';
import type { MonthCost } from '../model/pricing.js';
import { REQUEST_TIERS } from '../model/pricing.js';
import type { BillReconciliation } from '../model/reconciliation.js';
import { REPORT_KIND, REPORT_SCHEMA_VERSION } from '../model/report.js';
import { reconcileBill } from '../reconcile/index.js';
import { billSectionHtml, billSectionMarkdown } from '../report/bill-section.js';
import { capper, wrapLine } from '../report/markdown.js';
import { reconciliationCsvChunks } from '../report/reconciliation-csv.js';
import { jsonFileChunks } from '../util/json-chunks.js';
import { monthOf } from '../util/month.js';
import { firstZodIssue } from '../util/versioned-file.js';
import type { BillOptions } from './options.js';
import { MAX_PREVIOUS_REPORT_BYTES } from './previous.js';
import { writeReport } from './write.js';
import type { Manifest, ReportFile } from './writer.js';

/**
 * `kms-report reconcile`: the estimate of an existing report set put beside the month's bill,
 * written into that set. The set's report.json is read back (validated: it is a file, and files
 * can be edited), the bill read, and the set written again whole through the atomic writer:
 * report.json with its `bill`, report.md (and report.html) with the "Estimate vs bill" section,
 * reconciliation.csv, every other file as it was, and a new manifest. A file changed since the
 * manifest was written is refused rather than signed anew.
 */

/** A decimal amount as report.json writes it. */
const money = z.string().regex(/^-?\d{1,30}(\.\d{1,30})?$/, 'expected a decimal amount');
const text = z.string().max(4096);

const costLine = z.object({
  kind: z.enum([
    'key-fee',
    'rotation-fee',
    'requests',
    'unattributed-requests',
    'free-tier-credit',
    'unlisted-keys',
  ]),
  account: text,
  region: text,
  keyArn: text.nullable(),
  tier: z.enum(REQUEST_TIERS).nullable(),
  operation: text.nullable(),
  quantity: money.nullable(),
  unitPrice: money.nullable(),
  priceUnit: z.enum(['key-month', '10k-requests']),
  amount: money.nullable(),
  assumptions: z.array(text),
});
const total = z.object({ amount: money, complete: z.boolean(), unknownLines: z.number().int().min(0) });

/** What the reconciliation reads of report.json: the month, the scope and the priced month's lines. */
const reportSchema = z.object({
  kind: z.literal(REPORT_KIND),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  month: z.string().regex(/^\d{4}-\d{2}$/),
  scope: z.object({ accounts: z.array(z.string().regex(/^\d{12}$/)) }),
  organization: z
    .object({ accounts: z.array(z.object({ account: text, name: text.nullable() })) })
    .nullable(),
  cost: z.object({
    currency: text,
    settings: z.object({ freeTierScope: z.enum(['account', 'organization']) }),
    keys: z.array(
      z.object({
        keyArn: text,
        source: z.enum(['snapshot', 'lifecycle-events', 'request-counts']),
        lines: z.array(costLine),
      }),
    ),
    accountRequests: z.array(costLine),
    unattributed: z.array(costLine),
    credits: z.array(costLine),
    byBilledAccount: z.array(z.object({ account: text, inTotal: z.boolean() })),
    total,
  }),
});

const manifestSchema = z.object({
  kind: z.literal('kms-report/manifest'),
  files: z.array(
    z.object({ name: z.string().max(255), bytes: z.number(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
});

/** Where the report set is, and how its bill is read. */
export interface ReconcileReportSetOptions {
  /** The report set's folder (`reports/<account>/<YYYY-MM>`). */
  readonly dir: string;
  readonly bill: BillOptions;
  readonly profile?: string;
  readonly network?: NetworkOptions;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

export interface ReconcileReportSetResult {
  readonly reconciliation: BillReconciliation;
  readonly manifest: Manifest;
}

/** report.json of the set, read within the size limit and checked. */
async function readReportJson(
  dir: string,
): Promise<{ data: Record<string, unknown>; checked: z.infer<typeof reportSchema> }> {
  const path = join(dir, 'report.json');
  const size = await stat(path).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new InputError(
        path,
        error.code === 'ENOENT'
          ? 'no report.json: write the report set with --format json first'
          : `cannot be read (${error.code})`,
      );
    },
  );
  if (size > MAX_PREVIOUS_REPORT_BYTES)
    throw new InputError(
      path,
      `is ${Math.round(size / 1048576)} MiB, more than the ${MAX_PREVIOUS_REPORT_BYTES / 1048576} MiB kms-report reads back`,
    );
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
  const checked = reportSchema.safeParse(data);
  if (!checked.success) {
    const { field, message } = firstZodIssue(checked.error);
    throw new InputError(path, `${field}: ${message}`);
  }
  return { data: data as Record<string, unknown>, checked: checked.data };
}

/** The SHA-256 of a file, read in blocks. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for (const block of fileBlocks(path)) hash.update(block);
  return hash.digest('hex');
}

/** A file's bytes in blocks, read as they are written out: no file is held whole. */
function* fileBlocks(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return;
      yield Buffer.from(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** The set's files as its manifest lists them, each checked against its SHA-256; anything else is refused. */
async function verifiedFiles(dir: string): Promise<string[]> {
  const path = join(dir, 'manifest.json');
  let manifest: z.infer<typeof manifestSchema>;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) throw new Error(firstZodIssue(parsed.error).message);
    manifest = parsed.data;
  } catch (error) {
    throw new InputError(path, `is not a kms-report manifest (${(error as Error).message.slice(0, 200)})`);
  }
  const listed = new Map(manifest.files.map((f) => [f.name, f.sha256]));
  const present = new Set(await readdir(dir));
  for (const name of listed.keys())
    if (!present.has(name))
      throw new InputError(dir, `${name} is listed in the report set's manifest but missing from the folder`);
  for (const name of present) {
    if (name === 'manifest.json' || name === 'SHA256SUMS') continue;
    const expected = listed.get(name);
    if (!expected || !(await lstat(join(dir, name))).isFile())
      throw new InputError(
        dir,
        `${name} is not in the report set's manifest: refusing to sign it into the set`,
      );
    if ((await sha256Of(join(dir, name))) !== expected)
      throw new InputError(
        dir,
        `${name} changed since the report set was written (its SHA-256 differs from the manifest's)`,
      );
  }
  return [...listed.keys()];
}

/**
 * report.md with its "Estimate vs bill" section (up to the next `##` heading) replaced by
 * `section`, or `section` placed before "Assumptions and limits" as the report renders it.
 */
export function withSection(markdown: string, section: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf('## Estimate vs bill');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const kept = start < 0 ? lines : [...lines.slice(0, start), ...(end < 0 ? [] : lines.slice(end))];
  const at = kept.indexOf('## Assumptions and limits');
  const insert = section
    .trimEnd()
    .split('\n')
    .map((l) => wrapLine(l))
    .concat('');
  return (at < 0 ? [...kept, '', ...insert] : [...kept.slice(0, at), ...insert, ...kept.slice(at)]).join(
    '\n',
  );
}

/** report.html with the section replaced or placed before the assumptions. */
function withHtmlSection(page: string, section: string): string {
  const start = page.indexOf('<section id="bill">');
  const cleaned =
    start < 0
      ? page
      : page.slice(0, start) + page.slice(page.indexOf('</section>', start) + '</section>\n'.length);
  const at = cleaned.indexOf('<section id="assumptions">');
  return at < 0 ? cleaned : `${cleaned.slice(0, at)}${section}\n${cleaned.slice(at)}`;
}

/** An account's label from report.json's organisation view (names are text from the evidence, escaped by the renderers). */
function labeler(checked: z.infer<typeof reportSchema>): (account: string) => string {
  const names = new Map(
    (checked.organization?.accounts ?? []).flatMap((a) => (a.name ? [[a.account, a.name]] : [])),
  );
  return (account) => (names.has(account) ? `${names.get(account)} (${account})` : account);
}

/**
 * Reads the month's bill for an existing report set and writes the estimate beside it into the
 * set: report.json's `bill`, the "Estimate vs bill" section of report.md (and report.html),
 * reconciliation.csv. The set is written again whole, atomically, with a new manifest.
 *
 * @example
 * ```ts
 * const { reconciliation } = await reconcileReportSet({
 *   dir: 'reports/111122223333/2026-10',
 *   bill: { source: 'cost-explorer' },
 * });
 * console.log(reconciliation.totals.percent);
 * ```
 */
export async function reconcileReportSet(
  options: ReconcileReportSetOptions,
): Promise<ReconcileReportSetResult> {
  const { dir } = options;
  const names = await verifiedFiles(dir);
  const { data, checked } = await readReportJson(dir);
  const bill = await readBill(options.bill.source, {
    month: monthOf(checked.month),
    accounts: checked.scope.accounts,
    organization: checked.organization !== null,
    clients: options.bill.clients,
    profile: options.profile,
    network: options.network,
    now: options.now,
    signal: options.signal,
    cur: options.bill.cur,
  });
  // Checked field by field above: what the reconciliation reads of the priced month.
  const reconciliation = reconcileBill(checked.cost as unknown as MonthCost, bill, {
    driftThresholdPercent: options.bill.driftThresholdPercent,
    flagEstimatedBill: options.bill.flagEstimatedBill,
  });
  keepEarlier(data, reconciliation);
  const files = await rewrittenFiles(
    dir,
    names,
    { ...data, bill: reconciliation },
    reconciliation,
    labeler(checked),
  );
  const at = (options.now?.() ?? new Date()).toISOString();
  const manifest = await writeReport(dir, files, at, options.signal);
  return { reconciliation, manifest };
}

/**
 * A bill that could not be read is not written over a reconciliation the set already holds:
 * the earlier one is kept, and the run fails saying so (a set without one gets the unknown one).
 */
function keepEarlier(data: Record<string, unknown>, rec: BillReconciliation): void {
  const earlier = data.bill as { readAt?: unknown; totals?: { billed?: unknown } } | null | undefined;
  if (rec.totals.billed !== null || !earlier || earlier.totals?.billed == null) return;
  throw new BillNotReadError(
    `the bill could not be read (${rec.gaps[0] ?? 'unknown'}): the report set's earlier reconciliation (read ${String(earlier.readAt).slice(0, 24)}) is kept, nothing was written`,
  );
}

/** `reconcile` could not read the bill and kept the set's earlier reconciliation. */
export class BillNotReadError extends KmsReportError {
  override readonly name = 'BillNotReadError';
}

async function rewrittenFiles(
  dir: string,
  names: readonly string[],
  report: Record<string, unknown>,
  rec: BillReconciliation,
  label: (account: string) => string,
): Promise<ReportFile[]> {
  const cap = capper({});
  const files: ReportFile[] = [];
  for (const name of names) {
    if (name === 'reconciliation.csv') continue;
    const path = join(dir, name);
    if (name === 'report.json') files.push({ name, contents: jsonFileChunks(report) });
    else if (name === 'report.md')
      files.push({
        name,
        contents: withSection(await readFile(path, 'utf8'), billSectionMarkdown(rec, cap, label)),
      });
    else if (name === 'report.html')
      files.push({
        name,
        contents: withHtmlSection(await readFile(path, 'utf8'), billSectionHtml(rec, cap, label)),
      });
    else files.push({ name, contents: fileBlocks(path) });
  }
  files.push({ name: 'reconciliation.csv', contents: reconciliationCsvChunks(rec) });
  if (files.length === 1) throw new KmsReportError(`${dir}: the report set lists no files`);
  return files;
}
