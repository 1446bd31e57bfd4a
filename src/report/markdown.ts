import { type Finding, remediationCommand, ruleOf, severityCounts } from '../model/findings.js';
import type { CostTotal, Money } from '../model/pricing.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { formatMoney, formatTotal } from '../pricing/money.js';
import { compareText } from '../util/compare.js';
import { billSectionMarkdown } from './bill-section.js';
import { keyName, unknownLinesInTotal } from './build.js';
import { escapeMarkdown as e } from './escape.js';
import { adviceSections } from './sections/advice.js';
import { filtersNotice, frameworksMarkdown } from './sections/frameworks.js';
import {
  accountCoverageTable,
  bySeverity,
  controlsText,
  costBreakdownParts,
  expiredSuppressionsTable,
  findingsByKey,
  gapsTable,
  inventoryCoverageTable,
  markdownTable,
  mutedTable,
  num,
  ownersOfFailing,
  reconciliationTable,
  type TableData,
  unknownGroups,
  unknownTable,
  unusedSuppressionsText,
  usageCoverageTable,
} from './views.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function monthTitle(month: string): string {
  const [year, m] = month.split('-');
  return `${MONTHS[Number(m) - 1]} ${year}`;
}

export const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
export const day = (iso: string) => iso.slice(0, 10);
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A table checked after the report was generated reads as an error (plain text: report.md and report.html show it). It happens to the demo, whose
 * sample is dated in the past and priced with the tables shipped today; on a real run, only with
 * a wrong clock. Either way the report says so.
 */
export function pricingTableDateNote(report: MonthlyReport): string {
  if (report.evidence.pricingTable.checked <= day(report.generatedAt)) return '';
  return report.demo
    ? `: the tables shipped with kms-report ${report.tool.version}, newer than the sample, which is dated ${day(report.generatedAt)}`
    : `: after this report was generated (${day(report.generatedAt)}); check the clock of the machine that ran it`;
}

/** A {@link TableData} drawn as a Markdown table. */
const tableOf = markdownTable;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return markdownTable({ header, rows });
}

/**
 * Rows a table of report.md shows before it points to the file that has them all: a report of
 * 100,000 keys would otherwise be a 70 MB Markdown file, past what a ticket takes. The CSV and
 * JSON files always hold every row.
 */
export const DEFAULT_MARKDOWN_TABLE_ROWS = 1000;

export interface MarkdownOptions {
  /** Rows per table before the rest is left to the CSV/JSON files; 0 for no limit. Default {@link DEFAULT_MARKDOWN_TABLE_ROWS}. */
  readonly maxTableRows?: number;
  /**
   * The formats written beside report.md (`md`, `csv`, `json`; default all), so a cut table
   * names a file that is there. snapshot.json is always written.
   */
  readonly formats?: readonly string[];
}

/** A list cut to the table limit: what is shown, and (when cut) what the note says. */
export interface Capped<T> {
  readonly shown: readonly T[];
  /** Markdown: empty, or a paragraph (with its leading blank line) saying where the rest is. */
  readonly note: string;
  /** The same as plain text, for other renderers; empty when nothing was cut. */
  readonly noteText: string;
}

/** Cuts a list to the table limit; the note says which written file lists it whole. */
export type Cap = <T>(list: readonly T[], noun: string, files: readonly string[]) => Capped<T>;

export function capper(options: MarkdownOptions): Cap {
  const max = options.maxTableRows ?? DEFAULT_MARKDOWN_TABLE_ROWS;
  if (!Number.isInteger(max) || max < 0)
    throw new RangeError(`maxTableRows must be a whole number of rows (0: no limit), got ${max}`);
  const formats = options.formats ?? ['md', 'csv', 'json'];
  const written = new Set(['snapshot.json']);
  if (formats.includes('csv'))
    for (const f of ['keys.csv', 'costs.csv', 'findings.csv', 'reconciliation.csv']) written.add(f);
  if (formats.includes('json')) written.add('report.json');
  return (list, noun, files) => {
    if (max === 0 || list.length <= max) return { shown: list, note: '', noteText: '' };
    const file = files.find((f) => written.has(f));
    const format = files.some((f) => f.endsWith('.csv')) ? 'csv' : 'json';
    const rest = (code: (s: string) => string) =>
      file
        ? `${code(file)} lists them all`
        : `re-run with ${code(`--format ${format}`)} for a file that lists them all`;
    const first = `The first ${max.toLocaleString('en-US')} of ${list.length.toLocaleString('en-US')} ${noun} are shown`;
    return {
      shown: list.slice(0, max),
      note: `\n\n_${first}; ${rest((c) => `\`${c}\``)}._`,
      noteText: `${first}; ${rest((c) => c)}.`,
    };
  };
}

/** Keys or findings named inline in the month-over-month section before "and N more". */
const MONTH_OVER_MONTH_NAMES = 50;

function keyLabel(row: KeyRow | undefined, arn: string): string {
  return row ? `${e(keyName(row))}` : e(arn);
}

/** An amount in the report's currency, "unknown" for null (plain text: report.md and report.html). */
export function money(m: Money | null, currency: string): string {
  return formatMoney(m, { currency });
}

/** A part of a total: its amount, "at least" when some lines are unknown, "unknown" when all are (plain text). */
export function part(t: CostTotal, currency: string): string {
  if (t.complete) return money(t.amount, currency);
  if (t.amount === '0') return `unknown (${t.unknownLines} line${t.unknownLines === 1 ? '' : 's'})`;
  return formatTotal(t, { currency });
}

/** `name (id)` when the account's name is known, else the id: plain text, each renderer escapes it. */
export function plainAccountLabeler(report: MonthlyReport): (account: string) => string {
  const names = new Map<string, string>();
  for (const a of report.organization?.accounts ?? []) if (a.name) names.set(a.account, a.name);
  return (account) => {
    const name = names.get(account);
    return name ? `${name} (${account})` : account;
  };
}

/** {@link plainAccountLabeler}, escaped for Markdown (names and ids come from the evidence). */
function accountLabeler(report: MonthlyReport): (account: string) => string {
  const label = plainAccountLabeler(report);
  return (account) => e(label(account));
}

function accountsCell(report: MonthlyReport): string {
  const org = report.organization;
  if (!org) return report.scope.accounts.map(e).join(', ');
  const failed = org.accounts.filter((a) => a.coverage === 'failed').length;
  return `${plural(org.accounts.length, 'account')}${org.id ? ` of organization ${e(org.id)}` : ''}, run from ${org.callerAccount}${failed ? `; **${failed} could not be read**` : ''} (see [Accounts](#accounts))`;
}

/** The "About this report" rows: label, then Markdown text. */
function aboutRows(report: MonthlyReport): string[][] {
  const gaps = report.coverage.gaps.length;
  const partialUsage = report.coverage.usage.filter((u) => u.status !== 'complete');
  return [
    ['Period', periodText(report)],
    ['Accounts', accountsCell(report)],
    ['Regions', `${report.scope.regions.map(e).join(', ')} (partition ${e(report.scope.partition)})`],
    [
      'Evidence collected',
      `${utc(report.evidence.collectedAt.startedAt)} to ${utc(report.evidence.collectedAt.finishedAt)}`,
    ],
    ['Generated', `${utc(report.generatedAt)} by kms-report ${report.tool.version}`],
    [
      'Pricing table',
      `${e(report.evidence.pricingTable.version)} (${e(report.evidence.pricingTable.currency)}, checked ${e(report.evidence.pricingTable.checked)})${pricingTableDateNote(report)}`,
    ],
    ['Free tier', FREE_TIER_LABEL[report.cost.settings.freeTierScope]],
    [
      'Request volumes',
      report.evidence.usageSources.length > 0
        ? `${report.evidence.usageSources.map(e).join(', ')}${partialUsage.length ? ` (${plural(partialUsage.length, 'incomplete source')})` : ''}`
        : '**not collected**: request costs are unknown',
    ],
    [
      'Coverage',
      report.coverage.complete
        ? 'complete: every region, key and source was read'
        : `**incomplete**: ${plural(gaps, 'gap')}${partialUsage.length ? `, ${plural(partialUsage.length, 'usage source')} not complete` : ''} (see [Coverage and gaps](#coverage-and-gaps))`,
    ],
    ['Owner tag', `\`${e(report.ownerTag)}\` (\`ownerTag\` in the compliance configuration)`],
  ];
}

/** The month's first and last day. */
export function periodText(report: MonthlyReport): string {
  return `${day(report.period.start)} to ${day(new Date(Date.parse(report.period.end) - 1).toISOString())} (UTC)`;
}

/** The names of some keys, the first `max`, then how many more. */
export function keyNames(report: MonthlyReport, arns: readonly string[], max = 5): string[] {
  const rows = new Map(report.keys.map((r) => [r.arn, r]));
  const names = arns.slice(0, max).map((a) => {
    const row = rows.get(a);
    return row ? keyName(row) : a;
  });
  return arns.length > max ? [...names, `and ${arns.length - max} more`] : names;
}

/** How an owner-less key is shown. */
export const noOwner = (report: MonthlyReport) => `no ${report.ownerTag} tag`;

function header(report: MonthlyReport): string {
  const c = report.summary.cost;
  const currency = report.cost.currency;
  const lines = [
    `# KMS cost and compliance: ${monthTitle(report.month)}${report.monthToDate ? ' (month to date)' : ''}`,
    '',
  ];
  if (report.demo)
    lines.push(
      '> **Demo data.** This report was rendered from the sample account that ships with kms-report, not from AWS.',
      '',
    );
  if (report.monthToDate)
    lines.push(
      `> **Month to date.** The month had not ended when the evidence was collected (${utc(report.evidence.collectedAt.finishedAt)}); figures cover ${day(report.period.start)} to then.`,
      '',
    );
  if (report.evidence.late) lines.push(`> **Late evidence.** ${report.evidence.late.warning}`, '');
  if (report.filters) lines.push(filtersNotice(report));
  lines.push(
    '## Summary',
    '',
    `**Estimated cost: ${formatTotal(c.total, { currency })}**${c.total.complete ? '' : ' — some lines could not be priced; see the cost lines marked unknown.'}`,
    '',
  );
  const f = report.summary.findings;
  const failing = severityCounts(f.failingBySeverity);
  lines.push(
    `**Findings:** ${plural(f.byStatus.FAIL, 'failing finding')}${failing ? ` (${failing})` : ''}, ${f.byStatus.MUTED} muted, ${f.byStatus.UNKNOWN} unknown (evidence missing), ${f.byStatus.PASS} passed.`,
    '',
  );
  const owners = ownersOfFailing(report);
  if (owners.length > 0)
    lines.push(
      `**Owners of the failing keys** (tag \`${e(report.ownerTag)}\`): ${owners
        .map(
          (o) =>
            `${o.owner === null ? e(noOwner(report)) : e(o.owner)} (${plural(o.keys, 'key')}, ${plural(o.findings, 'finding')})`,
        )
        .join('; ')}.`,
      '',
    );
  lines.push(
    firstActionsSection(report),
    '### About this report',
    '',
    table(['', ''], aboutRows(report)),
    '',
  );
  return lines.join('\n');
}

function firstActionsSection(report: MonthlyReport): string {
  const actions = report.summary.firstActions;
  if (actions.length === 0) return '';
  const cur = report.cost.currency;
  return [
    '### What to do first',
    '',
    ...actions.map((a, i) => {
      const cost =
        a.wastedCost !== null ? `; the keys cost ${money(a.wastedCost, cur)} this month for nothing` : '';
      const owners = a.owners.length ? ` Owners: ${a.owners.map(e).join(', ')}.` : '';
      return `${i + 1}. **${e(a.fix)}** ${a.severity} ${a.ruleId} (${plural(a.findings, 'failing finding')}${cost}). Keys: ${keyNames(report, a.keyArns).map(e).join(', ')}.${owners}`;
    }),
    '',
    "Each key's commands are under [Findings](#findings).",
    '',
  ].join('\n');
}

/** How the request free tier was applied (`--free-tier`). */
export const FREE_TIER_LABEL = {
  account: 'once per account (`--free-tier account`)',
  organization: 'once for all the accounts, as consolidated billing does (`--free-tier organization`)',
} as const;

export const COVERAGE_LABEL = { complete: 'complete', partial: 'partial', failed: '**not read**' } as const;

function organizationSection(report: MonthlyReport): string {
  const org = report.organization;
  if (!org) return '';
  const cur = report.cost.currency;
  const total = (t: { amount: string; complete: boolean; unknownLines: number }) =>
    formatTotal(t, { currency: cur });
  const lines = [
    '## Accounts',
    '',
    `The request free tier is applied ${FREE_TIER_LABEL[report.cost.settings.freeTierScope]}.`,
    '',
    table(
      [
        'Account',
        'Name',
        'OU',
        num('Keys'),
        num('Estimated cost'),
        'Failing findings',
        num('Unknown'),
        'Coverage',
      ],
      org.accounts.map((a) => {
        const failing = severityCounts(a.failingBySeverity);
        return [
          a.account,
          e(a.name ?? ''),
          a.ou ? e(a.ou.name) : 'unknown OU',
          a.coverage === 'failed' ? 'n/a' : String(a.keys),
          a.coverage === 'failed' ? 'not seen' : total(a.total),
          a.coverage === 'failed' ? 'n/a' : `${a.failing}${failing ? ` (${failing})` : ''}`,
          a.coverage === 'failed' ? 'n/a' : String(a.unknown),
          COVERAGE_LABEL[a.coverage],
        ];
      }),
    ),
    '',
  ];
  if (org.ous.length > 0)
    lines.push(
      '### By organizational unit',
      '',
      table(
        ['OU', num('Accounts'), num('Keys'), num('Estimated cost'), num('Failing findings')],
        org.ous.map((o) => [
          o.ou ? `${e(o.ou.name)} (\`${e(o.ou.id)}\`)` : 'unknown OU',
          String(o.accounts),
          String(o.keys),
          total(o.total),
          String(o.failing),
        ]),
      ),
      '',
    );
  else
    lines.push(
      'OUs are unknown: the caller may not read them (organizations:ListParents, organizations:DescribeOrganizationalUnit), or the accounts were named by id.',
      '',
    );
  return lines.join('\n');
}

function costBreakdown(report: MonthlyReport): string {
  const c = report.summary.cost;
  const cur = report.cost.currency;
  const rows: string[][] = [
    ...costBreakdownParts(report).map(({ label, amount }) => [label, part(amount, cur)]),
    ['**Total**', `**${formatTotal(c.total, { currency: cur })}**`],
  ];
  const lines = ['### Where the money goes', '', table(['', num('Amount')], rows), ''];
  const names = new Map(report.keys.map((k) => [k.arn, keyName(k)]));
  const unknown = unknownLinesInTotal(report.cost);
  if (unknown.length > 0)
    lines.push(
      'Could not be priced (the totals above are lower bounds):',
      '',
      ...unknown
        .slice(0, 20)
        .map(
          (l) =>
            `- ${e(l.keyArn ? (names.get(l.keyArn) ?? l.keyArn) : `${l.account} ${l.region}`)}: ${e(l.description)} — ${e(l.unknownReason ?? 'unknown')}`,
        ),
      ...(unknown.length > 20
        ? [`- ... and ${unknown.length - 20} more (see costs.csv, UNKNOWN_REASON)`]
        : []),
      '',
    );
  const others = report.cost.byBilledAccount.filter((a) => !a.inTotal);
  if (others.length > 0) {
    const label = accountLabeler(report);
    lines.push(
      `Billed to other accounts, for the requests they made on these keys, and in no total of this report: ${others.map((a) => `${label(a.account)} ${formatTotal(a.total, { currency: cur })}`).join(', ')} (\`BILLED_ACCOUNT\` in costs.csv).`,
      '',
    );
  }
  return lines.join('\n');
}

function keySummary(report: MonthlyReport): string {
  const k = report.summary.keys;
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([name, n]) => `${e(name)} ${n}`)
      .join(', ');
  return [
    '### Keys',
    '',
    `${plural(k.total, 'key')} in the inventory. Manager: ${list(k.byManager)}. State: ${list(k.byState)}. Spec: ${list(k.bySpec)}.`,
    ...(report.coverage.keysCreatedAfterMonth.length
      ? [
          '',
          `${plural(report.coverage.keysCreatedAfterMonth.length, 'key')} created after the month ended ${report.coverage.keysCreatedAfterMonth.length === 1 ? 'is' : 'are'} left out.`,
        ]
      : []),
    '',
  ].join('\n');
}

function mostExpensive(report: MonthlyReport, rows: ReadonlyMap<string, KeyRow>): string {
  const cur = report.cost.currency;
  if (report.summary.mostExpensive.length === 0) return '';
  return [
    '### Most expensive keys',
    '',
    table(
      ['Key', 'Region', 'Spec', num('Requests'), num('Total')],
      report.summary.mostExpensive.map((arn) => {
        const r = rows.get(arn);
        return [
          keyLabel(r, arn),
          e(r?.region ?? ''),
          e(r?.keySpec ?? 'unknown'),
          r?.requestCount === null || r?.requestCount === undefined
            ? 'unknown'
            : r.requestCount.toLocaleString('en-US'),
          r ? `${money(r.total, cur)}${r.totalComplete ? '' : ' (at least)'}` : '',
        ];
      }),
    ),
    '',
  ].join('\n');
}

function wasteSection(report: MonthlyReport, cap: Cap): string {
  const cur = report.cost.currency;
  const rows = report.summary.waste;
  const { shown, note } = cap(rows, 'such keys', ['report.json']);
  return [
    '### Keys that cost money for nothing',
    '',
    rows.length === 0
      ? 'None: no key was disabled all month, unused, or pending deletion.'
      : table(
          ['Key', 'Why', num('Cost this month')],
          shown.map((w) => [e(w.name), e(w.reason), money(w.cost, cur)]),
        ) + note,
    '',
  ].join('\n');
}

function monthOverMonth(
  report: MonthlyReport,
  rows: ReadonlyMap<string, KeyRow>,
  jsonWritten: boolean,
): string {
  const m = report.monthOverMonth;
  if (!m)
    return report.monthOverMonthNote
      ? [
          '### Month over month',
          '',
          `Not compared with last month: ${e(report.monthOverMonthNote)}.`,
          '',
        ].join('\n')
      : '';
  const cur = report.cost.currency;
  // Inline lists: the first few, then how many more, and where the whole list is.
  const more = jsonWritten ? 'report.json lists them all' : 're-run with `--format json` for the full list';
  const list = <T>(items: readonly T[], show: (item: T) => string, sep: string) =>
    items.length === 0
      ? 'none'
      : `${items.slice(0, MONTH_OVER_MONTH_NAMES).map(show).join(sep)}${items.length > MONTH_OVER_MONTH_NAMES ? `${sep}and ${items.length - MONTH_OVER_MONTH_NAMES} more (${more})` : ''}`;
  const names = (arns: readonly string[]) => list(arns, (a) => keyLabel(rows.get(a), a), ', ');
  const findings = (items: readonly { ruleId: string; keyArn: string }[]) =>
    list(items, (f) => `${f.ruleId} on ${keyLabel(rows.get(f.keyArn), f.keyArn)}`, '; ');
  const change = m.totalChange.startsWith('-') ? money(m.totalChange, cur) : `+${money(m.totalChange, cur)}`;
  return [
    `### Since ${monthTitle(m.previousMonth)}`,
    '',
    `- Cost: ${change} (from ${money(m.previousTotal, cur)})`,
    `- Keys added: ${names(m.keysAdded)}`,
    `- Keys removed: ${list(m.keysRemoved, e, ', ')}`,
    `- Findings opened: ${findings(m.findingsOpened)}`,
    `- Findings resolved: ${findings(m.findingsResolved)}`,
    '',
  ].join('\n');
}

function findingsSection(report: MonthlyReport, rows: ReadonlyMap<string, KeyRow>, cap: Cap): string {
  const unknown = unknownGroups(report);
  const muted = report.findings.filter((f) => f.status === 'MUTED').sort(bySeverity);
  const unknownShown = cap(unknown, 'keys and missing evidence', ['findings.csv', 'report.json']);
  const mutedShown = cap(muted, 'muted findings', ['findings.csv', 'report.json']);
  // Organisation reports name each finding's account first.
  const label = accountLabeler(report);
  const keyCell = (arn: string) => keyLabel(rows.get(arn), arn);
  const lines = ['## Findings', ''];
  lines.push(
    '### Failing',
    '',
    failingFindings(report, rows, cap),
    '',
    '### Unknown: the evidence could not be read',
    '',
    unknown.length === 0
      ? 'None: every check had its evidence.'
      : tableOf(unknownTable(report, unknownShown.shown, label, (g) => keyCell(g.keyArn), e)) +
          unknownShown.note,
    '',
    '### Muted by a suppression',
    '',
    muted.length === 0
      ? 'None.'
      : tableOf(mutedTable(report, mutedShown.shown, label, keyCell, e)) + mutedShown.note,
    '',
  );
  if (report.expiredSuppressions.length > 0)
    lines.push(
      '### Expired suppressions (they mute nothing: renew or remove them)',
      '',
      tableOf(expiredSuppressionsTable(report, e)),
      '',
    );
  const unused = unusedSuppressionsText(report, e);
  if (unused) lines.push(unused, '');
  return lines.join('\n');
}

/** The failing findings grouped by key, the keys with the most severe findings first. */
function failingFindings(report: MonthlyReport, rows: ReadonlyMap<string, KeyRow>, cap: Cap): string {
  const failing = findingsByKey(report).flatMap((g) => g.findings.map((f) => ({ g, f })));
  if (failing.length === 0) return 'No failing finding.';
  const shown = cap(failing, 'failing findings (the keys with the most severe first)', [
    'findings.csv',
    'report.json',
  ]);
  const label = accountLabeler(report);
  const acct = (f: { account: string }): string[] => (report.organization ? [label(f.account)] : []);
  const rule = (f: Finding) => ruleOf(report.rules, f.ruleId);
  return `Grouped by key, the keys with the most severe findings first; the fix comes first, then why the key fails.\n\n${table(
    [
      ...(report.organization ? ['Account'] : []),
      'Key',
      'Region',
      'Owner',
      'Severity',
      'Rule',
      'Fix',
      'Why',
      'Controls',
    ],
    shown.shown.map(({ g, f }) => [
      ...acct(f),
      keyLabel(rows.get(f.keyArn), f.keyArn),
      e(f.region),
      e(g.owner ?? noOwner(report)),
      f.severity,
      `${f.ruleId} ${e(rule(f).title)}`,
      `${e(rule(f).remediation.text)} \`${remediationCommand(rule(f), f).replace(/`/g, "'")}\``,
      e(f.reason),
      e(controlsText(rule(f).controls)),
    ]),
  )}${shown.note}`;
}

/** The key table's rows in its order (account, region, name), each key's name computed once; report.md and report.html. */
export function keyTableRows(report: MonthlyReport): { row: KeyRow; name: string }[] {
  return report.keys
    .map((row) => ({ row, name: keyName(row) }))
    .sort(
      (a, b) =>
        compareText(a.row.account, b.row.account) ||
        compareText(a.row.region, b.row.region) ||
        compareText(a.name, b.name),
    );
}

function keyTable(report: MonthlyReport, cap: Cap): string {
  const cur = report.cost.currency;
  const sorted = keyTableRows(report);
  const { shown, note } = cap(sorted, 'keys', ['keys.csv', 'report.json']);
  const label = accountLabeler(report);
  const org = report.organization !== null;
  const ours = new Set(report.scope.accounts);
  // A key of another account that these accounts paid to use: say whose it is.
  const whose = (r: KeyRow) => (org || ours.has(r.account) ? '' : ` (key of ${e(r.account)})`);
  return [
    '## Keys',
    '',
    table(
      [
        ...(org ? ['Account'] : []),
        'Key',
        'Id',
        'Owner',
        'Region',
        'Spec',
        'State',
        'Manager',
        num('Key fee'),
        num('Rotation'),
        num('Requests'),
        num('Total'),
        num('Failing'),
      ],
      shown.map(({ row: r, name }) => [
        ...(org ? [label(r.account)] : []),
        `${e(name)}${whose(r)}`,
        `\`${e(r.keyId)}\``,
        e(r.owner ?? ''),
        e(r.region),
        e(r.keySpec ?? 'unknown'),
        e(r.keyState ?? 'unknown'),
        r.keyManager ?? 'unknown',
        money(r.keyFee, cur),
        money(r.rotationFee, cur),
        money(r.requests, cur),
        `${money(r.total, cur)}${r.totalComplete ? '' : ' (at least)'}`,
        String(r.failing),
      ]),
    ) + note,
    '',
    'Amounts are rounded to cents for display; `costs.csv` and `report.json` carry full precision.',
    '',
  ].join('\n');
}

function coverageSection(report: MonthlyReport, cap: Cap): string {
  const lines = ['## Coverage and gaps', ''];
  const label = accountLabeler(report);
  const accounts = accountCoverageTable(report, label, (c) => COVERAGE_LABEL[c], e);
  if (accounts) lines.push('Every account in scope, and what of it was read:', '', tableOf(accounts), '');
  lines.push(tableOf(inventoryCoverageTable(report, e)), '');
  if (report.coverage.usage.length > 0) lines.push(tableOf(usageCoverageTable(report, e)), '');
  else lines.push('No request-volume source was read: every request cost is unknown, never zero.', '');
  const rec = reconciliationTable(report, e);
  if (rec)
    lines.push(
      'How much of the account-level volume (CloudWatch) the per-key counts (CloudTrail) explain:',
      '',
      tableOf(rec),
      '',
    );
  const gaps = cap(report.coverage.gaps, 'gaps', ['report.json', 'snapshot.json']);
  lines.push(
    report.coverage.gaps.length === 0
      ? 'No gaps: every call succeeded.'
      : [
          'What could not be seen (each turns the checks that need it UNKNOWN):',
          '',
          tableOf(gapsTable(report, gaps.shown, label, e)) + gaps.note,
        ].join('\n'),
    '',
  );
  return lines.join('\n');
}

function assumptionsSection(report: MonthlyReport): string {
  const lines = ['## Assumptions and limits', ''];
  for (const a of report.cost.assumptions)
    lines.push(`- **${e(a.id)}**: ${e(a.statement)} (applied to ${plural(a.appliesTo.length, 'item')})`);
  for (const n of report.cost.notices) lines.push(`- ${e(n)}`);
  for (const a of report.evidence.usageAssumptions)
    lines.push(`- **${e(a.id)}** (request volumes${a.confirmed ? '' : ', unconfirmed'}): ${e(a.statement)}`);
  lines.push(
    '- Estimates are computed from the pricing table above and the evidence in this folder; the AWS bill is the authority. Taxes, support and custom key store (CloudHSM, external key store) charges are outside this report.',
    '',
  );
  return lines.join('\n');
}

function evidenceSection(formats: readonly string[]): string {
  const html = formats.includes('html') ? ' `report.html` is this report for a browser.' : '';
  return [
    '## Evidence',
    '',
    `This folder holds the evidence behind this report: \`snapshot.json\` (the inventory as collected), \`usage.json\` (request volumes and key lifecycle, when collected), \`report.json\` (everything above, for machines), \`keys.csv\`, \`costs.csv\` and \`findings.csv\`.${html} \`manifest.json\` and \`SHA256SUMS\` list each file with its SHA-256: verify with \`sha256sum -c SHA256SUMS\`.`,
    '',
  ].join('\n');
}

/**
 * Renders the monthly report as GitHub-flavoured Markdown for an audit ticket. Every string
 * a key's owner controls is escaped. Tables that grow with the estate (keys, findings, waste,
 * gaps) show at most `maxTableRows` rows and say which file holds them all.
 *
 * @example
 * ```ts
 * await writeFile('report.md', renderMarkdown(report, { maxTableRows: 200 }));
 * ```
 */
export function renderMarkdown(report: MonthlyReport, options: MarkdownOptions = {}): string {
  const rows = new Map(report.keys.map((r) => [r.arn, r]));
  const cap = capper(options);
  return `${[
    header(report),
    costBreakdown(report),
    keySummary(report),
    mostExpensive(report, rows),
    wasteSection(report, cap),
    monthOverMonth(report, rows, (options.formats ?? ['json']).includes('json')),
    organizationSection(report),
    adviceSections(report),
    findingsSection(report, rows, cap),
    frameworksMarkdown(report),
    keyTable(report, cap),
    coverageSection(report, cap),
    billSectionMarkdown(report.bill, cap, plainAccountLabeler(report)),
    assumptionsSection(report),
    evidenceSection(options.formats ?? []),
  ]
    .filter(Boolean)
    .join('\n')
    .split('\n')
    .map((line) => wrapLine(line))
    .join('\n')
    .trimEnd()}\n`;
}

/** Lines of prose longer than this are wrapped (tables and headings are not). */
export const MARKDOWN_LINE_WIDTH = 200;

/**
 * A word a wrapped line may start with: one Markdown reads as more of the paragraph, never as a
 * list item, heading, quote, fence, table row or setext underline.
 */
function startsLineSafely(word: string): boolean {
  return /^[A-Za-z0-9$("'\\[*`_]/.test(word) && !/^(\d{1,9}[.)]|\*|`{3,}.*)$/.test(word);
}

/**
 * Wraps a long line of prose (a paragraph, a quote, a list item) at spaces into lines of at most
 * {@link MARKDOWN_LINE_WIDTH} characters where it can, continuing quotes with `> ` and list items
 * indented, never inside a code span: the rendered text is the same, the source reads in a
 * terminal or a diff. Tables,
 * headings and short lines are left as they are.
 */
export function wrapLine(line: string, width = MARKDOWN_LINE_WIDTH): string {
  if (line.length <= width || line.startsWith('|') || line.startsWith('#')) return line;
  const marker = /^(> |- |\d+\. )/.exec(line)?.[1] ?? '';
  const indent = marker === '> ' ? '> ' : ' '.repeat(marker.length);
  const words = line.slice(marker.length).split(' ');
  // Where a line may break (before word i): not after an escaping backslash, not inside a code
  // span (an odd number of backticks before it), not before a word Markdown would read as a marker.
  const safe: boolean[] = [];
  let backticks = 0;
  words.forEach((word, i) => {
    const previous = words[i - 1];
    safe.push(i > 0 && backticks % 2 === 0 && !previous?.endsWith('\\') && startsLineSafely(word));
    backticks += word.match(/`/g)?.length ?? 0;
  });
  const out: string[] = [];
  let start = 0;
  while (start < words.length) {
    const prefix = start === 0 ? marker : indent;
    // The furthest break that keeps the line within the width, else the first break there is.
    let length = prefix.length + (words[start] as string).length;
    let breakAt = -1;
    let j = start + 1;
    for (; j < words.length; j++) {
      if (safe[j]) {
        if (length <= width) breakAt = j;
        else {
          if (breakAt === -1) breakAt = j;
          break;
        }
      }
      length += 1 + (words[j] as string).length;
    }
    const end = breakAt === -1 || (j === words.length && length <= width) ? words.length : breakAt;
    out.push(prefix + words.slice(start, end).join(' '));
    start = end;
  }
  return out.join('\n');
}
