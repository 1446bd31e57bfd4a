import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asffProductArn } from '../../src/report/asff.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const root = new URL('../../', import.meta.url).pathname;
const SERVICE_PREFIX: Record<string, string> = {
  'client-kms': 'kms',
  'client-sts': 'sts',
  'client-account': 'account',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudtrail': 'cloudtrail',
  'client-pricing': 'pricing',
  'client-s3': 's3',
  'client-organizations': 'organizations',
  'client-cost-explorer': 'ce',
  'client-securityhub': 'securityhub',
  'client-athena': 'athena',
};

/** The actions only `--security-hub` calls: granted by their own policy, never by the read-only one. */
const SECURITY_HUB_ACTIONS = ['securityhub:BatchImportFindings', 'securityhub:GetFindings'];

/**
 * Services whose calls are opt-in and granted by their own policy file, never by the read-only one:
 * Athena (it writes its results to S3) and Security Hub (the one write to AWS).
 */
const OPT_IN_POLICIES: Record<string, string> = {
  athena: 'kms-report-athena-policy.json',
  securityhub: 'kms-report-security-hub-policy.json',
};

async function grantedBy(file: string): Promise<Set<string>> {
  const policy = JSON.parse(await readFile(join(root, 'iam', file), 'utf8')) as {
    Statement: { Effect: string; Action: string[] }[];
  };
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** Every `XCommand` the library imports from an AWS SDK client, as an IAM action. */
async function actionsCalled(): Promise<Set<string>> {
  const actions = new Set<string>();
  for (const file of await sourceFiles(join(root, 'src'))) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z-]+)'/g)) {
      const prefix = SERVICE_PREFIX[m[2] as string];
      for (const name of (m[1] as string).split(',').map((s) => s.trim())) {
        const command = /^(\w+)Command$/.exec(name);
        // S3's ListObjectsV2 is authorised by the s3:ListBucket action.
        const action = command?.[1] === 'ListObjectsV2' ? 'ListBucket' : command?.[1];
        if (action && prefix) actions.add(`${prefix}:${action}`);
      }
    }
  }
  return actions;
}

describe('the shipped IAM policy', () => {
  it('grants every AWS action the code can call but the opt-in ones (Athena, Security Hub), and only read actions', async () => {
    const granted = await grantedBy('kms-report-policy.json');
    const called = [...(await actionsCalled())].filter(
      (a) => !((a.split(':')[0] as string) in OPT_IN_POLICIES),
    );
    expect(called.length).toBeGreaterThan(5);
    expect(called.filter((a) => !granted.has(a))).toEqual([]);
    expect([...granted].filter((a) => (a.split(':')[0] as string) in OPT_IN_POLICIES)).toEqual([]);
    // sts:AssumeRole changes nothing: it enters the read-only role of each account of an organisation report.
    for (const action of granted)
      if (action !== 'sts:AssumeRole') expect(action).toMatch(/:(List|Get|Describe|Lookup)\w+$/);
  });

  it('grants --security-hub, in a policy of its own, exactly the Security Hub actions the code calls', async () => {
    const granted = await grantedBy('kms-report-security-hub-policy.json');
    const called = [...(await actionsCalled())].filter((a) => a.startsWith('securityhub:'));
    expect(called.sort()).toEqual([...SECURITY_HUB_ACTIONS].sort());
    expect([...granted].sort()).toEqual([...SECURITY_HUB_ACTIONS].sort());
  });

  it('grants the opt-in services their calls in their own policy (Athena: queries and their result location)', async () => {
    const called = [...(await actionsCalled())];
    for (const [service, path] of Object.entries(OPT_IN_POLICIES)) {
      const granted = await grantedBy(path);
      const calls = called.filter((a) => a.startsWith(`${service}:`));
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((a) => !granted.has(a))).toEqual([]);
    }
  });

  it("lets --security-hub import into the account's own product in every partition (aws, aws-cn, aws-us-gov)", async () => {
    const policy = JSON.parse(
      await readFile(join(root, 'iam', 'kms-report-security-hub-policy.json'), 'utf8'),
    ) as { Statement: { Action: string[]; Resource: string }[] };
    const resource = policy.Statement.find((st) => st.Action.includes('securityhub:BatchImportFindings'))
      ?.Resource as string;
    // IAM's match: `*` any run of characters within a segment (none of the ARNs here has a colon past the account).
    const pattern = new RegExp(`^${resource.split('*').map(escapeRegExp).join('[^:]*')}$`);
    for (const [partition, region] of [
      ['aws', 'eu-west-1'],
      ['aws-cn', 'cn-north-1'],
      ['aws-us-gov', 'us-gov-west-1'],
    ] as const)
      expect(asffProductArn(partition, region, '111122223333')).toMatch(pattern);
    expect('arn:aws:securityhub:eu-west-1::product/aws/guardduty').not.toMatch(pattern);
  });

  it('never lets the library call a cryptographic or mutating KMS operation', async () => {
    const kms = [...(await actionsCalled())].filter((a) => a.startsWith('kms:'));
    for (const action of kms) expect(action).toMatch(/^kms:(List|Get|Describe)\w+$/);
  });
});
