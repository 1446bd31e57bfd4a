import type { ControlRef, RuleId } from '../model/findings.js';

/**
 * Framework mappings as data: each requirement auditors know points at the rules that
 * give evidence for it. Rules never import this file; the engine attaches the controls
 * to each finding. A test pins that every rule is mapped or listed in {@link UNMAPPED_RULES}.
 */
export interface ControlMapping extends ControlRef {
  readonly ruleIds: readonly RuleId[];
}

const SECURITY_HUB = 'AWS Security Hub (Foundational Security Best Practices)';
const CONFIG = 'AWS Config managed rule';
const CIS = 'CIS Amazon Web Services Foundations Benchmark';
const NIST = 'NIST SP 800-53 Rev. 5';
const PCI = 'PCI DSS';

const cis = (
  versions: readonly string[],
  requirement: string,
  ruleIds: readonly RuleId[],
): ControlMapping[] => versions.map((version) => ({ framework: CIS, version, requirement, ruleIds }));

export const CONTROL_MAPPINGS: readonly ControlMapping[] = [
  { framework: SECURITY_HUB, version: null, requirement: 'KMS.3', ruleIds: ['KMS-DEL-01'] },
  { framework: SECURITY_HUB, version: null, requirement: 'KMS.4', ruleIds: ['KMS-ROT-01'] },
  { framework: SECURITY_HUB, version: null, requirement: 'KMS.5', ruleIds: ['KMS-POL-01'] },
  {
    framework: CONFIG,
    version: null,
    requirement: 'cmk-backing-key-rotation-enabled',
    ruleIds: ['KMS-ROT-01'],
  },
  {
    framework: CONFIG,
    version: null,
    requirement: 'kms-cmk-not-scheduled-for-deletion',
    ruleIds: ['KMS-DEL-01'],
  },
  {
    framework: CONFIG,
    version: null,
    requirement: 'kms-key-policy-no-public-access',
    ruleIds: ['KMS-POL-01'],
  },
  { framework: CONFIG, version: null, requirement: 'kms-key-tagged', ruleIds: ['KMS-TAG-01'] },
  ...cis(['1.2.0'], '2.8', ['KMS-ROT-01']),
  ...cis(['1.4.0', '1.5.0', '2.0.0'], '3.8', ['KMS-ROT-01']),
  ...cis(['3.0.0', '4.0.0', '5.0.0'], '3.6', ['KMS-ROT-01']),
  ...cis(['6.0.0', '7.0.0'], '4.6', ['KMS-ROT-01']),
  ...cis(['7.0.0'], '2.21', ['KMS-POL-01']),
  {
    framework: CIS,
    version: null,
    requirement: 'rationale of the key rotation requirement (yearly rotation)',
    ruleIds: ['KMS-ROT-02'],
  },
  { framework: NIST, version: null, requirement: 'SC-12', ruleIds: ['KMS-ROT-01'] },
  { framework: NIST, version: null, requirement: 'SC-12(2)', ruleIds: ['KMS-ROT-01'] },
  { framework: NIST, version: null, requirement: 'SC-28(3)', ruleIds: ['KMS-ROT-01'] },
  { framework: PCI, version: '4.0', requirement: '3.7.4', ruleIds: ['KMS-ROT-01'] },
  { framework: 'Checkov', version: null, requirement: 'CKV_AWS_33', ruleIds: ['KMS-POL-01'] },
  {
    framework: 'IAM Access Analyzer',
    version: null,
    requirement: 'external access',
    ruleIds: ['KMS-POL-02'],
  },
  { framework: 'KICS', version: null, requirement: 'KMS key with full permissions', ruleIds: ['KMS-POL-03'] },
  {
    framework: 'AWS KMS default key policy',
    version: null,
    requirement: 'separate statements for key administrators and key users',
    ruleIds: ['KMS-POL-04'],
  },
  {
    framework: 'AWS Control Tower proactive control',
    version: null,
    requirement: 'CT.KMS.PR.3',
    ruleIds: ['KMS-POL-05'],
  },
  {
    framework: 'AWS Organizations SCP condition key',
    version: null,
    requirement: 'kms:ScheduleKeyDeletionPendingWindowInDays',
    ruleIds: ['KMS-DEL-02'],
  },
  {
    framework: 'Prowler',
    version: null,
    requirement: 'kms_cmk_are_used (state only)',
    ruleIds: ['KMS-LIFE-01'],
  },
  { framework: 'Prowler', version: null, requirement: 'kms_cmk_not_multi_region', ruleIds: ['KMS-MR-01'] },
];

/** Rules no established framework covers, with the reason (so an empty control list is deliberate). */
export const UNMAPPED_RULES: Readonly<Partial<Record<RuleId, string>>> = {
  'KMS-LIFE-02': 'no established checker judges actual use: the others judge only by key state',
  'KMS-ALIAS-01': 'no established control asks for aliases or a naming pattern',
};

/** The controls a rule maps to, in the order of {@link CONTROL_MAPPINGS}. */
export function controlsFor(ruleId: RuleId): ControlRef[] {
  return CONTROL_MAPPINGS.filter((m) => m.ruleIds.includes(ruleId)).map(
    ({ framework, version, requirement }) => ({
      framework,
      version,
      requirement,
    }),
  );
}

/**
 * The short identifier of each framework, for files read by programs (findings.csv's CONTROLS):
 * `CIS-AWS@3.0.0:3.6`. One per framework name of {@link CONTROL_MAPPINGS}; a test pins that every
 * mapped framework has one.
 */
export const FRAMEWORK_IDS: Readonly<Record<string, string>> = {
  [SECURITY_HUB]: 'AWS-FSBP',
  [CONFIG]: 'AWS-CONFIG',
  [CIS]: 'CIS-AWS',
  [NIST]: 'NIST-800-53r5',
  [PCI]: 'PCI-DSS',
  Checkov: 'CHECKOV',
  'IAM Access Analyzer': 'IAM-ACCESS-ANALYZER',
  KICS: 'KICS',
  'AWS KMS default key policy': 'AWS-KMS-DEFAULT-POLICY',
  'AWS Control Tower proactive control': 'AWS-CONTROL-TOWER',
  'AWS Organizations SCP condition key': 'AWS-SCP',
  Prowler: 'PROWLER',
};

/**
 * One control as findings.csv writes it: `FRAMEWORK[@VERSION]:REQUIREMENT` (`CIS-AWS@3.0.0:3.6`,
 * `NIST-800-53r5:SC-12`). The framework id holds no `:` or `@`, so the first `:` ends it; a
 * framework without an id is written by its name.
 */
export function controlCode(ref: ControlRef): string {
  return `${FRAMEWORK_IDS[ref.framework] ?? ref.framework}${ref.version ? `@${ref.version}` : ''}:${ref.requirement}`;
}
