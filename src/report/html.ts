import {
  type Finding,
  type RuleInfo,
  remediationCommand,
  ruleOf,
  SEVERITIES,
  severityCounts,
} from '../model/findings.js';
import type { CostTotal } from '../model/pricing.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { formatTotal } from '../pricing/money.js';
import { billSectionHtml } from './bill-section.js';
import { keyName, unknownLinesInTotal } from './build.js';
import { escapeHtml } from './escape.js';
import {
  type Cap,
  COVERAGE_LABEL,
  capper,
  day,
  FREE_TIER_LABEL,
  keyNames,
  keyTableRows,
  type MarkdownOptions,
  money,
  monthTitle,
  noOwner,
  part as partOf,
  periodText,
  plainAccountLabeler,
  plural,
  pricingTableDateNote,
  utc,
} from './markdown.js';
import { filtersText, frameworkTable, frameworkTitle } from './sections/frameworks.js';
import {
  accountCoverageTable,
  bySeverity,
  controlGroups,
  costBreakdownParts,
  expiredSuppressionsTable,
  findingsByKey,
  gapsTable,
  inventoryCoverageTable,
  type KeyFindings,
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

/**
 * report.html: the same report as report.md, for a person with a browser. One self-contained
 * file: styles inline, no script, no request (a Content-Security-Policy forbids any), tables that
 * wrap instead of overflowing, long lists folded with `<details>`. Every string of the evidence
 * is escaped: text is escaped by default (see {@link html}), markup only enters through
 * {@link Html} values this file builds.
 *
 * The first screen holds the headline: the estimated cost (`#total-cost`, its full-precision
 * amount in `data-amount`), the findings by status and severity (`#finding-counts`, each count in
 * `data-count`), who owns the failing keys, and what to do first (`#first-actions`).
 */

/** Markup built here (trusted); any other value interpolated into {@link html} is escaped. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = string | number | Html | null | undefined | false | readonly Part[];

function part(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped, unless they are {@link Html} built here. */
function html(strings: TemplateStringsArray, ...values: readonly Part[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i] as Part) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** After these, a long identifier (an ARN, an alias, a spec) may break across lines. */
const BREAK_AFTER = new Set(['/', '-', '_', ':', '.', ',', '=', '@', '|', '&', ';']);
/** A run of characters with no break opportunity longer than this gets one. */
const LONGEST_UNBROKEN = 24;

/**
 * Text escaped, with break opportunities (`<wbr>`) after the separators of identifiers and in
 * long unbroken runs: a table column can then be narrower than an ARN, and the table fits the
 * page without breaking ordinary words anywhere.
 */
function breakable(text: string): Html {
  let out = '';
  let piece = '';
  let run = 0;
  for (const c of text) {
    piece += c;
    run = /\s/.test(c) ? 0 : run + 1;
    if (run > 0 && (BREAK_AFTER.has(c) || run >= LONGEST_UNBROKEN)) {
      out += `${escapeHtml(piece)}<wbr>`;
      piece = '';
      run = 0;
    }
  }
  return new Html(out + escapeHtml(piece));
}

function table(header: readonly string[], rows: readonly (readonly Part[])[], cls = ''): Html {
  const numeric = header.map((h) => h.endsWith(' '));
  const cell = (tag: 'th' | 'td', value: Part, i: number) =>
    new Html(
      `<${tag}${numeric[i] ? ' class="num"' : ''}>${part(typeof value === 'string' && !numeric[i] ? breakable(value) : value)}</${tag}>`,
    );
  return html`<div class="table"><table${cls ? html` class="${cls}"` : ''}>
${header.some((h) => h.trim()) ? html`<thead><tr>${header.map((h, i) => cell('th', h.trim(), i))}</tr></thead>` : ''}
<tbody>
${rows.map((r) => html`<tr>${r.map((c, i) => cell('td', c, i))}</tr>\n`)}</tbody>
</table></div>`;
}

/** A {@link TableData} drawn as an HTML table. */
const tableOf = (t: TableData<Part>): Html => table(t.header, t.rows);

const note = (text: string): Html => (text ? html`<p class="note">${text}</p>` : html``);

// The page escapes every value it interpolates: the plain-text helpers of report.md serve it as they are.
const accountLabeler = plainAccountLabeler;

const code = (text: string) => html`<code>${breakable(text)}</code>`;
const severity = (s: string) => html`<span class="sev sev-${s}">${s}</span>`;

const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
main { max-width: 1200px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.6em; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
p, li { overflow-wrap: anywhere; }
.banner { border-left: 4px solid #bf8700; background: #fff8c5; padding: 6px 12px; margin: 8px 0; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 12px; }
.figure { flex: 1 1 260px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--bg-alt); }
.figure .label { color: var(--muted); font-size: 0.9em; }
.figure .value { font-size: 1.6em; font-weight: 600; }
.counts { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
ol.actions { padding-left: 1.6em; }
ol.actions li { margin: 0 0 8px; }
.fix { font-weight: 600; }
.table { width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: var(--bg-alt); }
#bill td, #bill th { overflow-wrap: anywhere; }
.num { text-align: right; }
td small { color: var(--muted); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-alt); padding: 0 3px; border-radius: 3px; white-space: pre-wrap; overflow-wrap: break-word; }
@media (max-width: 900px) { body { font-size: 14px; } main { padding: 12px 10px 40px; } table { font-size: 0.85em; } th, td { padding: 3px 4px; } }
details summary { cursor: pointer; color: var(--muted); }
details ul { margin: 4px 0; padding-left: 1.2em; }
.sev { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 10px; font-size: 0.85em; font-weight: 600; background: #eaeef2; }
.sev-critical { background: #ffebe9; color: #a40e26; }
.sev-high { background: #fff1e5; color: #953800; }
.sev-medium { background: #fff8c5; color: #7d4e00; }
.sev-low { background: #ddf4ff; color: #0550ae; }
.key-group { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px 8px; margin: 10px 0; }
.key-group h4 { margin: 6px 0 2px; font-size: 1em; overflow-wrap: anywhere; }
.key-group .meta { color: var(--muted); margin: 0 0 4px; overflow-wrap: anywhere; }
.note { color: var(--muted); font-style: italic; }
`;

function headline(report: MonthlyReport): Html {
  const c = report.summary.cost;
  const currency = report.cost.currency;
  const f = report.summary.findings;
  const owners = ownersOfFailing(report);
  return html`<section id="summary">
<h2>Summary</h2>
<div class="headline">
<div class="figure" id="total-cost" data-amount="${c.total.amount}" data-complete="${String(c.total.complete)}" data-currency="${currency}">
<div class="label">Estimated cost, ${monthTitle(report.month)}</div>
<div class="value">${formatTotal(c.total, { currency })}</div>
${c.total.complete ? '' : html`<div>Some lines could not be priced; see the cost lines marked unknown.</div>`}
</div>
<div class="figure" id="finding-counts">
<div class="label">Findings</div>
<div class="value"><span data-status="FAIL" data-count="${f.byStatus.FAIL}">${plural(f.byStatus.FAIL, 'failing finding')}</span></div>
<ul class="counts">
${SEVERITIES.map(
  (s) =>
    html`<li>${severity(s)} <span data-severity="${s}" data-count="${f.failingBySeverity[s]}">${f.failingBySeverity[s]}</span></li>\n`,
)}<li><span data-status="MUTED" data-count="${f.byStatus.MUTED}">${f.byStatus.MUTED}</span> muted</li>
<li><span data-status="UNKNOWN" data-count="${f.byStatus.UNKNOWN}">${f.byStatus.UNKNOWN}</span> unknown (evidence missing)</li>
<li><span data-status="PASS" data-count="${f.byStatus.PASS}">${f.byStatus.PASS}</span> passed</li>
</ul>
</div>
</div>
${
  owners.length > 0
    ? html`<p id="owners"><strong>Owners of the failing keys</strong> (tag ${code(report.ownerTag)}): ${owners.map(
        (o, i) =>
          html`${i ? '; ' : ''}<span data-owner="${o.owner ?? ''}">${o.owner ?? noOwner(report)}</span> (${plural(o.keys, 'key')}, ${plural(o.findings, 'finding')})`,
      )}.</p>`
    : ''
}
${firstActions(report)}
<h3>About this report</h3>
${table(['', ''], aboutRows(report))}
</section>`;
}

function firstActions(report: MonthlyReport): Html {
  const actions = report.summary.firstActions;
  if (actions.length === 0) return html``;
  const cur = report.cost.currency;
  return html`<h3>What to do first</h3>
<ol class="actions" id="first-actions">
${actions.map(
  (a) =>
    html`<li data-rule="${a.ruleId}" data-why="${a.why}"><span class="fix">${a.fix}</span> ${severity(a.severity)} ${a.ruleId} (${plural(a.findings, 'failing finding')}${a.wastedCost !== null ? `; the keys cost ${money(a.wastedCost, cur)} this month for nothing` : ''}). Keys: ${keyNames(report, a.keyArns).join(', ')}.${a.owners.length ? ` Owners: ${a.owners.join(', ')}.` : ''}</li>\n`,
)}</ol>
<p>Each key's commands are under <a href="#findings">Findings</a>.</p>`;
}

function aboutRows(report: MonthlyReport): Part[][] {
  const gaps = report.coverage.gaps.length;
  const partialUsage = report.coverage.usage.filter((u) => u.status !== 'complete');
  const org = report.organization;
  const failed = org?.accounts.filter((a) => a.coverage === 'failed').length ?? 0;
  return [
    ['Period', periodText(report)],
    [
      'Accounts',
      org
        ? html`${plural(org.accounts.length, 'account')}${org.id ? ` of organization ${org.id}` : ''}, run from ${org.callerAccount}${failed ? html`; <strong>${failed} could not be read</strong>` : ''} (see <a href="#accounts">Accounts</a>)`
        : report.scope.accounts.join(', '),
    ],
    ['Regions', `${report.scope.regions.join(', ')} (partition ${report.scope.partition})`],
    [
      'Evidence collected',
      `${utc(report.evidence.collectedAt.startedAt)} to ${utc(report.evidence.collectedAt.finishedAt)}`,
    ],
    ['Generated', `${utc(report.generatedAt)} by kms-report ${report.tool.version}`],
    [
      'Pricing table',
      `${report.evidence.pricingTable.version} (${report.evidence.pricingTable.currency}, checked ${report.evidence.pricingTable.checked})${pricingTableDateNote(report)}`,
    ],
    ['Free tier', FREE_TIER_LABEL[report.cost.settings.freeTierScope].replace(/`/g, '')],
    [
      'Request volumes',
      report.evidence.usageSources.length > 0
        ? `${report.evidence.usageSources.join(', ')}${partialUsage.length ? ` (${plural(partialUsage.length, 'incomplete source')})` : ''}`
        : html`<strong>not collected</strong>: request costs are unknown`,
    ],
    [
      'Coverage',
      report.coverage.complete
        ? 'complete: every region, key and source was read'
        : html`<strong>incomplete</strong>: ${plural(gaps, 'gap')}${partialUsage.length ? `, ${plural(partialUsage.length, 'usage source')} not complete` : ''} (see <a href="#coverage">Coverage and gaps</a>)`,
    ],
    ['Owner tag', html`${code(report.ownerTag)} (${code('ownerTag')} in the compliance configuration)`],
  ];
}

function costBreakdown(report: MonthlyReport): Html {
  const c = report.summary.cost;
  const cur = report.cost.currency;
  const rows: Part[][] = [
    ...costBreakdownParts(report).map(({ label, amount }): Part[] => [label, partOf(amount, cur)]),
    [html`<strong>Total</strong>`, html`<strong>${formatTotal(c.total, { currency: cur })}</strong>`],
  ];
  const names = new Map(report.keys.map((k) => [k.arn, keyName(k)]));
  const unknown = unknownLinesInTotal(report.cost);
  const others = report.cost.byBilledAccount.filter((a) => !a.inTotal);
  const label = accountLabeler(report);
  return html`<h3>Where the money goes</h3>
${table(['', num('Amount')], rows)}
${
  unknown.length > 0
    ? html`<p>Could not be priced (the totals above are lower bounds):</p>
<ul>${unknown
        .slice(0, 20)
        .map(
          (l) =>
            html`<li>${l.keyArn ? (names.get(l.keyArn) ?? l.keyArn) : `${l.account} ${l.region}`}: ${l.description} — ${l.unknownReason ?? 'unknown'}</li>`,
        )}${unknown.length > 20 ? html`<li>... and ${unknown.length - 20} more (see costs.csv, UNKNOWN_REASON)</li>` : ''}</ul>`
    : ''
}
${
  others.length > 0
    ? html`<p>Billed to other accounts, for the requests they made on these keys, and in no total of this report: ${others
        .map((a) => `${label(a.account)} ${formatTotal(a.total, { currency: cur })}`)
        .join(', ')} (${code('BILLED_ACCOUNT')} in costs.csv).</p>`
    : ''
}`;
}

function keySummary(report: MonthlyReport): Html {
  const k = report.summary.keys;
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  const later = report.coverage.keysCreatedAfterMonth.length;
  return html`<h3>Keys</h3>
<p>${plural(k.total, 'key')} in the inventory. Manager: ${list(k.byManager)}. State: ${list(k.byState)}. Spec: ${list(k.bySpec)}.</p>
${later ? html`<p>${plural(later, 'key')} created after the month ended ${later === 1 ? 'is' : 'are'} left out.</p>` : ''}`;
}

function mostExpensive(report: MonthlyReport, rows: ReadonlyMap<string, KeyRow>): Html {
  const cur = report.cost.currency;
  if (report.summary.mostExpensive.length === 0) return html``;
  return html`<h3>Most expensive keys</h3>
${table(
  ['Key', 'Region', 'Spec', num('Requests'), num('Total')],
  report.summary.mostExpensive.map((arn) => {
    const r = rows.get(arn);
    return [
      r ? keyName(r) : arn,
      r?.region ?? '',
      r?.keySpec ?? 'unknown',
      r?.requestCount === null || r?.requestCount === undefined
        ? 'unknown'
        : r.requestCount.toLocaleString('en-US'),
      r ? `${money(r.total, cur)}${r.totalComplete ? '' : ' (at least)'}` : '',
    ];
  }),
)}`;
}

function wasteSection(report: MonthlyReport, cap: Cap): Html {
  const cur = report.cost.currency;
  const rows = report.summary.waste;
  const { shown, noteText } = cap(rows, 'such keys', ['report.json']);
  return html`<h3>Keys that cost money for nothing</h3>
${
  rows.length === 0
    ? html`<p>None: no key was disabled all month, unused, or pending deletion.</p>`
    : html`${table(
        ['Key', 'Why', num('Cost this month')],
        shown.map((w) => [w.name, w.reason, money(w.cost, cur)]),
      )}${note(noteText)}`
}`;
}

/** Inline lists of the month-over-month section: the first 50, then how many more. */
const MONTH_OVER_MONTH_NAMES = 50;

function monthOverMonth(
  report: MonthlyReport,
  rows: ReadonlyMap<string, KeyRow>,
  jsonWritten: boolean,
): Html {
  const m = report.monthOverMonth;
  if (!m)
    return report.monthOverMonthNote
      ? html`<h3>Month over month</h3>
<p>Not compared with last month: ${report.monthOverMonthNote}.</p>`
      : html``;
  const cur = report.cost.currency;
  const more = jsonWritten ? 'report.json lists them all' : 're-run with --format json for the full list';
  const list = <T>(items: readonly T[], show: (item: T) => string, sep: string) =>
    items.length === 0
      ? 'none'
      : `${items.slice(0, MONTH_OVER_MONTH_NAMES).map(show).join(sep)}${items.length > MONTH_OVER_MONTH_NAMES ? `${sep}and ${items.length - MONTH_OVER_MONTH_NAMES} more (${more})` : ''}`;
  const name = (arn: string) => {
    const r = rows.get(arn);
    return r ? keyName(r) : arn;
  };
  const findings = (items: readonly { ruleId: string; keyArn: string }[]) =>
    list(items, (f) => `${f.ruleId} on ${name(f.keyArn)}`, '; ');
  const change = m.totalChange.startsWith('-') ? money(m.totalChange, cur) : `+${money(m.totalChange, cur)}`;
  return html`<h3>Since ${monthTitle(m.previousMonth)}</h3>
<ul>
<li>Cost: ${change} (from ${money(m.previousTotal, cur)})</li>
<li>Keys added: ${list(m.keysAdded, name, ', ')}</li>
<li>Keys removed: ${list(m.keysRemoved, (a) => a, ', ')}</li>
<li>Findings opened: ${findings(m.findingsOpened)}</li>
<li>Findings resolved: ${findings(m.findingsResolved)}</li>
</ul>`;
}

function organizationSection(report: MonthlyReport): Html {
  const org = report.organization;
  if (!org) return html``;
  const cur = report.cost.currency;
  const total = (t: CostTotal) => formatTotal(t, { currency: cur });
  const coverage = (c: keyof typeof COVERAGE_LABEL) =>
    c === 'failed' ? html`<strong>not read</strong>` : COVERAGE_LABEL[c];
  return html`<section id="accounts">
<h2>Accounts</h2>
<p>The request free tier is applied ${FREE_TIER_LABEL[report.cost.settings.freeTierScope].replace(/`/g, '')}.</p>
${table(
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
    const failed = a.coverage === 'failed';
    const bySev = severityCounts(a.failingBySeverity);
    return [
      a.account,
      a.name ?? '',
      a.ou ? a.ou.name : 'unknown OU',
      failed ? 'n/a' : String(a.keys),
      failed ? 'not seen' : total(a.total),
      failed ? 'n/a' : `${a.failing}${bySev ? ` (${bySev})` : ''}`,
      failed ? 'n/a' : String(a.unknown),
      coverage(a.coverage),
    ];
  }),
)}
${
  org.ous.length > 0
    ? html`<h3>By organizational unit</h3>
${table(
  ['OU', num('Accounts'), num('Keys'), num('Estimated cost'), num('Failing findings')],
  org.ous.map((o) => [
    o.ou ? html`${o.ou.name} (${code(o.ou.id)})` : 'unknown OU',
    String(o.accounts),
    String(o.keys),
    total(o.total),
    String(o.failing),
  ]),
)}`
    : html`<p>OUs are unknown: the caller may not read them (organizations:ListParents, organizations:DescribeOrganizationalUnit), or the accounts were named by id.</p>`
}
</section>`;
}

/** A finding's controls, folded: the frameworks in the summary, the requirements inside. */
function controlsCell(rule: RuleInfo): Part {
  const groups = controlGroups(rule.controls);
  if (groups.length === 0) return '';
  return html`<details><summary>${plural(groups.length, 'framework')}</summary><ul>${groups.map(
    (g) => html`<li>${g.framework}: ${g.requirements.join(', ')}</li>`,
  )}</ul></details>`;
}

function findingsSection(report: MonthlyReport, rows: ReadonlyMap<string, KeyRow>, cap: Cap): Html {
  const label = accountLabeler(report);
  const unknown = unknownGroups(report);
  const unknownShown = cap(unknown, 'keys and missing evidence', ['findings.csv', 'report.json']);
  const muted = report.findings.filter((f) => f.status === 'MUTED').sort(bySeverity);
  const mutedShown = cap(muted, 'muted findings', ['findings.csv', 'report.json']);
  const same = (text: string) => text;
  const unused = unusedSuppressionsText(report, same);
  return html`<section id="findings">
<h2>Findings</h2>
<h3>Failing</h3>
${failingFindings(report, cap)}
<h3>Unknown: the evidence could not be read</h3>
${
  unknown.length === 0
    ? html`<p>None: every check had its evidence.</p>`
    : html`${tableOf(unknownTable(report, unknownShown.shown, label, (g) => g.name, same))}${note(unknownShown.noteText)}`
}
<h3>Muted by a suppression</h3>
${
  muted.length === 0
    ? html`<p>None.</p>`
    : html`${tableOf(mutedTable(report, mutedShown.shown, label, (arn) => name(rows, arn), same))}${note(mutedShown.noteText)}`
}
${
  report.expiredSuppressions.length > 0
    ? html`<h3>Expired suppressions (they mute nothing: renew or remove them)</h3>
${tableOf(expiredSuppressionsTable(report, same))}`
    : ''
}
${unused ? html`<p>${unused}</p>` : ''}
</section>`;
}

/** The failing findings, one block per key (the keys with the most severe findings first). */
function failingFindings(report: MonthlyReport, cap: Cap): Html {
  const groups = findingsByKey(report);
  if (groups.length === 0) return html`<p>No failing finding.</p>`;
  const label = accountLabeler(report);
  const cur = report.cost.currency;
  const org = report.organization !== null;
  // The cut (as report.md's) counts findings: whole keys are shown while they fit.
  const failing = groups.flatMap((g) => g.findings.map((f) => ({ g, f })));
  const failingShown = cap(failing, 'failing findings (the keys with the most severe first)', [
    'findings.csv',
    'report.json',
  ]);
  // The shown findings are whole groups in order, but for the last one cut.
  const shownGroups: { g: KeyFindings; findings: Finding[] }[] = [];
  for (const { g, f } of failingShown.shown) {
    const last = shownGroups.at(-1);
    if (last?.g === g) last.findings.push(f);
    else shownGroups.push({ g, findings: [f] });
  }
  return html`<p>Grouped by key, the keys with the most severe findings first; the fix comes first, then why the key fails.</p>
${shownGroups.map(
  ({ g, findings }) => html`<div class="key-group" data-key-arn="${g.keyArn}">
<h4>${g.name} ${severity(g.worst)}</h4>
<p class="meta">${org ? `${label(g.account)}, ` : ''}${g.region} · owner: <span class="owner">${g.owner ?? noOwner(report)}</span> · ${plural(g.findings.length, 'failing finding')}${g.key ? ` · ${money(g.key.total, cur)} this month` : ''} · ${code(g.keyArn)}</p>
${table(
  ['Severity', 'Rule', 'Fix', 'Why', 'Controls'],
  findings.map((f) => {
    const rule = ruleOf(report.rules, f.ruleId);
    return [
      severity(f.severity),
      html`${f.ruleId} ${rule.title}`,
      html`${rule.remediation.text} ${code(remediationCommand(rule, f))}`,
      f.reason,
      controlsCell(rule),
    ];
  }),
  'findings',
)}
</div>
`,
)}${note(failingShown.noteText)}`;
}

function name(rows: ReadonlyMap<string, KeyRow>, arn: string): string {
  const row = rows.get(arn);
  return row ? keyName(row) : arn;
}

function keyTable(report: MonthlyReport, cap: Cap): Html {
  const cur = report.cost.currency;
  const sorted = keyTableRows(report);
  const { shown, noteText } = cap(sorted, 'keys', ['keys.csv', 'report.json']);
  const label = accountLabeler(report);
  const org = report.organization !== null;
  const ours = new Set(report.scope.accounts);
  const whose = (r: KeyRow) => (org || ours.has(r.account) ? '' : ` (key of ${r.account})`);
  return html`<section id="keys">
<h2>Keys</h2>
${table(
  [
    ...(org ? ['Account'] : []),
    'Key',
    'Owner',
    'Region',
    'Spec, state, manager',
    num('Key fee'),
    num('Rotation'),
    num('Requests'),
    num('Total'),
    num('Failing'),
  ],
  shown.map(({ row: r, name }) => [
    ...(org ? [label(r.account)] : []),
    html`${breakable(`${name}${whose(r)}`)}<br><small>${code(r.keyId)}</small>`,
    r.owner ?? '',
    r.region,
    `${r.keySpec ?? 'unknown'}, ${r.keyState ?? 'unknown'}, ${r.keyManager ?? 'unknown'}`,
    money(r.keyFee, cur),
    money(r.rotationFee, cur),
    money(r.requests, cur),
    `${money(r.total, cur)}${r.totalComplete ? '' : ' (at least)'}`,
    String(r.failing),
  ]),
  'keys',
)}${note(noteText)}
<p>Amounts are rounded to cents for display; ${code('costs.csv')} and ${code('report.json')} carry full precision.</p>
</section>`;
}

function coverageSection(report: MonthlyReport, cap: Cap): Html {
  const label = accountLabeler(report);
  const same = (text: string) => text;
  const accounts = accountCoverageTable<Part>(
    report,
    label,
    (c) => (c === 'failed' ? html`<strong>not read</strong>` : COVERAGE_LABEL[c]),
    same,
  );
  const rec = reconciliationTable(report, same);
  const gaps = cap(report.coverage.gaps, 'gaps', ['report.json', 'snapshot.json']);
  return html`<section id="coverage">
<h2>Coverage and gaps</h2>
${
  accounts
    ? html`<p>Every account in scope, and what of it was read:</p>
${tableOf(accounts)}`
    : ''
}
${tableOf(inventoryCoverageTable(report, same))}
${
  report.coverage.usage.length > 0
    ? tableOf(usageCoverageTable(report, same))
    : html`<p>No request-volume source was read: every request cost is unknown, never zero.</p>`
}
${
  rec
    ? html`<p>How much of the account-level volume (CloudWatch) the per-key counts (CloudTrail) explain:</p>
${tableOf(rec)}`
    : ''
}
${
  report.coverage.gaps.length === 0
    ? html`<p>No gaps: every call succeeded.</p>`
    : html`<p>What could not be seen (each turns the checks that need it UNKNOWN):</p>
${tableOf(gapsTable(report, gaps.shown, label, same))}${note(gaps.noteText)}`
}
</section>`;
}

function assumptionsSection(report: MonthlyReport): Html {
  return html`<section id="assumptions">
<h2>Assumptions and limits</h2>
<ul>
${report.cost.assumptions.map(
  (a) =>
    html`<li><strong>${a.id}</strong>: ${a.statement} (applied to ${plural(a.appliesTo.length, 'item')})</li>\n`,
)}${report.cost.notices.map((n) => html`<li>${n}</li>\n`)}${report.evidence.usageAssumptions.map(
  (a) =>
    html`<li><strong>${a.id}</strong> (request volumes${a.confirmed ? '' : ', unconfirmed'}): ${a.statement}</li>\n`,
)}<li>Estimates are computed from the pricing table above and the evidence in this folder; the AWS bill is the authority. Taxes, support and custom key store (CloudHSM, external key store) charges are outside this report.</li>
</ul>
</section>`;
}

/** The per-framework tables (`--compliance`); nothing when none was asked for. */
function frameworksSection(report: MonthlyReport): Html {
  if (!report.frameworks) return html``;
  return html`<section id="frameworks">
<h2>Frameworks</h2>
${report.frameworks.map(
  (view) => html`<h3>${frameworkTitle(view)}</h3>
${tableOf(frameworkTable(report, view, (s) => s))}
`,
)}</section>`;
}

function evidenceSection(formats: readonly string[]): Html {
  return html`<section id="evidence">
<h2>Evidence</h2>
<p>This folder holds the evidence behind this report: ${code('snapshot.json')} (the inventory as collected), ${code('usage.json')} (request volumes and key lifecycle, when collected), ${code('report.json')} (everything above, for machines), ${code('keys.csv')}, ${code('costs.csv')} and ${code('findings.csv')}.${formats.includes('md') ? html` ${code('report.md')} is this report as Markdown, for a ticket.` : ''} ${code('manifest.json')} and ${code('SHA256SUMS')} list each file with its SHA-256: verify with ${code('sha256sum -c SHA256SUMS')}.</p>
</section>`;
}

/** The page's Content-Security-Policy: nothing may load or run; only the inline styles apply. */
export const HTML_REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'";

/**
 * Renders the monthly report as one self-contained HTML page (see the module comment). Tables
 * that grow with the estate are cut as report.md's are (`maxTableRows`), naming the file that
 * holds them all.
 *
 * @example
 * ```ts
 * await writeFile('report.html', renderHtml(report));
 * ```
 */
export function renderHtml(report: MonthlyReport, options: MarkdownOptions = {}): string {
  const rows = new Map(report.keys.map((r) => [r.arn, r]));
  const cap = capper(options);
  const title = `KMS cost and compliance: ${monthTitle(report.month)}${report.monthToDate ? ' (month to date)' : ''}`;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${report.demo ? html`<p class="banner"><strong>Demo data.</strong> This report was rendered from the sample account that ships with kms-report, not from AWS.</p>` : ''}
${report.monthToDate ? html`<p class="banner"><strong>Month to date.</strong> The month had not ended when the evidence was collected (${utc(report.evidence.collectedAt.finishedAt)}); figures cover ${day(report.period.start)} to then.</p>` : ''}
${report.evidence.late ? html`<p class="banner"><strong>Late evidence.</strong> ${report.evidence.late.warning.replace(/`/g, '')}</p>` : ''}
${report.filters ? html`<p class="banner" id="filters">${filtersText(report)}</p>` : ''}
${headline(report)}
<section id="costs">
${costBreakdown(report)}
${keySummary(report)}
${mostExpensive(report, rows)}
${wasteSection(report, cap)}
${monthOverMonth(report, rows, (options.formats ?? ['json']).includes('json'))}
</section>
${organizationSection(report)}
${findingsSection(report, rows, cap)}
${frameworksSection(report)}
${keyTable(report, cap)}
${coverageSection(report, cap)}
${new Html(billSectionHtml(report.bill, cap, accountLabeler(report)))}
${assumptionsSection(report)}
${evidenceSection(options.formats ?? [])}
</main>
</body>
</html>
`;
  return page.text;
}
