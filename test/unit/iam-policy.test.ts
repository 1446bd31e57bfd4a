import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
  'client-athena': 'athena',
};

/** Services whose calls are opt-in and granted by their own policy file, not the read-only one. */
const OPT_IN_POLICIES: Record<string, string> = { athena: 'iam/kms-report-athena-policy.json' };

async function grantedBy(path: string): Promise<Set<string>> {
  const policy = JSON.parse(await readFile(join(root, path), 'utf8')) as {
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
  it('grants every AWS action the code can call, and only read actions', async () => {
    const policy = JSON.parse(await readFile(join(root, 'iam/kms-report-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[] }[];
    };
    const granted = new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    const called = [...(await actionsCalled())].filter(
      (a) => !((a.split(':')[0] as string) in OPT_IN_POLICIES),
    );
    expect(called.length).toBeGreaterThan(5);
    expect(called.filter((a) => !granted.has(a))).toEqual([]);
    // sts:AssumeRole changes nothing: it enters the read-only role of each account of an organisation report.
    for (const action of granted)
      if (action !== 'sts:AssumeRole') expect(action).toMatch(/:(List|Get|Describe|Lookup)\w+$/);
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

  it('never lets the library call a cryptographic or mutating KMS operation', async () => {
    const kms = [...(await actionsCalled())].filter((a) => a.startsWith('kms:'));
    for (const action of kms) expect(action).toMatch(/^kms:(List|Get|Describe)\w+$/);
  });
});
