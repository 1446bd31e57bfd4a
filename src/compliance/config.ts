import { readFile, stat } from 'node:fs/promises';
import { RE2JS } from 're2js';
import { isMap, isScalar, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { accountIdSchema } from '../model/account-id.js';
import { RULE_IDS, SEVERITIES } from '../model/findings.js';

/**
 * The compliance configuration file: one YAML (or JSON, which is YAML too) document.
 *
 * ```yaml
 * version: 1                       # optional; the only version is 1
 * thresholds:
 *   maxRotationPeriodDays: 365     # KMS-ROT-02: FAIL above this (90-2560)
 *   minDeletionWindowDays: 30      # KMS-DEL-02: FAIL below this (7-30)
 *   unusedKeyDays: 90              # KMS-LIFE-02: FAIL when not used for this many days
 * requiredTags: [Owner]            # KMS-TAG-01: tag keys every customer managed key carries (case-sensitive)
 * ownerTag: Owner                  # the tag whose value the report shows as a key's owner (default Owner)
 * aliasPattern: '^alias/[a-z0-9-]+$'  # KMS-ALIAS-01: an RE2 regular expression, searched in the full alias name
 * trustedAccounts: ['111122223333']   # KMS-POL-02: other accounts allowed to use keys
 * organizationId: o-a1b2c3d4e5        # KMS-POL-02: principals proven in this organization are trusted
 * multiRegionAllowList:            # KMS-MR-01: key ARNs, key ids (mrk-...) or aliases; `*` wildcards allowed
 *   - mrk-1234abcd12ab34cd56ef1234567890ab
 * severities:                      # override a rule's default severity
 *   KMS-TAG-01: medium
 * disabledRules: [KMS-MR-01]       # rules not run at all
 * suppressions:                    # every field is required
 *   - rule: KMS-ROT-01
 *     key: arn:aws:kms:us-east-1:111122223333:key/*   # a key ARN, or an ARN pattern with `*`
 *     justification: Keys of the legacy stack are replaced, not rotated
 *     owner: platform-team@example.com
 *     ticket: SEC-1234
 *     expires: 2026-12-31          # last day (UTC) the suppression mutes
 * options:                         # the monthly report's command-line options (see RUN_OPTION_KEYS)
 *   regions: [us-east-1, eu-west-1]
 *   failOn: high
 * ```
 *
 * `options:` is not compliance: the compliance engine ignores it. The command line reads it
 * ({@link loadConfigOptions}); an option given on the command line or in the environment wins.
 *
 * `aliasPattern` is RE2 syntax (https://github.com/google/re2/wiki/Syntax), run by `re2js` in
 * time linear in the alias's length, so no pattern can stall a run: JavaScript's syntax without
 * backreferences (`\1`) and lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), which are refused when the
 * file is read. As with `RegExp.test`, it matches anywhere in the name unless anchored (`^...$`).
 *
 * The file is untrusted input: it is read only up to {@link MAX_CONFIG_FILE_BYTES}, and YAML
 * aliases (`*name`) are limited ({@link MAX_CONFIG_YAML_ALIASES}), so a "billion laughs"
 * document is refused instead of expanded.
 */

/** The largest configuration file read: a real one is a few kilobytes. */
export const MAX_CONFIG_FILE_BYTES = 1_048_576;
const TOO_LARGE = `MAX_CONFIG_FILE_BYTES: ${MAX_CONFIG_FILE_BYTES} bytes`;
/**
 * YAML aliases (`*name`) a configuration may hold, and the most values one alias may expand to
 * (the `yaml` package's `maxAliasCount`). A configuration needs none; a "billion laughs"
 * document nests thousands.
 */
export const MAX_CONFIG_YAML_ALIASES = 100;
/** Problems an invalid configuration lists (then how many more): enough to fix, not megabytes of text. */
export const MAX_CONFIG_ISSUES_LISTED = 50;
/** Characters of `aliasPattern`: an alias name is at most 256 characters. */
const MAX_ALIAS_PATTERN_LENGTH = 1_024;

let lastCompiled: { readonly pattern: string; readonly re: RE2JS } | null = null;

/**
 * Compiles a user's regular expression (`aliasPattern`) with RE2, whose matching time is linear
 * in the input. Throws `RE2JSException` when RE2 cannot compile it (backreferences, lookaround).
 *
 * @example
 * ```ts
 * compileUserPattern('^alias/[a-z0-9-]+$').test('alias/payments'); // true
 * ```
 */
export function compileUserPattern(pattern: string): RE2JS {
  // One configuration per run, one pattern: compiled once, not once per key (0.5-4 ms each).
  if (lastCompiled?.pattern !== pattern) lastCompiled = { pattern, re: RE2JS.compile(pattern) };
  return lastCompiled.re;
}

const ruleId = z.enum(RULE_IDS);
const severity = z.enum(SEVERITIES);
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const accountId = accountIdSchema;

/** A regular expression RE2 compiles; the message says why not (RE2 has no backreferences or lookaround). */
const regex = z
  .string()
  .max(MAX_ALIAS_PATTERN_LENGTH, `longer than ${MAX_ALIAS_PATTERN_LENGTH} characters`)
  .superRefine((s, ctx) => {
    try {
      compileUserPattern(s);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a valid RE2 regular expression (${(error as Error).message}); RE2 has no backreferences or lookaround`,
      });
    }
  });

const suppression = z.strictObject({
  rule: ruleId,
  key: nonEmpty.regex(
    /^arn:/,
    'expected a key ARN or an ARN pattern (arn:aws:kms:<region>:<account>:key/<id>, `*` allowed)',
  ),
  justification: nonEmpty,
  owner: nonEmpty,
  ticket: nonEmpty,
  expires: z.iso.date({ message: 'expected a date YYYY-MM-DD' }),
});

/** A list, as YAML (`[a, b]`) or as the command line takes it (`a,b`). */
const listOrString = z.union([nonEmpty, z.array(nonEmpty).min(1, 'must not be empty')]);

/**
 * The `options:` section: the monthly report's options, named as their flags in camelCase
 * (`--usage-source` is `usageSource`, `--no-last-usage` is `lastUsage: false`). Values are
 * checked here for their type, then by the same parser as the flag.
 */
const runOptionsSchema = z.strictObject({
  regions: listOrString.optional(),
  profile: nonEmpty.optional(),
  usageSource: listOrString.optional(),
  bucket: nonEmpty.optional(),
  prefix: z.string().optional(),
  out: nonEmpty.optional(),
  format: listOrString.optional(),
  mdMaxRows: z.int().min(0).optional(),
  csvFindings: nonEmpty.optional(),
  pricing: nonEmpty.optional(),
  freeTier: z.enum(['account', 'organization']).optional(),
  failOn: severity.optional(),
  failOnGaps: z.boolean().optional(),
  org: z.boolean().optional(),
  accounts: listOrString.optional(),
  roleName: nonEmpty.optional(),
  externalId: nonEmpty.optional(),
  lastUsage: z.boolean().optional(),
  timeout: z.number().positive().max(3600).optional(),
  deadline: nonEmpty.optional(),
  quiet: z.boolean().optional(),
});

/** The `options:` section as read. */
export type RunOptionsSection = z.output<typeof runOptionsSchema>;

/** The fields `options:` may hold. */
export const RUN_OPTION_KEYS = Object.keys(runOptionsSchema.shape) as (keyof RunOptionsSection)[];

export const complianceConfigSchema = z.strictObject({
  version: z.literal(1).optional(),
  thresholds: z
    .strictObject({
      maxRotationPeriodDays: z.int().min(90).max(2560).default(365),
      minDeletionWindowDays: z.int().min(7).max(30).default(30),
      unusedKeyDays: z.int().min(1).max(3650).default(90),
    })
    .default({ maxRotationPeriodDays: 365, minDeletionWindowDays: 30, unusedKeyDays: 90 }),
  requiredTags: z.array(nonEmpty).default([]),
  ownerTag: nonEmpty.max(128, 'longer than 128 characters (the longest tag key AWS allows)').default('Owner'),
  aliasPattern: regex.nullable().default(null),
  trustedAccounts: z.array(accountId).default([]),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id (o-...)')
    .nullable()
    .default(null),
  multiRegionAllowList: z.array(nonEmpty).default([]),
  severities: z.partialRecord(ruleId, severity).default({}),
  disabledRules: z.array(ruleId).default([]),
  suppressions: z.array(suppression).default([]),
  options: runOptionsSchema.optional(),
});

/** The configuration with every default filled in. */
export type ComplianceConfig = z.output<typeof complianceConfigSchema>;
export type Suppression = ComplianceConfig['suppressions'][number];

/** The configuration used when no file is given: catalogue defaults, nothing suppressed. */
export const DEFAULT_COMPLIANCE_CONFIG: ComplianceConfig = complianceConfigSchema.parse({});

/** One problem in a configuration file, located. */
export interface ConfigIssue {
  /** `suppressions[0].expires`, or empty for the whole document. */
  readonly field: string;
  /** 1-based line in the file, when known. */
  readonly line: number | null;
  readonly message: string;
}

/** The configuration file is invalid. Every issue names its field and line. */
export class ComplianceConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      file,
      issues
        .map(
          (i) => `${i.line !== null ? `line ${i.line}: ` : ''}${i.field ? `${i.field}: ` : ''}${i.message}`,
        )
        .join('; '),
    );
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/** The line of the deepest node on `path` that exists (the key itself for an unexpected key). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: readonly PropertyKey[],
  unexpectedKey?: string,
): number | null {
  const keys = path.map((p) => (typeof p === 'number' ? p : String(p)));
  for (let n = keys.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true)) as Node | null | undefined;
    if (!node) continue;
    let offset = node.range?.[0];
    if (n === keys.length && unexpectedKey !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === unexpectedKey);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
    }
    if (offset !== undefined) return counter.linePos(offset).line;
  }
  return null;
}

/**
 * Parses and validates a compliance configuration (YAML or JSON text). `source` names it in
 * errors. Throws {@link ComplianceConfigError} listing every problem with its field and line.
 *
 * @example
 * ```ts
 * const config = parseComplianceConfig('requiredTags: [Owner]\n', 'kms-report.yaml');
 * config.thresholds.maxRotationPeriodDays; // 365
 * ```
 */
export function parseComplianceConfig(text: string, source = 'compliance configuration'): ComplianceConfig {
  return parseConfigDocument(text, source).config;
}

/** The configuration, and the line of a field (`options.failOn`), for messages about its values. */
interface ParsedConfig {
  readonly config: ComplianceConfig;
  readonly lineOf: (path: readonly PropertyKey[]) => number | null;
}

function parseConfigDocument(text: string, source: string): ParsedConfig {
  if (text.length > MAX_CONFIG_FILE_BYTES)
    throw wholeFileError(
      source,
      `${text.length} characters long, more than a compliance configuration may be (${TOO_LARGE})`,
    );
  const counter = new LineCounter();
  const doc = parseYaml(text, source, counter);
  const firstAlias = checkKeysAndAliases(doc, source, counter);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_CONFIG_YAML_ALIASES }) ?? {};
  } catch (error) {
    // The yaml package's ReferenceError ("Excessive alias count ..."), or an unresolved alias.
    throw aliasesRefused(
      source,
      firstAlias,
      `YAML aliases could not be expanded (${(error as Error).message})`,
    );
  }
  const result = complianceConfigSchema.safeParse(data);
  if (result.success) return { config: result.data, lineOf: (path) => lineOf(doc, counter, path) };
  throw new ComplianceConfigError(source, schemaIssues(result.error.issues, doc, counter));
}

type YamlDocument = ReturnType<typeof parseDocument>;

const wholeFileError = (source: string, message: string) =>
  new ComplianceConfigError(source, [{ field: '', line: null, message }]);

/** The YAML (or JSON) document, or the parser's errors with their lines. */
function parseYaml(text: string, source: string, counter: LineCounter): YamlDocument {
  let doc: YamlDocument;
  try {
    // Keys are checked for uniqueness below, in linear time: the yaml package's own check
    // compares each key with every other of its map (a 1 MiB map of keys took minutes).
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    // The parser recurses: a document nested thousands deep overflows the stack.
    throw wholeFileError(source, `not a usable YAML/JSON document (${(error as Error).message})`);
  }
  if (doc.errors.length > 0)
    throw new ComplianceConfigError(
      source,
      doc.errors.map((e) => ({
        field: '',
        line: counter.linePos(e.pos[0]).line,
        message: `not valid YAML/JSON (${e.message.split('\n')[0]})`,
      })),
    );
  return doc;
}

/** An error for the document's YAML aliases, at the line of the first. */
function aliasesRefused(source: string, at: { line: number | null }, why: string): ComplianceConfigError {
  return new ComplianceConfigError(source, [
    {
      field: '',
      line: at.line,
      message: `${why}; a compliance configuration needs no YAML aliases (*name): write the values out`,
    },
  ]);
}

/**
 * Refuses a key written twice in one map and more than {@link MAX_CONFIG_YAML_ALIASES} aliases;
 * returns the line of the first alias (for a later error expanding them).
 */
function checkKeysAndAliases(
  doc: YamlDocument,
  source: string,
  counter: LineCounter,
): { line: number | null } {
  let aliases = 0;
  let firstAlias: number | null = null;
  const duplicates: ConfigIssue[] = [];
  visit(doc, {
    Alias: (_key, node) => {
      aliases += 1;
      firstAlias ??= node.range?.[0] ?? null;
      return aliases > MAX_CONFIG_YAML_ALIASES ? visit.BREAK : undefined;
    },
    Map: (_key, node) => {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (!seen.has(name)) {
          seen.add(name);
          continue;
        }
        const offset = pair.key.range?.[0];
        duplicates.push({
          field: '',
          line: offset === undefined ? null : counter.linePos(offset).line,
          message: `not valid YAML/JSON (the key ${JSON.stringify(name)} appears twice in one map)`,
        });
      }
    },
  });
  if (duplicates.length > 0) throw new ComplianceConfigError(source, duplicates);
  const at = { line: firstAlias === null ? null : counter.linePos(firstAlias).line };
  if (aliases > MAX_CONFIG_YAML_ALIASES)
    throw aliasesRefused(source, at, `more than ${MAX_CONFIG_YAML_ALIASES} YAML aliases`);
  return at;
}

/** The schema's complaints as issues with lines, top to bottom, at most {@link MAX_CONFIG_ISSUES_LISTED}. */
function schemaIssues(
  found: readonly z.core.$ZodIssue[],
  doc: YamlDocument,
  counter: LineCounter,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of found) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({
          field: fieldName([...issue.path, key]),
          line: lineOf(doc, counter, issue.path, key),
          message: 'unknown field',
        });
      continue;
    }
    issues.push({
      field: fieldName(issue.path),
      line: lineOf(doc, counter, issue.path),
      message: issue.message,
    });
  }
  // Top to bottom, as a person reads the file.
  issues.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const listed = issues.slice(0, MAX_CONFIG_ISSUES_LISTED);
  if (issues.length > listed.length)
    listed.push({ field: '', line: null, message: `and ${issues.length - listed.length} more problems` });
  return listed;
}

/**
 * Reads and validates a compliance configuration file.
 *
 * @example
 * ```ts
 * const config = await loadComplianceConfig('kms-report.yaml');
 * const result = runCompliance(snapshot, { config, clock: systemClock });
 * ```
 */
export async function loadComplianceConfig(path: string): Promise<ComplianceConfig> {
  return parseConfigDocument(await readConfigText(path), path).config;
}

/**
 * The `options:` section of a configuration file (empty when there is none), with the line of
 * each field. The whole file is validated, compliance included, so a broken file is refused
 * before anything runs.
 *
 * @example
 * ```ts
 * const { options, lineOf } = await loadConfigOptions('kms-report.yaml');
 * options.failOn; // 'high'
 * lineOf('failOn'); // 12
 * ```
 */
export async function loadConfigOptions(
  path: string,
): Promise<{ options: RunOptionsSection; lineOf: (key: string) => number | null }> {
  const parsed = parseConfigDocument(await readConfigText(path), path);
  return { options: parsed.config.options ?? {}, lineOf: (key) => parsed.lineOf(['options', key]) };
}

async function readConfigText(path: string): Promise<string> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_CONFIG_FILE_BYTES)
      throw new ComplianceConfigError(path, [
        {
          field: '',
          line: null,
          message: `${size} bytes long, more than a compliance configuration may be (${TOO_LARGE})`,
        },
      ]);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ComplianceConfigError) throw error;
    throw new InputError(path, `cannot read the compliance configuration (${(error as Error).message})`, {
      cause: error,
    });
  }
  return text;
}
