import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../../../src/demo/sample.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import {
  COST_COLUMNS,
  type Column,
  costsCsvRows,
  csvContext,
  FINDING_COLUMNS,
  findingsCsvContext,
  KEY_COLUMNS,
  keysCsvRows,
  RULE_COLUMNS,
  renderCostsCsv,
  renderFindingsCsv,
  renderKeysCsv,
  renderRulesCsv,
  rulesCsvRows,
} from '../../../src/report/csv.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/**
 * Every CSV the project writes (keys.csv, costs.csv, findings.csv: `src/report/csv.ts` is the
 * only CSV writer), read back by a strict RFC 4180 parser.
 */

/** RFC 4180 to the letter: CRLF ends a record, quotes only around whole fields, no ragged rows. */
const STRICT = {
  bom: false,
  delimiter: ',',
  quote: '"',
  escape: '"',
  record_delimiter: '\r\n',
  relax_quotes: false,
  relax_column_count: false,
  skip_empty_lines: false,
  trim: false,
  ltrim: false,
  rtrim: false,
  cast: false,
} as const;

/** As a spreadsheet reads it: a CR or LF outside quotes ends the row too. */
const ANY_LINE_BREAK = { ...STRICT, record_delimiter: ['\r\n', '\n', '\r'] };

const CONTROL_OR_BIDI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters no cell may carry
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20']);

/**
 * The text a cell should hold, written out independently of src/report/escape.ts: each control
 * character as `\xNN` (below U+0080) or `\uNNNN`, and an apostrophe before a formula trigger at
 * the start of the text or right after a CR or LF.
 */
function expectedText(text: string): string {
  let out = '';
  let lineStart = true;
  for (const c of text) {
    if (lineStart && FORMULA_TRIGGERS.has(c)) out += "'";
    const code = c.codePointAt(0) as number;
    if (CONTROL_OR_BIDI.test(c))
      out +=
        code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
    lineStart = c === '\r' || c === '\n';
  }
  return out;
}

/** The records a file should hold, header first, from its columns. */
function expectedRecords<T, C>(columns: readonly Column<T, C>[], rows: Iterable<T>, context: C): string[][] {
  const records = [columns.map((c) => c.name)];
  for (const row of rows)
    records.push(
      columns.map((c) => {
        const v = c.value(row, context);
        return v === null ? '' : c.numeric ? String(v) : expectedText(String(v));
      }),
    );
  return records;
}

function filesOf(report: MonthlyReport) {
  const context = csvContext(report);
  return [
    {
      name: 'keys.csv',
      text: renderKeysCsv(report),
      columns: KEY_COLUMNS as readonly Column<never, never>[],
      expected: expectedRecords(KEY_COLUMNS, keysCsvRows(report), context),
    },
    {
      name: 'costs.csv',
      text: renderCostsCsv(report),
      columns: COST_COLUMNS as readonly Column<never, never>[],
      expected: expectedRecords(COST_COLUMNS, costsCsvRows(report), context),
    },
    {
      name: 'findings.csv',
      text: renderFindingsCsv(report),
      columns: FINDING_COLUMNS as readonly Column<never, never>[],
      expected: expectedRecords(FINDING_COLUMNS, report.findings, findingsCsvContext(report)),
    },
    {
      name: 'findings.csv (not-passed)',
      text: renderFindingsCsv(report, { rows: 'not-passed' }),
      columns: FINDING_COLUMNS as readonly Column<never, never>[],
      expected: expectedRecords(
        FINDING_COLUMNS,
        report.findings.filter((f) => f.status !== 'PASS'),
        findingsCsvContext(report),
      ),
    },
    {
      name: 'rules.csv',
      text: renderRulesCsv(report),
      columns: RULE_COLUMNS as readonly Column<never, never>[],
      expected: expectedRecords(RULE_COLUMNS, rulesCsvRows(report), context),
    },
  ];
}

/** What a user of the file would notice, asserted for one file. */
function expectSound(file: ReturnType<typeof filesOf>[number]): void {
  const { name, text, columns, expected } = file;
  expect(text.endsWith('\r\n'), name).toBe(true);
  const records: string[][] = parse(text, STRICT);
  // Every row has the header's width and each cell reads back as the intended text.
  expect(records, name).toEqual(expected);
  expect(
    records.filter((r) => r.length !== columns.length),
    name,
  ).toEqual([]);
  // A spreadsheet that ends a row at any line break sees the same rows: no break is outside quotes.
  expect(parse(text, ANY_LINE_BREAK), name).toEqual(records);
  // No cell carries a control character; no line of a text cell starts a formula.
  const unsafe: string[] = [];
  for (const r of records.slice(1))
    r.forEach((cell, i) => {
      const lines = columns[i]?.numeric ? [] : cell.split(/\r\n|\r|\n/);
      if (
        CONTROL_OR_BIDI.test(cell) ||
        cell.startsWith('\r') ||
        lines.some((l) => FORMULA_TRIGGERS.has(l.charAt(0)))
      )
        unsafe.push(`${columns[i]?.name}: ${JSON.stringify(cell)}`);
    });
  expect(unsafe, name).toEqual([]);
}

/** Descriptions, tags and aliases a key's owner could set to break a spreadsheet or a terminal. */
const HOSTILE = [
  "ok\n=cmd|' /C calc'!A0",
  'line one\r\n+HYPERLINK("http://evil.example","click")\r-2+3\n@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\r=1+1',
  '\ttabbed\n\t=tab',
  'a,b;"quoted",\n"',
  '\u001b]0;pwned\u0007\u001b[2J\u009b31mred\u202etxt.exe\u2066',
  '\u0000\u0008\u000b\u000c\u007f\u0085',
  '\uff1dHYPERLINK("http://evil.example")',
  'é 😀 \u2028 ordinary unicode',
];

function hostileSnapshot(): InventorySnapshot {
  const snapshot = demoSnapshot();
  return {
    ...snapshot,
    keys: snapshot.keys.map((k, i) => {
      const text = HOSTILE[i % HOSTILE.length] as string;
      return {
        ...k,
        metadata:
          k.metadata.status === 'collected'
            ? { ...k.metadata, value: { ...k.metadata.value, description: text } }
            : k.metadata,
        aliases:
          k.aliases.status === 'collected' ? { ...k.aliases, value: [`alias/${text}`, text] } : k.aliases,
        tags:
          k.tags.status === 'collected'
            ? {
                ...k.tags,
                value: [
                  // The owner tag's value goes to the OWNER columns.
                  ...k.tags.value.map((t) => (t.key === 'Owner' ? { ...t, value: text } : t)),
                  { key: text, value: HOSTILE[(i + 1) % HOSTILE.length] as string },
                ],
              }
            : k.tags,
      };
    }),
  };
}

describe('CSV files read by a strict RFC 4180 parser', () => {
  it('the demo: every row as wide as the header, every cell as intended', async () => {
    for (const file of filesOf(await demoMonthlyReport())) expectSound(file);
  });

  it('a hostile estate: line breaks stay in their cell and no line of a cell starts a formula', async () => {
    const report = await demoMonthlyReport(hostileSnapshot());
    const files = filesOf(report);
    for (const file of files) expectSound(file);

    const keys: string[][] = parse((files[0] as (typeof files)[number]).text, STRICT);
    const header = keys[0] as string[];
    const cell = (row: string[], column: string) => row[header.indexOf(column)];
    const keyRows = keys.slice(1).filter((r) => cell(r, 'ROW_KIND') === 'key');
    const descriptions = keyRows.map((r) => cell(r, 'DESCRIPTION'));
    // One row per key, however many line breaks the descriptions hold.
    expect(keyRows.length).toBe(report.keys.length);
    expect(descriptions).toContain("ok\n'=cmd|' /C calc'!A0");
    expect(descriptions).toContain(
      "line one\r\n'+HYPERLINK(\"http://evil.example\",\"click\")\r'-2+3\n'@SUM(1+1)*cmd|' /C calc'!A0",
    );
    expect(descriptions).toContain("'\r'=1+1");
    expect(descriptions).toContain(String.raw`\x1b]0;pwned\x07\x1b[2J\u009b31mred\u202etxt.exe\u2066`);
    expect(descriptions).toContain('\'\uff1dHYPERLINK("http://evil.example")');
    // The findings of a key carry its hostile aliases, escaped the same way.
    const findings: string[][] = parse((files[2] as (typeof files)[number]).text, STRICT);
    expect(findings.slice(1).map((r) => r[findings[0]?.indexOf('ALIASES') as number])).toContain(
      "alias/ok\n'=cmd|' /C calc'!A0 ok\n'=cmd|' /C calc'!A0",
    );
  });

  it('any text as description, tag or alias: the same rows and columns, each cell escaped, no formula', async () => {
    const demo = await demoMonthlyReport();
    const [first, second] = demo.keys;
    const arns = new Set([first?.arn, second?.arn]);
    // A few findings of each key: enough to carry its aliases, few enough to run hundreds of times.
    const findings = demo.findings.filter((f) => arns.has(f.keyArn) && f.ruleId < 'KMS-DEL');
    expect(findings.length).toBeGreaterThan(1);
    const nasty = fc.constantFrom(
      '\r',
      '\n',
      '\r\n',
      '"',
      ',',
      '=',
      '+',
      '-',
      '@',
      '\t',
      "'",
      '\u001b',
      '\u009b',
      '\u202e',
      '\u0000',
      '\u007f',
      '\uff1d',
    );
    const text = fc.string({
      unit: fc.oneof(nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 24,
    });
    const keyText = fc.record({
      description: text,
      aliases: fc.array(text, { maxLength: 3 }),
      tags: fc.array(fc.record({ key: text, value: text }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(keyText, keyText, text, (a, b, operation) => {
        const report: MonthlyReport = {
          ...demo,
          keys: [
            { ...(first as (typeof demo.keys)[number]), ...a },
            { ...(second as (typeof demo.keys)[number]), ...b },
          ],
          findings,
          cost: {
            ...demo.cost,
            keys: demo.cost.keys
              .filter((k) => arns.has(k.keyArn))
              .map((k) => ({
                ...k,
                lines: k.lines.map((l) => ({ ...l, operation, description: operation })),
              })),
            unattributed: [],
            credits: [],
          },
        };
        for (const file of filesOf(report)) expectSound(file);
      }),
      { numRuns: 300, seed: 12 },
    );
  }, 60_000);
});
