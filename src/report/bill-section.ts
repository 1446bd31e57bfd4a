import type { BillReconciliation } from '../model/reconciliation.js';
import { billHeadline, billRowsTable, differingKeyRows } from './bill-view.js';
import { escapeMarkdown as e, escapeHtml } from './escape.js';
import type { TableData } from './views.js';

/**
 * report.md's and report.html's "Estimate vs bill" section: the estimate beside the month's bill
 * (`report.bill`; the `reconcile` command renders it into an existing report set too), per usage type, and per key with a CUR. Empty when no bill was read.
 */

/** Cuts a list to the report's table limit (report.md's `Cap`): what is shown and the note, as Markdown and plain text. */
export type SectionCap = <T>(
  list: readonly T[],
  noun: string,
  files: readonly string[],
) => { readonly shown: readonly T[]; readonly note: string; readonly noteText: string };

const FILES = ['reconciliation.csv', 'report.json'];

function mdTable(t: TableData): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.trim() || ' ').join(' | ')} |`;
  return [
    line(t.header),
    `|${t.header.map((h) => (h.endsWith(' ') ? '---:' : '---')).join('|')}|`,
    ...t.rows.map(line),
  ].join('\n');
}

/** The section in Markdown (with its trailing blank line), or empty. */
export function billSectionMarkdown(
  rec: BillReconciliation | null,
  cap: SectionCap,
  label: (account: string) => string,
): string {
  if (!rec) return '';
  const [headline, flagging, rounding] = billHeadline(rec).map(e);
  const lines = ['## Estimate vs bill', '', headline as string, '', flagging as string, ''];
  for (const gap of rec.gaps) lines.push(`- Not read: ${e(gap)}`);
  if (rec.gaps.length > 0) lines.push('');
  const rows = cap(rec.rows, 'bill rows', FILES);
  lines.push(mdTable(billRowsTable(rec, rows.shown, label, e)) + rows.note, '');
  if (rec.granularity === 'key') {
    const differing = differingKeyRows(rec);
    const keys = cap(differing, 'keys whose bill differs', FILES);
    lines.push(
      differing.length === 0
        ? 'Per key, every key was billed what was estimated.'
        : [
            'Per key, the keys whose bill differs from the estimate:',
            '',
            mdTable(billRowsTable(rec, keys.shown, label, e, true)) + keys.note,
          ].join('\n'),
      '',
    );
  }
  lines.push(rounding as string, '');
  for (const n of rec.notes) lines.push(`- ${e(n)}`);
  lines.push('');
  return lines.join('\n');
}

function htmlTable(t: TableData): string {
  const cls = (h: string) => (h.endsWith(' ') ? ' class="num"' : '');
  const head = t.header.map((h) => `<th${cls(h)}>${escapeHtml(h.trim())}</th>`).join('');
  const body = t.rows
    .map(
      (r) => `<tr>${r.map((c, i) => `<td${cls(t.header[i] ?? '')}>${escapeHtml(c)}</td>`).join('')}</tr>\n`,
    )
    .join('');
  return `<div class="table"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}</tbody>\n</table></div>`;
}

/** The section as HTML (every value escaped here), or empty. */
export function billSectionHtml(
  rec: BillReconciliation | null,
  cap: SectionCap,
  label: (account: string) => string,
): string {
  if (!rec) return '';
  const same = (text: string) => text;
  const p = (text: string, cls = '') => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
  const [headline, flagging, rounding] = billHeadline(rec);
  const rows = cap(rec.rows, 'bill rows', FILES);
  const parts = [
    '<section id="bill">',
    '<h2>Estimate vs bill</h2>',
    p(headline as string),
    p(flagging as string),
    ...rec.gaps.map((g) => p(`Not read: ${g}`, 'note')),
    htmlTable(billRowsTable(rec, rows.shown, label, same)),
    rows.noteText ? p(rows.noteText, 'note') : '',
  ];
  if (rec.granularity === 'key') {
    const keys = cap(differingKeyRows(rec), 'keys whose bill differs', FILES);
    parts.push(
      keys.shown.length === 0
        ? p('Per key, every key was billed what was estimated.')
        : `${p('Per key, the keys whose bill differs from the estimate:')}\n${htmlTable(billRowsTable(rec, keys.shown, label, same, true))}`,
      keys.noteText ? p(keys.noteText, 'note') : '',
    );
  }
  parts.push(p(rounding as string), ...rec.notes.map((n) => p(n, 'note')), '</section>');
  return parts.filter(Boolean).join('\n');
}
