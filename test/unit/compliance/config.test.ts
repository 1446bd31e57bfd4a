import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ComplianceConfigError,
  DEFAULT_COMPLIANCE_CONFIG,
  loadComplianceConfig,
  MAX_CONFIG_FILE_BYTES,
  MAX_CONFIG_ISSUES_LISTED,
  MAX_CONFIG_YAML_ALIASES,
  parseComplianceConfig,
} from '../../../src/compliance/config.js';
import { InputError } from '../../../src/errors.js';

const VALID = `# kms-report compliance configuration
version: 1
thresholds:
  maxRotationPeriodDays: 180
requiredTags: [Owner, CostCenter]
aliasPattern: '^alias/[a-z0-9-]+$'
trustedAccounts: ['444455556666']
organizationId: o-a1b2c3d4e5
multiRegionAllowList: [mrk-1234abcd12ab34cd56ef1234567890ab]
severities:
  KMS-TAG-01: medium
disabledRules: [KMS-MR-01]
suppressions:
  - rule: KMS-ROT-01
    key: arn:aws:kms:eu-west-1:111122223333:key/*
    justification: Legacy keys are replaced, not rotated
    owner: platform@example.com
    ticket: SEC-1234
    expires: 2026-12-31
`;

function issuesOf(text: string, source = 'kms-report.yaml') {
  try {
    parseComplianceConfig(text, source);
  } catch (error) {
    if (error instanceof ComplianceConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('Function: parseComplianceConfig', () => {
  it('reads a complete YAML file and fills the defaults it leaves out', () => {
    const config = parseComplianceConfig(VALID, 'kms-report.yaml');
    expect(config.thresholds).toEqual({
      maxRotationPeriodDays: 180,
      minDeletionWindowDays: 30,
      unusedKeyDays: 90,
    });
    expect(config.severities).toEqual({ 'KMS-TAG-01': 'medium' });
    expect(config.suppressions[0]).toMatchObject({
      rule: 'KMS-ROT-01',
      expires: '2026-12-31',
      ticket: 'SEC-1234',
    });
  });

  it('reads JSON too', () => {
    expect(parseComplianceConfig('{"requiredTags": ["Owner"]}').requiredTags).toEqual(['Owner']);
  });

  it("an options: section (the command line's) leaves the compliance part as it would be without it", () => {
    const compliance = 'requiredTags: [Owner]\nthresholds: { unusedKeyDays: 30 }\n';
    const withOptions = parseComplianceConfig(
      `${compliance}options:\n  failOn: high\n  regions: [eu-west-1]\n`,
    );
    const { options, ...rest } = withOptions;
    expect(options).toEqual({ failOn: 'high', regions: ['eu-west-1'] });
    expect(rest).toEqual(parseComplianceConfig(compliance));
  });

  it('an options: field of the wrong type is refused with its line', () => {
    expect(() => parseComplianceConfig('options:\n  failOn: severe\n  timeout: soon\n', 'k.yaml')).toThrow(
      /^k\.yaml: line 2: options\.failOn: .*; line 3: options\.timeout: /,
    );
  });

  it('defaults to the catalogue thresholds for an empty file', () => {
    expect(parseComplianceConfig('')).toEqual(DEFAULT_COMPLIANCE_CONFIG);
    expect(DEFAULT_COMPLIANCE_CONFIG.thresholds).toEqual({
      maxRotationPeriodDays: 365,
      minDeletionWindowDays: 30,
      unusedKeyDays: 90,
    });
  });

  it('names the file, line and field of a value out of range', () => {
    const error = issuesOf('thresholds:\n  minDeletionWindowDays: 3\n');
    expect(error).toBeInstanceOf(InputError);
    expect(error.issues).toEqual([
      { field: 'thresholds.minDeletionWindowDays', line: 2, message: expect.stringContaining('>=7') },
    ]);
    expect(error.message).toMatch(/^kms-report\.yaml: line 2: thresholds\.minDeletionWindowDays: /);
  });

  it('requires every field of a suppression and names the missing one', () => {
    const error = issuesOf(
      'suppressions:\n  - rule: KMS-ROT-01\n    key: arn:aws:kms:eu-west-1:111122223333:key/abc\n    justification: ok\n    owner: me\n    expires: 2026-12-31\n',
    );
    expect(error.issues).toEqual([{ field: 'suppressions[0].ticket', line: 2, message: expect.any(String) }]);
  });

  it('rejects an invalid expiry date, an unknown rule and a key that is not an ARN', () => {
    const error = issuesOf(
      [
        'suppressions:',
        '  - rule: KMS-NOPE-01',
        '    key: my-key',
        '    justification: ok',
        '    owner: me',
        '    ticket: T-1',
        '    expires: 2026-02-30',
      ].join('\n'),
    );
    expect(error.issues.map((i) => [i.field, i.line])).toEqual([
      ['suppressions[0].rule', 2],
      ['suppressions[0].key', 3],
      ['suppressions[0].expires', 7],
    ]);
    expect(error.issues[2]?.message).toBe('expected a date YYYY-MM-DD');
  });

  it('names an unknown field (a typo) on its own line', () => {
    const error = issuesOf('requiredTags: [Owner]\nrequiredTag: [CostCenter]\n');
    expect(error.issues).toEqual([{ field: 'requiredTag', line: 2, message: 'unknown field' }]);
  });

  it('rejects an unknown severity, a bad account id and a regular expression that does not compile', () => {
    const error = issuesOf(
      "severities:\n  KMS-TAG-01: urgent\ntrustedAccounts: ['12345']\naliasPattern: '^alias/('\n",
    );
    expect(error.issues.map((i) => [i.field, i.line])).toEqual([
      ['severities.KMS-TAG-01', 2],
      ['trustedAccounts[0]', 3],
      ['aliasPattern', 4],
    ]);
    expect(error.issues[2]?.message).toMatch(/^not a valid RE2 regular expression \(.*missing closing \)/);
  });

  it('refuses a pattern RE2 cannot run (backreference, lookaround), naming the field and line', () => {
    for (const pattern of ['^alias/(a)\\1$', '^alias/(?!tmp-)', '(?<=alias/)prod']) {
      const error = issuesOf(`requiredTags: [Owner]\naliasPattern: '${pattern}'\n`);
      expect(error).toBeInstanceOf(InputError);
      expect(error.issues).toEqual([
        {
          field: 'aliasPattern',
          line: 2,
          message: expect.stringMatching(
            /^not a valid RE2 regular expression .*no backreferences or lookaround$/,
          ),
        },
      ]);
      expect(error.message).toMatch(/^kms-report\.yaml: line 2: aliasPattern: not a valid RE2/);
    }
    // A pattern that backtracks catastrophically in JavaScript is fine: RE2 runs it in linear time.
    expect(parseComplianceConfig("aliasPattern: '^alias/([a-z0-9]+-?)*$'\n").aliasPattern).toBe(
      '^alias/([a-z0-9]+-?)*$',
    );
  });

  it('refuses a "billion laughs" document as a configuration error naming the file, not a crash', () => {
    const names = 'abcdefghij'.split('');
    const lines = [`${names[0]}: &${names[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
    for (let i = 1; i < names.length; i++)
      lines.push(
        `${names[i]}: &${names[i]} [${Array(9)
          .fill(`*${names[i - 1]}`)
          .join(', ')}]`,
      );
    const error = issuesOf(`${lines.join('\n')}\n`, 'laughs.yaml');
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/^laughs\.yaml: line 2: YAML aliases could not be expanded/);
    expect(error.message).toContain('needs no YAML aliases');
  });

  it(`refuses more than MAX_CONFIG_YAML_ALIASES aliases, and keys repeated in one map`, () => {
    const many = Array.from(
      { length: MAX_CONFIG_YAML_ALIASES + 1 },
      (_, i) => `t${i}: &a${i} x\nu${i}: *a${i}`,
    ).join('\n');
    expect(issuesOf(many).issues).toEqual([
      { field: '', line: 2, message: expect.stringMatching(/^more than 100 YAML aliases/) },
    ]);
    expect(issuesOf('requiredTags: [Owner]\nversion: 1\nrequiredTags: [CostCenter]\n').issues).toEqual([
      {
        field: '',
        line: 3,
        message: 'not valid YAML/JSON (the key "requiredTags" appears twice in one map)',
      },
    ]);
  });

  it('lists at most MAX_CONFIG_ISSUES_LISTED problems, then how many more', () => {
    const error = issuesOf(`disabledRules: [${Array(200).fill('KMS-NOPE-01').join(', ')}]\n`);
    expect(error.issues).toHaveLength(MAX_CONFIG_ISSUES_LISTED + 1);
    expect(error.issues.at(-1)).toEqual({ field: '', line: null, message: 'and 150 more problems' });
  });

  it('refuses text longer than MAX_CONFIG_FILE_BYTES', () => {
    const error = issuesOf(`# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    expect(error.message).toMatch(/characters long, more than a compliance configuration may be/);
  });

  it('reports a YAML syntax error with its line', () => {
    const error = issuesOf('requiredTags: [Owner\nthresholds: {\n');
    expect(error.issues[0]?.line).not.toBeNull();
    expect(error.issues[0]?.message).toMatch(/^not valid YAML\/JSON/);
  });
});

describe('Function: loadComplianceConfig', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-report-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file and names it in errors', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, VALID);
    await writeFile(bad, 'disabledRules: [KMS-ROT-99]\n');
    expect((await loadComplianceConfig(good)).disabledRules).toEqual(['KMS-MR-01']);
    await expect(loadComplianceConfig(bad)).rejects.toThrow(`${bad}: line 1: disabledRules[0]: `);
    await expect(loadComplianceConfig(join(dir, 'missing.yaml'))).rejects.toThrow(
      /cannot read the compliance configuration/,
    );
  });

  it('refuses a file over MAX_CONFIG_FILE_BYTES before reading it (exit 2, the file named)', async () => {
    const big = join(dir, 'big.yaml');
    const text = `requiredTags:\n${'  - Owner\n'.repeat(MAX_CONFIG_FILE_BYTES / 10)}`;
    expect(text.length).toBeGreaterThan(MAX_CONFIG_FILE_BYTES);
    await writeFile(big, text);
    const error = await loadComplianceConfig(big).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComplianceConfigError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${big}: ${text.length} bytes long, more than a compliance configuration may be (MAX_CONFIG_FILE_BYTES: 1048576 bytes)`,
    );
  });
});
