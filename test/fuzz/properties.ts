/**
 * Fuzz properties for everything kms-report reads from outside: key policies, snapshot and usage
 * evidence files, compliance configuration files, and the text that reaches CSV and Markdown.
 *
 * The same properties run in two places: the unit suite (`test/unit/fuzz/`, a few hundred inputs
 * each, bounded time) and the longer campaign (`npm run fuzz`, `scripts/fuzz-campaign.ts`, as many
 * inputs as its time allows). Each property says what must hold for every input:
 * - nothing throws but the tool's own named errors (`KmsReportError` and its kinds), which the CLI
 *   turns into a clear message and an exit code;
 * - no input takes longer than a bound (generous here: the work is microseconds to milliseconds
 *   per input; the bound catches the exponential case, which never returns, not a slow machine);
 * - no rule PASSes on evidence that could not be read or understood;
 * - every CSV written parses back, under a strict RFC 4180 parser, to the same cells.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { parseComplianceConfig } from '../../src/compliance/config.js';
import { runCompliance } from '../../src/compliance/engine.js';
import { parseKeyPolicy } from '../../src/compliance/policy/parse.js';
import {
  DEMO_MONTH,
  demoComplianceConfig,
  demoSnapshot,
  demoUsage,
  demoUsageEvidence,
} from '../../src/demo/sample.js';
import { KmsReportError } from '../../src/errors.js';
import type { RuleId } from '../../src/model/findings.js';
import type { InventorySnapshot, KeyRecord } from '../../src/model/inventory.js';
import type { Observed } from '../../src/model/observed.js';
import type { MonthUsage } from '../../src/model/usage.js';
import { priceMonth } from '../../src/pricing/engine.js';
import type { PricingTable } from '../../src/pricing/table.js';
import { buildMonthlyReport } from '../../src/report/build.js';
import { renderCostsCsv, renderFindingsCsv, renderKeysCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { parseSnapshot } from '../../src/snapshot.js';
import { parseUsageEvidence } from '../../src/usage/evidence.js';

/** Per input, at most this long (see the module comment: it catches a hang, not a slow machine). */
export const FUZZ_TIME_BOUND_MS = 5_000;

const GENERATED_AT = '2026-11-01T02:05:00.000Z';
const PERIOD = { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' };

/** A fuzz property with its name, for the suite and the campaign. */
export interface FuzzProperty {
  readonly name: string;
  readonly property: fc.IProperty<unknown[]>;
  /** Inputs per run of the unit suite: each input of the whole-report properties builds a report. */
  readonly suiteRuns: number;
}

/** Runs `work`; rethrows anything but the tool's own errors; fails when it took longer than the bound. */
function bounded<T>(what: string, work: () => T): T | KmsReportError {
  const started = performance.now();
  let result: T | KmsReportError;
  try {
    result = work();
  } catch (error) {
    if (!(error instanceof KmsReportError)) throw error;
    result = error;
  }
  const took = performance.now() - started;
  if (took > FUZZ_TIME_BOUND_MS)
    throw new Error(`${what} took ${Math.round(took)} ms (bound ${FUZZ_TIME_BOUND_MS} ms)`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Key policies: generated from IAM's grammar, wildcard-heavy, and mutated as text.

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** IAM patterns made mostly of wildcards: the input that made a backtracking matcher hang. */
const wildcardPattern: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.constantFrom('*', '?', '*?', 'a', 'k', ':', '/', 'kms:', 'arn:aws:kms:', 'key/', 'x'), {
      maxLength: 80,
    })
    .map((parts) => parts.join('')),
  fc.integer({ min: 0, max: 64 }).map((n) => `arn:aws:kms:*:*:key/${'*?'.repeat(n)}x`),
  fc.integer({ min: 0, max: 64 }).map((n) => `kms:${'*a'.repeat(n)}b`),
);

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { maxLength: 6 }));

const principal: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant('*'),
  fc.record({
    AWS: oneOrMany(
      fc.oneof(
        fc.constantFrom('*', ACCOUNT, '444455556666', `arn:aws:iam::${ACCOUNT}:root`),
        fc.constantFrom('arn:aws:iam::*:role/x', 'arn:aws:sts::444455556666:assumed-role/r/s'),
        wildcardPattern,
        text,
      ),
    ),
  }),
  fc.record({ Service: oneOrMany(fc.constantFrom('logs.amazonaws.com', 's3.amazonaws.com', '*')) }),
  fc.record({ Federated: text, CanonicalUser: text }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);

const action = oneOrMany(
  fc.oneof(
    fc.constantFrom('kms:*', '*', 'kms:Decrypt', 'kms:Re*', 'kms:Get*', 'KMS:PUTKEYPOLICY', 'kms:Create*'),
    wildcardPattern,
    text,
  ),
);

const resource = oneOrMany(fc.oneof(fc.constantFrom('*', KEY_ARN), wildcardPattern, text));

const conditionValue = oneOrMany(
  fc.oneof(
    fc.constantFrom(ACCOUNT, '*', 'o-a1b2c3d4e5', 'true', 'ec2.eu-west-1.amazonaws.com', 'arn:aws:s3:::b'),
    wildcardPattern,
    fc.boolean(),
    fc.integer(),
    text,
  ),
);

const condition: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      'StringEquals',
      'StringLike',
      'StringNotEquals',
      'ArnLike',
      'StringEqualsIfExists',
      'ForAnyValue:StringLike',
      'ForAllValues:StringEquals',
      'Bool',
      'Null',
    ),
    fc.dictionary(
      fc.constantFrom(
        'kms:CallerAccount',
        'aws:PrincipalOrgID',
        'kms:ViaService',
        'aws:SourceArn',
        'aws:PrincipalArn',
        'kms:GrantIsForAWSResource',
        'aws:SecureTransport',
      ),
      conditionValue,
      { maxKeys: 3 },
    ),
    { maxKeys: 3 },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const statement: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        Sid: text,
        Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), text),
        Principal: principal,
        NotPrincipal: principal,
        Action: action,
        NotAction: action,
        Resource: resource,
        NotResource: resource,
        Condition: condition,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const policyDocument: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        Version: fc.constantFrom('2012-10-17', '2008-10-17', ''),
        Id: text,
        Statement: fc.oneof(statement, fc.array(statement, { maxLength: 12 })),
      },
      { requiredKeys: ['Statement'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

/** Text edits: what a careless editor or a truncated copy does to a policy. */
const mutation = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'truncate', 'none'),
  at: fc.nat(),
  with: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
});

function mutate(source: string, m: { kind: string; at: number; with: string }): string {
  const at = source.length === 0 ? 0 : m.at % source.length;
  switch (m.kind) {
    case 'insert':
      return source.slice(0, at) + m.with + source.slice(at);
    case 'delete':
      return source.slice(0, at) + source.slice(at + m.with.length);
    case 'replace':
      return source.slice(0, at) + m.with + source.slice(at + m.with.length);
    case 'truncate':
      return source.slice(0, at);
    default:
      return source;
  }
}

/** A well-formed Allow whose Action and Resource are wildcard-heavy: what a hostile key owner writes. */
const wildcardPolicy: fc.Arbitrary<unknown> = fc
  .tuple(wildcardPattern, wildcardPattern, principal)
  .map(([a, r, p]) => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: p, Action: [a, 'kms:Decrypt'], Resource: r }],
  }));

export const policyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: policyDocument.map((d) => JSON.stringify(d) ?? 'null') },
  { weight: 2, arbitrary: wildcardPolicy.map((d) => JSON.stringify(d)) },
  {
    weight: 2,
    arbitrary: fc.tuple(policyDocument, mutation).map(([d, m]) => mutate(JSON.stringify(d) ?? '', m)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

const POLICY_RULES: ReadonlySet<string> = new Set([
  'KMS-POL-01',
  'KMS-POL-02',
  'KMS-POL-03',
  'KMS-POL-04',
  'KMS-POL-05',
]);

/** One customer managed key of the demo account, with the given policy evidence and nothing else odd. */
function keyWithPolicy(policy: Observed<string>): KeyRecord {
  const base = demoSnapshot().keys.find(
    (k) => k.metadata.status === 'collected' && k.policy.status === 'collected',
  );
  if (!base) throw new Error('the demo has no key with a readable policy');
  return { ...base, arn: KEY_ARN, account: ACCOUNT, policy };
}

function snapshotOf(keys: readonly KeyRecord[]): InventorySnapshot {
  const demo = demoSnapshot();
  return { ...demo, keys };
}

/**
 * Any policy text: the analyser returns a reading (never throws), the rules finish within the
 * bound, and a policy that could not be read is never PASSed by a policy rule.
 */
export const policyProperty: FuzzProperty = {
  name: 'key policies (grammar-generated, wildcard-heavy, mutated)',
  suiteRuns: 400,
  property: fc.property(policyText, (text) => {
    const reading = bounded('parseKeyPolicy', () => parseKeyPolicy(text));
    if (reading instanceof KmsReportError) throw new Error(`parseKeyPolicy threw ${reading.message}`);
    const snapshot = snapshotOf([keyWithPolicy({ status: 'collected', value: text })]);
    const result = bounded('the compliance rules', () =>
      runCompliance(snapshot, { clock: { now: () => Date.parse(GENERATED_AT) }, month: DEMO_MONTH }),
    );
    if (result instanceof KmsReportError) throw new Error(`runCompliance threw ${result.message}`);
    if (reading.status === 'unreadable')
      for (const f of result.findings)
        if (POLICY_RULES.has(f.ruleId) && f.status === 'PASS')
          throw new Error(`${f.ruleId} PASSed an unreadable policy (${reading.reason})`);
  }),
};

// ---------------------------------------------------------------------------------------------
// Evidence that could not be read: no rule that needs it may PASS.

/** Which rules cannot be judged without each field (the catalogue's evidence column). */
const RULES_NEEDING: Readonly<
  Record<'metadata' | 'policy' | 'aliases' | 'tags' | 'rotation', readonly RuleId[]>
> = {
  metadata: [
    'KMS-ALIAS-01',
    'KMS-DEL-01',
    'KMS-DEL-02',
    'KMS-LIFE-01',
    'KMS-LIFE-02',
    'KMS-MR-01',
    'KMS-POL-03',
    'KMS-POL-04',
    'KMS-POL-05',
    'KMS-ROT-01',
    'KMS-ROT-02',
    'KMS-TAG-01',
  ],
  policy: ['KMS-POL-01', 'KMS-POL-02', 'KMS-POL-03', 'KMS-POL-04', 'KMS-POL-05'],
  aliases: ['KMS-ALIAS-01'],
  tags: ['KMS-TAG-01'],
  rotation: ['KMS-ROT-01', 'KMS-ROT-02'],
};
type Missing = keyof typeof RULES_NEEDING;

const missingEvidence: fc.Arbitrary<Observed<never>> = fc.oneof(
  fc.record({
    status: fc.constant('failed' as const),
    operation: fc.constantFrom('DescribeKey', 'GetKeyPolicy', 'ListAliases', 'ListResourceTags'),
    errorCode: fc.constantFrom('AccessDeniedException', 'ThrottlingException', 'TimeoutError'),
    message: fc.string({ maxLength: 30 }),
  }),
  fc.record({ status: fc.constant('skipped' as const), reason: fc.string({ maxLength: 30 }) }),
);

export const missingEvidenceProperty: FuzzProperty = {
  name: 'keys with evidence that could not be read',
  suiteRuns: 300,
  property: fc.property(
    fc.nat(),
    fc.subarray(Object.keys(RULES_NEEDING) as Missing[], { minLength: 1 }),
    missingEvidence,
    (which, missing, gap) => {
      const demo = demoSnapshot();
      const base = demo.keys[which % demo.keys.length] as KeyRecord;
      const key = { ...base } as { -readonly [K in keyof KeyRecord]: KeyRecord[K] };
      for (const field of missing) (key as Record<Missing, Observed<unknown>>)[field] = gap;
      const result = runCompliance(
        { ...demo, keys: [key] },
        {
          clock: { now: () => Date.parse(GENERATED_AT) },
          config: demoComplianceConfig(),
          usage: demoUsage(),
        },
      );
      const blind = new Set(missing.flatMap((m) => RULES_NEEDING[m]));
      for (const f of result.findings)
        if (blind.has(f.ruleId) && f.status === 'PASS')
          throw new Error(`${f.ruleId} PASSed although ${missing.join(', ')} could not be read`);
    },
  ),
};

// ---------------------------------------------------------------------------------------------
// Evidence files: the demo's snapshot and usage evidence, mutated at a random place.

/** Every path to a value inside a JSON document (objects and arrays), root first. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  } else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

const structuralEdit = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'duplicate'),
  where: fc.nat(),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(-1, 0, 1e308, -0, '../victim', '..', '', '\u001b[31mred', 'x\r\n=cmd', '2026-13-45'),
  ),
});

/** Applies one edit at a path chosen among all of the document's paths. */
function editJson(document: unknown, edit: { kind: string; where: number; value: unknown }): unknown {
  const copy = structuredClone(document);
  const all = paths(copy);
  const path = all[edit.where % all.length] as (string | number)[];
  if (path.length === 0) return edit.kind === 'replace' ? edit.value : copy;
  let parent: unknown = copy;
  for (const p of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[p];
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, unknown> & unknown[];
  if (edit.kind === 'replace') container[last] = edit.value;
  else if (edit.kind === 'delete') {
    if (Array.isArray(container)) container.splice(last as number, 1);
    else delete container[last];
  } else if (Array.isArray(container)) container.push(structuredClone(container[last as number]));
  else container[last] = structuredClone(container[last]);
  return copy;
}

const evidenceEdit = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(structuralEdit, { minLength: 1, maxLength: 3 }).map((e) => ({ edits: e })),
  },
  { weight: 1, arbitrary: mutation.map((m) => ({ text: m })) },
);

function editedText(
  document: unknown,
  edit: {
    edits?: { kind: string; where: number; value: unknown }[];
    text?: { kind: string; at: number; with: string };
  },
) {
  if (edit.edits) return JSON.stringify(edit.edits.reduce(editJson, document), null, 2) ?? 'null';
  return mutate(JSON.stringify(document, null, 2), edit.text as { kind: string; at: number; with: string });
}

let tablesCache: readonly PricingTable[] | null = null;
/** The shipped pricing tables (loaded once, before the properties run). */
export function usePricingTables(tables: readonly PricingTable[]): void {
  tablesCache = tables;
}

/** The whole pure pipeline on evidence that parsed: price, judge, build, render every format. */
function wholeReport(snapshot: InventorySnapshot, usage: MonthUsage | null) {
  if (!tablesCache) throw new Error('usePricingTables first');
  const tables = tablesCache;
  return bounded('the report', () => {
    const cost = priceMonth({ month: DEMO_MONTH, snapshot, usage: usage ?? undefined, tables: [...tables] });
    const compliance = runCompliance(snapshot, {
      clock: { now: () => Date.parse(GENERATED_AT) },
      config: demoComplianceConfig(),
      usage,
      month: DEMO_MONTH,
    });
    const report = buildMonthlyReport({
      month: DEMO_MONTH,
      monthToDate: false,
      period: PERIOD,
      snapshot,
      usage,
      cost,
      compliance,
      generatedAt: GENERATED_AT,
    });
    renderMarkdown(report);
    for (const csv of [renderKeysCsv(report), renderCostsCsv(report), renderFindingsCsv(report)])
      strictCsv(csv);
    return report;
  });
}

export const snapshotFileProperty: FuzzProperty = {
  name: 'snapshot files (the demo snapshot, edited)',
  suiteRuns: 100,
  property: fc.property(evidenceEdit, (edit) => {
    const text = editedText(demoSnapshot(), edit);
    const snapshot = bounded('parseSnapshot', () => parseSnapshot(text, 'fuzz.json'));
    if (snapshot instanceof KmsReportError) return;
    const report = wholeReport(snapshot, demoUsage());
    if (!(report instanceof KmsReportError) && report.scope.accounts.some((a) => !/^\d{12}$/.test(a)))
      throw new Error(`a report names account ${JSON.stringify(report.scope.accounts)}`);
  }),
};

export const usageFileProperty: FuzzProperty = {
  name: 'usage evidence files (the demo usage, edited)',
  suiteRuns: 100,
  property: fc.property(evidenceEdit, (edit) => {
    const text = editedText(demoUsageEvidence(), edit);
    const evidence = bounded('parseUsageEvidence', () => parseUsageEvidence(text, 'fuzz.json'));
    if (evidence instanceof KmsReportError) return;
    if (evidence.usage.month !== DEMO_MONTH) return; // refused by the job before pricing (tested elsewhere)
    wholeReport(demoSnapshot(), evidence.usage);
  }),
};

// ---------------------------------------------------------------------------------------------
// Compliance configuration files.

const YAML_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'requiredTags: *g',
].join('\n');

const configDocument: fc.Arbitrary<unknown> = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
    thresholds: fc.record(
      {
        maxRotationPeriodDays: fc.oneof(fc.integer({ min: -10, max: 4000 }), fc.jsonValue({ maxDepth: 1 })),
        minDeletionWindowDays: fc.integer({ min: -10, max: 40 }),
        unusedKeyDays: fc.integer({ min: -10, max: 5000 }),
      },
      { requiredKeys: [] },
    ),
    requiredTags: fc.array(text, { maxLength: 4 }),
    aliasPattern: fc.oneof(
      fc.constantFrom(
        '^alias/([a-z0-9]+-?)*$',
        '^(a+)+$',
        '(a|a)*b',
        '^alias/[a-z0-9-]+$',
        '(?<=a)b',
        '\\1',
        '[',
      ),
      text,
    ),
    trustedAccounts: fc.array(fc.oneof(fc.constant(ACCOUNT), text), { maxLength: 3 }),
    organizationId: fc.oneof(fc.constant('o-a1b2c3d4e5'), text),
    multiRegionAllowList: fc.array(fc.oneof(wildcardPattern, text), { maxLength: 3 }),
    severities: fc.dictionary(
      fc.constantFrom('KMS-TAG-01', 'KMS-ROT-01', 'X'),
      fc.constantFrom('high', 'low', 'x'),
    ),
    disabledRules: fc.array(fc.constantFrom('KMS-MR-01', 'KMS-XX-99'), { maxLength: 2 }),
    suppressions: fc.array(
      fc.record(
        {
          rule: fc.constantFrom('KMS-ROT-01', 'KMS-NOPE'),
          key: fc.oneof(fc.constant(`arn:aws:kms:*:${ACCOUNT}:key/*`), wildcardPattern, text),
          justification: text,
          owner: text,
          ticket: text,
          expires: fc.constantFrom('2026-12-31', '2026-02-30', 'tomorrow'),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

const configText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: configDocument.map((d) => JSON.stringify(d, null, 2)) },
  {
    weight: 2,
    arbitrary: fc.tuple(configDocument, mutation).map(([d, m]) => mutate(JSON.stringify(d, null, 1), m)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: mutation.map((m) => mutate(YAML_BOMB, m)) },
);

const ALIASES = [
  'alias/payments',
  `alias/${'a'.repeat(200)}-`,
  `alias/${'a-'.repeat(100)}!`,
  `alias/${'a'.repeat(255)}`,
] as const;

export const configProperty: FuzzProperty = {
  name: 'compliance configuration files (generated, mutated, alias bombs)',
  suiteRuns: 300,
  property: fc.property(configText, (source) => {
    const config = bounded('parseComplianceConfig', () => parseComplianceConfig(source, 'fuzz.yaml'));
    if (config instanceof KmsReportError) return;
    // A configuration that loads is used: its user pattern runs on hostile aliases within the bound.
    const base = keyWithPolicy({ status: 'collected', value: JSON.stringify({ Statement: [] }) });
    const keys = ALIASES.map((alias, i) => ({
      ...base,
      arn: `${KEY_ARN.slice(0, -1)}${i}`,
      aliases: { status: 'collected' as const, value: [alias] },
    }));
    const result = bounded('the rules with this configuration', () =>
      runCompliance(snapshotOf(keys), { clock: { now: () => Date.parse(GENERATED_AT) }, config }),
    );
    if (result instanceof KmsReportError) throw new Error(`runCompliance threw ${result.message}`);
  }),
};

// ---------------------------------------------------------------------------------------------
// Text that reaches the CSV and Markdown files.

/** Parses CSV text strictly (RFC 4180, CRLF records, every record as wide as the header). */
export function strictCsv(csv: string): string[][] {
  const rows = parseCsv(csv, {
    record_delimiter: '\r\n',
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    bom: false,
  }) as string[][];
  if (!csv.endsWith('\r\n')) throw new Error('the CSV does not end with CRLF');
  return rows;
}

/** Strings a key owner could put in a description, tag or alias. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        '\r',
        '\n',
        '\r\n',
        '"',
        ',',
        '|',
        '=',
        '+',
        '-',
        '@',
        '\t',
        '\u001b[2J',
        '\u009b31m',
        '\u202e',
        '`',
        '<',
        '>',
        '\\',
        'x',
        ' ',
        "=cmd|' /C calc'!A0",
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join('')),
);

const FORMULA_START = /^[=+\-@\t\r]/;

/** The CSV rows of a column, by header name. */
function column(rows: string[][], name: string): string[] {
  const header = rows[0] as string[];
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return rows.slice(1).map((r) => r[i] as string);
}

export const renderingProperty: FuzzProperty = {
  name: 'descriptions, tags and aliases in CSV, Markdown and HTML',
  suiteRuns: 60,
  property: fc.property(
    fc.array(fc.record({ description: hostileText, tag: hostileText, alias: hostileText }), {
      minLength: 1,
      maxLength: 4,
    }),
    (texts) => {
      const demo = demoSnapshot();
      const keys = demo.keys.map((k, i) => {
        const t = texts[i % texts.length] as { description: string; tag: string; alias: string };
        if (k.metadata.status !== 'collected') return k;
        return {
          ...k,
          metadata: { ...k.metadata, value: { ...k.metadata.value, description: t.description } },
          tags: {
            status: 'collected' as const,
            // The owner tag's value reaches the OWNER columns and every owner shown.
            value: [
              { key: t.tag, value: t.tag },
              { key: 'Owner', value: t.description },
            ],
          },
          aliases: { status: 'collected' as const, value: [`alias/${t.alias}`] },
        };
      });
      const report = wholeReport({ ...demo, keys }, demoUsage());
      if (report instanceof KmsReportError) throw new Error(`the report failed: ${report.message}`);
      const allRows = strictCsv(renderKeysCsv(report));
      // keys.csv also holds the rows a spreadsheet needs for the total (unattributed, credit).
      const kinds = column(allRows, 'ROW_KIND');
      const keyRows = allRows.filter((_, i) => i === 0 || kinds[i - 1] === 'key');
      if (keyRows.length !== report.keys.length + 1)
        throw new Error(`keys.csv has ${keyRows.length - 1} key rows for ${report.keys.length} keys`);
      const arns = column(keyRows, 'KEY_ARN');
      report.keys.forEach((k, i) => {
        if (arns[i] !== k.arn) throw new Error(`keys.csv row ${i + 1} names ${arns[i]}, not ${k.arn}`);
      });
      for (const name of ['DESCRIPTION', 'TAGS', 'ALIASES'])
        for (const cell of column(keyRows, name))
          for (const line of cell.split(/\r\n|\r|\n/))
            if (FORMULA_START.test(line))
              throw new Error(`${name} cell line starts a formula: ${JSON.stringify(line)}`);
      const findingRows = strictCsv(renderFindingsCsv(report));
      if (findingRows.length !== report.findings.length + 1)
        throw new Error(
          `findings.csv has ${findingRows.length - 1} rows for ${report.findings.length} findings`,
        );
      const markdown = renderMarkdown(report);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is that none reach the file
      const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.exec(markdown);
      if (raw)
        throw new Error(`report.md holds a raw control character U+${raw[0].codePointAt(0)?.toString(16)}`);
      checkMarkdownTables(markdown);
      const page = renderHtml(report);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is that none reach the file
      const rawInPage = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.exec(page);
      if (rawInPage)
        throw new Error(
          `report.html holds a raw control character U+${rawInPage[0].codePointAt(0)?.toString(16)}`,
        );
      checkHtmlMarkup(page);
    },
  ),
};

/** The only elements report.html builds; evidence text must never add one. */
const HTML_ELEMENTS = new Set(
  'html head meta title style body main h1 h2 h3 h4 p div span section strong small code br wbr a ul ol li table thead tbody tr th td details summary'.split(
    ' ',
  ),
);

/** Every start tag of report.html is one it builds, with no event handler and no source to load. */
function checkHtmlMarkup(page: string): void {
  for (const m of page.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    const name = (m[1] as string).toLowerCase();
    if (!HTML_ELEMENTS.has(name))
      throw new Error(`report.html holds a <${name}> element: ${m[0].slice(0, 120)}`);
    // Attribute values are escaped text, so no raw quote is inside one: what is left are names.
    const names = (m[2] as string).replace(/"[^"]*"/g, '""');
    if (/\s(on[a-z]+|src|srcdoc|formaction)\s*=/i.test(names))
      throw new Error(`report.html holds a tag with a handler or source: ${m[0].slice(0, 120)}`);
  }
}

/** Every row of a Markdown table has as many cells as its header (a `|` in a cell is escaped). */
function checkMarkdownTables(markdown: string): void {
  const cells = (line: string) => line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;
  let width = 0;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      width = 0;
      continue;
    }
    if (width === 0) width = cells(line);
    else if (cells(line) !== width)
      throw new Error(`a Markdown table row has another width: ${line.slice(0, 120)}`);
  }
}

/** Every property, in the order the campaign runs them. */
export const FUZZ_PROPERTIES: readonly FuzzProperty[] = [
  policyProperty,
  missingEvidenceProperty,
  snapshotFileProperty,
  usageFileProperty,
  configProperty,
  renderingProperty,
];
