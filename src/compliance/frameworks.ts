import { InputError } from '../errors.js';
import type { Finding, FindingStatus, RuleId } from '../model/findings.js';
import type {
  FrameworkInfo,
  FrameworkView,
  RequirementStatus,
  RequirementView,
} from '../model/frameworks.js';
import { compareText } from '../util/compare.js';
import { CONTROL_MAPPINGS, type ControlMapping } from './controls.js';
import { ALL_RULES } from './rules/index.js';

/**
 * The per-framework view: the frameworks are exactly those {@link CONTROL_MAPPINGS} name, one per
 * framework and version, each with the requirements the mappings list. Nothing here is a second
 * list of mappings: a new mapping is a new row.
 */

/** The short name of each mapped framework in `--compliance` ids; a test pins that every mapped framework has one. */
export const FRAMEWORK_SLUGS: Readonly<Record<string, string>> = {
  'AWS Security Hub (Foundational Security Best Practices)': 'aws-fsbp',
  'AWS Config managed rule': 'aws-config',
  'CIS Amazon Web Services Foundations Benchmark': 'cis',
  'NIST SP 800-53 Rev. 5': 'nist-800-53',
  'PCI DSS': 'pci-dss',
  Checkov: 'checkov',
  'IAM Access Analyzer': 'iam-access-analyzer',
  KICS: 'kics',
  'AWS KMS default key policy': 'aws-kms-default-policy',
  'AWS Control Tower proactive control': 'aws-control-tower',
  'AWS Organizations SCP condition key': 'aws-scp',
  Prowler: 'prowler',
};

/**
 * Requirement titles as the frameworks word them, keyed `<framework id>:<requirement>`, each with
 * where it was read. Only texts read from a source are here; a requirement without one is shown
 * as having no text in kms-report's catalogue, never with a made-up one.
 */
export const REQUIREMENT_TEXTS: Readonly<Record<string, { readonly text: string; readonly source: string }>> =
  {
    'cis-1.2:2.8': {
      text: 'Ensure rotation for customer created CMKs is enabled',
      source:
        'CIS Amazon Web Services Foundations Benchmark v1.2.0, recommendation 2.8 (as Prowler 2.x check28 quotes it)',
    },
    'cis-1.4:3.8': {
      text: 'Ensure rotation for customer created symmetric CMKs is enabled',
      source:
        'CIS Amazon Web Services Foundations Benchmark v1.4.0, recommendation 3.8 (as MITRE SAF aws-foundations-cis-baseline quotes it)',
    },
    'cis-3.0:3.6': {
      text: 'Ensure rotation for customer-created symmetric CMKs is enabled (Automated)',
      source: 'CIS Amazon Web Services Foundations Benchmark v3.0.0 (01-31-2024), recommendation 3.6',
    },
    'nist-800-53:SC-12': {
      text: 'Cryptographic Key Establishment and Management',
      source: 'NIST SP 800-53 Rev. 5, control SC-12 (https://doi.org/10.6028/NIST.SP.800-53r5)',
    },
    'nist-800-53:SC-12(2)': {
      text: 'Cryptographic Key Establishment and Management | Symmetric Keys',
      source:
        'NIST SP 800-53 Rev. 5, control enhancement SC-12(2) (https://doi.org/10.6028/NIST.SP.800-53r5)',
    },
    'nist-800-53:SC-28(3)': {
      text: 'Protection of Information at Rest | Cryptographic Keys',
      source:
        'NIST SP 800-53 Rev. 5, control enhancement SC-28(3) (https://doi.org/10.6028/NIST.SP.800-53r5)',
    },
    'aws-control-tower:CT.KMS.PR.3': {
      text: 'Require an AWS Key Management Service key policy to have a statement that limits creation of AWS KMS grants to AWS services',
      source:
        'AWS Control Tower control reference, AWS KMS controls (https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html)',
    },
  };

/** `3.0.0` → `3.0`, `4.0` → `4.0`: the version as Prowler and auditors write it in an id. */
const shortVersion = (version: string): string => version.split('.').slice(0, 2).join('.');

/** The `--compliance` id of a framework and version (`cis-3.0`, `nist-800-53`). */
export function frameworkId(framework: string, version: string | null): string {
  const slug = FRAMEWORK_SLUGS[framework] ?? framework.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return version ? `${slug}-${shortVersion(version)}` : slug;
}

interface FrameworkEntry {
  readonly id: string;
  readonly framework: string;
  readonly version: string | null;
  readonly mappings: readonly ControlMapping[];
}

/**
 * Every framework and version the mappings name. A mapping without a version, of a framework
 * that has versions (the CIS rationale behind KMS-ROT-02), belongs to each of its versions.
 */
function catalogue(): readonly FrameworkEntry[] {
  const versioned = new Set(CONTROL_MAPPINGS.filter((m) => m.version !== null).map((m) => m.framework));
  const entries = new Map<
    string,
    { framework: string; version: string | null; mappings: ControlMapping[] }
  >();
  for (const m of CONTROL_MAPPINGS) {
    if (m.version === null && versioned.has(m.framework)) continue;
    const id = frameworkId(m.framework, m.version);
    const entry = entries.get(id) ?? { framework: m.framework, version: m.version, mappings: [] };
    entry.mappings.push(m);
    entries.set(id, entry);
  }
  for (const m of CONTROL_MAPPINGS)
    if (m.version === null && versioned.has(m.framework))
      for (const entry of entries.values()) if (entry.framework === m.framework) entry.mappings.push(m);
  return [...entries].map(([id, e]) => ({ id, ...e }));
}

const CATALOGUE = catalogue();
const RULE_ORDER = new Map<RuleId, number>(ALL_RULES.map((r, i) => [r.meta.id, i]));
const byCatalogue = (ids: Iterable<RuleId>): RuleId[] =>
  [...new Set(ids)].sort((a, b) => (RULE_ORDER.get(a) ?? 0) - (RULE_ORDER.get(b) ?? 0));

/** Each requirement of a framework once, with every rule mapped to it. */
function requirementsOf(entry: FrameworkEntry): { requirement: string; ruleIds: RuleId[] }[] {
  const rows = new Map<string, RuleId[]>();
  for (const m of entry.mappings) rows.set(m.requirement, [...(rows.get(m.requirement) ?? []), ...m.ruleIds]);
  return [...rows].map(([requirement, ruleIds]) => ({ requirement, ruleIds: byCatalogue(ruleIds) }));
}

/**
 * The frameworks `--compliance` accepts, in the order of the mappings: what `kms-report
 * frameworks` lists.
 *
 * @example
 * ```ts
 * for (const f of availableFrameworks()) console.log(f.id, f.requirements.length, f.ruleIds.join(' '));
 * // cis-3.0 2 KMS-ROT-01 KMS-ROT-02
 * ```
 */
export function availableFrameworks(): FrameworkInfo[] {
  return CATALOGUE.map((entry) => {
    const rows = requirementsOf(entry);
    return {
      id: entry.id,
      framework: entry.framework,
      version: entry.version,
      requirements: rows.map((r) => r.requirement),
      ruleIds: byCatalogue(rows.flatMap((r) => r.ruleIds)),
    };
  });
}

/**
 * Checks framework ids (`cis-3.0`, case ignored), each once in the order given: an unknown one is
 * an {@link InputError} naming it and listing the valid ones.
 */
export function parseFrameworkIds(ids: readonly string[], input = '--compliance'): string[] {
  const known = new Set(CATALOGUE.map((e) => e.id));
  const chosen: string[] = [];
  for (const raw of ids) {
    const id = raw.trim().toLowerCase();
    if (id === '') continue;
    if (!known.has(id))
      throw new InputError(
        input,
        `unknown framework "${raw.trim()}"; the frameworks are: ${[...known].join(', ')}`,
      );
    if (!chosen.includes(id)) chosen.push(id);
  }
  if (chosen.length === 0) throw new InputError(input, `name a framework: ${[...known].join(', ')}`);
  return chosen;
}

const STATUS_ORDER: readonly FindingStatus[] = ['FAIL', 'UNKNOWN', 'MUTED', 'PASS', 'NOT_APPLICABLE'];
const noCounts = (): Record<FindingStatus, number> => ({
  FAIL: 0,
  UNKNOWN: 0,
  MUTED: 0,
  PASS: 0,
  NOT_APPLICABLE: 0,
});

/** One rule's findings, counted once however many requirements it maps to. */
interface RuleTally {
  readonly counts: Readonly<Record<FindingStatus, number>>;
  readonly failing: readonly string[];
}

function tallyByRule(findings: readonly Finding[]): Map<RuleId, RuleTally> {
  const tallies = new Map<RuleId, { counts: Record<FindingStatus, number>; failing: string[] }>();
  for (const f of findings) {
    let t = tallies.get(f.ruleId);
    if (!t) {
      t = { counts: noCounts(), failing: [] };
      tallies.set(f.ruleId, t);
    }
    t.counts[f.status] += 1;
    if (f.status === 'FAIL') t.failing.push(f.keyArn);
  }
  // Sorted once per rule, each key once: most requirements map to one rule and share the list.
  for (const t of tallies.values()) t.failing = [...new Set(t.failing)].sort(compareText);
  return tallies;
}

function requirementView(
  requirement: string,
  ruleIds: readonly RuleId[],
  tallies: ReadonlyMap<RuleId, RuleTally>,
  id: string,
): RequirementView {
  const counts = noCounts();
  const lists: (readonly string[])[] = [];
  for (const ruleId of ruleIds) {
    const t = tallies.get(ruleId);
    if (!t) continue;
    for (const s of STATUS_ORDER) counts[s] += t.counts[s];
    if (t.failing.length > 0) lists.push(t.failing);
  }
  const failingKeys = lists.length <= 1 ? (lists[0] ?? []) : [...new Set(lists.flat())].sort(compareText);
  const status: RequirementStatus = STATUS_ORDER.find((s) => counts[s] > 0) ?? 'NOT_EVALUATED';
  const text = REQUIREMENT_TEXTS[`${id}:${requirement}`] ?? null;
  return {
    requirement,
    text: text?.text ?? null,
    source: text?.source ?? null,
    ruleIds,
    counts,
    status,
    failingKeys,
  };
}

/**
 * The tables of the frameworks asked for (ids as {@link parseFrameworkIds} returns them), from
 * the report's findings: per requirement, the findings of its rules per status and the keys
 * that fail. Pure.
 *
 * @example
 * ```ts
 * const [cis] = frameworkViews(['cis-3.0'], report.findings);
 * for (const r of cis.requirements) console.log(r.requirement, r.status, r.failingKeys.length);
 * ```
 */
export function frameworkViews(ids: readonly string[], findings: readonly Finding[]): FrameworkView[] {
  const wanted = parseFrameworkIds(ids, 'frameworks');
  const tallies = tallyByRule(findings);
  return wanted.map((id) => {
    const entry = CATALOGUE.find((e) => e.id === id) as FrameworkEntry;
    return {
      id,
      framework: entry.framework,
      version: entry.version,
      requirements: requirementsOf(entry).map((r) => requirementView(r.requirement, r.ruleIds, tallies, id)),
    };
  });
}
