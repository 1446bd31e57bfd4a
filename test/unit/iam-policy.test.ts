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
};

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
    const called = await actionsCalled();
    expect(called.size).toBeGreaterThan(5);
    expect([...called].filter((a) => !granted.has(a))).toEqual([]);
    // sts:AssumeRole changes nothing: it enters the read-only role of each account of an organisation report.
    for (const action of granted)
      if (action !== 'sts:AssumeRole') expect(action).toMatch(/:(List|Get|Describe|Lookup)\w+$/);
  });

  it('never lets the library call a cryptographic or mutating KMS operation', async () => {
    const kms = [...(await actionsCalled())].filter((a) => a.startsWith('kms:'));
    for (const action of kms) expect(action).toMatch(/^kms:(List|Get|Describe)\w+$/);
  });
});
