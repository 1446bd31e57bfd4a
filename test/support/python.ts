import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The tests' Python (the virtual environment `npm run setup:moto` makes, with jsonschema and botocore). */
export const TEST_PYTHON = resolve(process.env.TEST_PYTHON ?? '.venv/bin/python');
const SCHEMAS = resolve(__dirname, 'schemas');

export interface SchemaCheck {
  readonly count: number;
  readonly errors: readonly unknown[];
}

/**
 * Runs one of test/support/schemas/*.py on `items` (written to a file as a JSON array) and returns
 * what it found. Fails naming the install command when the virtual environment is missing.
 */
export async function validateWithPython(
  script: string,
  items: unknown,
  ...args: string[]
): Promise<SchemaCheck> {
  if (!existsSync(TEST_PYTHON))
    throw new Error(
      `${TEST_PYTHON} does not exist: the findings formats are validated with Python's jsonschema and botocore.\n` +
        'Install them with:  npm run setup:moto   (creates .venv from test/requirements.txt)',
    );
  const dir = await mkdtemp(join(tmpdir(), 'kms-report-schema-'));
  const file = join(dir, 'items.json');
  await writeFile(file, typeof items === 'string' ? items : JSON.stringify(items));
  const { stdout } = await promisify(execFile)(TEST_PYTHON, [join(SCHEMAS, script), ...args, file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as SchemaCheck;
}

/** The OCSF 1.8.0 JSON Schema of class 2003 (Compliance Finding) with the cloud profile. */
export const OCSF_COMPLIANCE_FINDING_SCHEMA = resolve(
  __dirname,
  '../fixtures/ocsf/1.8.0/compliance_finding.cloud.schema.json',
);
