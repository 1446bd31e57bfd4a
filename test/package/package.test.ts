import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user gets from the registry: `npm pack` (which builds on prepack) into a temporary
 * folder, the tarball installed into a scratch project with its dependencies from the npm
 * registry, then used there as a user would: imported, required, type-checked, run.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PACKAGE = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/**
 * The environment without what npm sets for the script that started this test (npm run check,
 * npx vitest): the consumer's npm must not see this project as its prefix or package.
 */
const USER_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|INIT_CWD$)/.test(name),
  ),
);

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end and returns what it printed; never throws. */
function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...USER_ENV, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({
          code,
          stdout,
          stderr: stderr || (error && typeof error.code !== 'number' ? String(error) : ''),
        });
      },
    );
  });
}

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');
const explain = (ran: Ran): string =>
  `exit ${ran.code}\n--- stdout\n${tail(ran.stdout)}\n--- stderr\n${tail(ran.stderr)}`;

/** npm's own words for a registry it could not reach. */
const UNREACHABLE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT)\b|network/i;

/** The subpath exports, and one call to each that needs no AWS: what a user's first line would be. */
const SUBPATHS = ['collect', 'usage', 'pricing', 'compliance', 'render', 'bill'] as const;
const SUBPATH_CALLS = `({
  collect: collect.parseRegionList('us-east-1, eu-west-1'),
  usage: usage.parseMonth('2026-10').start.toISOString(),
  pricing: pricing.sumMoney(['1.00', '0.03']),
  compliance: compliance.parseKeyPolicy('{"Version":"2012-10-17","Statement":[]}').status,
  render: render.escapeHtml('<b>'),
  bill: bill.billCategoryOf('eu-west-1-KMS-Keys').category,
  rootHasEscaper: 'escapeHtml' in root,
  rootHasQuotaShare: 'DEFAULT_QUOTA_SHARE' in root,
})`;
const SUBPATH_RESULTS = {
  collect: ['us-east-1', 'eu-west-1'],
  usage: '2026-10-01T00:00:00.000Z',
  pricing: '1.03',
  compliance: 'read',
  render: '&lt;b&gt;',
  bill: 'key-months',
  // Moved out of the root: the root keeps the stages, evidence files, model and errors.
  rootHasEscaper: false,
  rootHasQuotaShare: false,
};

let work = '';
let tarball = '';
let consumer = '';

/** Packs and installs; a failure is each test's failure (a failed beforeAll would show them as skipped). */
async function prepare(): Promise<void> {
  // First the registry, in one try: npm install retries a registry it cannot reach for many
  // minutes before it gives up.
  const ping = await run('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=60000'], tmpdir());
  if (ping.code !== 0)
    throw new Error(
      `npm could not reach the registry (npm ping). This test installs the packed tarball as a user would, with its dependencies from the registry, and does not skip: check the network, a proxy or .npmrc "registry".\n${explain(ping)}`,
    );

  work = await mkdtemp(join(tmpdir(), 'kms-report-package-'));
  const packed = await run('npm', ['pack', '--pack-destination', work], ROOT);
  if (packed.code !== 0)
    throw new Error(`npm pack (which builds on prepack) failed in ${ROOT}:\n${explain(packed)}`);
  const tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1)
    throw new Error(`npm pack wrote ${tarballs.length} tarballs to ${work}: ${tarballs}`);
  tarball = join(work, tarballs[0] as string);

  consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true })}\n`);
  const installed = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball],
    consumer,
  );
  if (installed.code !== 0) {
    const why = UNREACHABLE.test(installed.stderr)
      ? 'npm could not reach the registry to fetch kms-report\'s dependencies. This test installs the packed tarball as a user would and needs the npm registry (check the network, a proxy or .npmrc "registry"); it does not skip'
      : 'npm install of the packed tarball failed';
    throw new Error(`${why}:\n${explain(installed)}`);
  }
}

let prepared: Promise<void> = Promise.resolve();
beforeAll(async () => {
  prepared = prepare();
  await prepared.catch(() => undefined);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships exactly what a user needs: the bin, the build without maps, the data it reads, the README', async () => {
    await prepared;
    const listed = await run('tar', ['-tzf', tarball], work);
    expect(listed.code, explain(listed)).toBe(0);
    const files = listed.stdout
      .split('\n')
      .filter(Boolean)
      .map((path) => path.replace(/^package\//, ''));
    const top = [...new Set(files.map((path) => path.split('/')[0]))].sort();
    const expected = ['README.md', 'bin', 'demo', 'dist', 'iam', 'package.json', 'pricing', 'schema'];
    if (existsSync(join(ROOT, 'LICENSE'))) expected.push('LICENSE');
    expect(top).toEqual(expected.sort());
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/kms-report.js',
        'dist/index.js',
        'dist/index.d.ts',
        ...SUBPATHS.flatMap((subpath) => [`dist/entry/${subpath}.js`, `dist/entry/${subpath}.d.ts`]),
        'dist/cli/main.js',
        'dist/usage/trail-worker.js',
        'pricing/aws-kms.2024-04-01.json',
        'schema/snapshot.schema.json',
        'schema/usage.schema.json',
        'iam/kms-report-policy.json',
        // The demo's bill (a CUR 2.0 export), read by --demo.
        'demo/cur/kms-report-demo/data/BILLING_PERIOD=2026-10/kms-report-demo-00001.snappy.parquet',
        'demo/cur/kms-report-demo/metadata/BILLING_PERIOD=2026-10/kms-report-demo-Manifest.json',
      ]),
    );
    // Source maps would point at src/, which does not ship; tests do not ship either.
    expect(files.filter((path) => /\.map$|\.test\.|^src\/|^test\//.test(path))).toEqual([]);
    const installed = join(consumer, 'node_modules', 'kms-report', 'dist', 'index.js');
    expect(await readFile(installed, 'utf8')).not.toContain('sourceMappingURL');
  });

  it('imports as ESM, and finds its pricing tables and schemas wherever it is installed', async () => {
    await prepared;
    const cwd = join(consumer, 'elsewhere');
    await mkdir(cwd, { recursive: true });
    const script = `
      const kms = await import('kms-report');
      const schema = await import('kms-report/schema/snapshot.schema.json', { with: { type: 'json' } });
      const tables = await kms.loadPricingTables();
      console.log(JSON.stringify({
        version: kms.TOOL_VERSION,
        functions: ['runMonthlyReport', 'collectInventory', 'priceMonth', 'runCompliance', 'writeReportSet']
          .filter((name) => typeof kms[name] === 'function'),
        tables: tables.length,
        schema: typeof schema.default.$schema,
      }));`;
    const ran = await run('node', ['--input-type=module', '-e', script], cwd);
    expect(ran.code, explain(ran)).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      version: PACKAGE.version,
      functions: ['runMonthlyReport', 'collectInventory', 'priceMonth', 'runCompliance', 'writeReportSet'],
      tables: expect.any(Number),
      schema: 'string',
    });
    expect(JSON.parse(ran.stdout).tables).toBeGreaterThan(0);
  });

  it('requires from CommonJS (require of ESM, Node 20.19+)', async () => {
    await prepared;
    const script = `
      const kms = require('kms-report');
      console.log(JSON.stringify({ version: kms.TOOL_VERSION, run: typeof kms.runMonthlyReport, error: new kms.InputError('--month', 'bad') instanceof kms.KmsReportError }));`;
    const ran = await run('node', ['-e', script], consumer);
    expect(ran.code, explain(ran)).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ version: PACKAGE.version, run: 'function', error: true });
  });

  it('imports each subpath export as ESM, and the root no longer has what moved there', async () => {
    await prepared;
    const imports = SUBPATHS.map((subpath) => `const ${subpath} = await import('kms-report/${subpath}');`);
    const script = `const root = await import('kms-report');\n${imports.join('\n')}\nconsole.log(JSON.stringify(${SUBPATH_CALLS}));`;
    const ran = await run('node', ['--input-type=module', '-e', script], consumer);
    expect(ran.code, explain(ran)).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual(SUBPATH_RESULTS);
  });

  it('requires each subpath export from CommonJS', async () => {
    await prepared;
    const requires = SUBPATHS.map((subpath) => `const ${subpath} = require('kms-report/${subpath}');`);
    const script = `const root = require('kms-report');\n${requires.join('\n')}\nconsole.log(JSON.stringify(${SUBPATH_CALLS}));`;
    const ran = await run('node', ['-e', script], consumer);
    expect(ran.code, explain(ran)).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual(SUBPATH_RESULTS);
  });

  it('type-checks a consumer under module and moduleResolution nodenext, ESM and CommonJS', async () => {
    await prepared;
    await writeFile(
      join(consumer, 'esm.mts'),
      `import { InputError, type MonthlyReportResult, runMonthlyReport, TOOL_VERSION } from 'kms-report';
import snapshotSchema from 'kms-report/schema/snapshot.schema.json' with { type: 'json' };
import { escapeHtml } from 'kms-report/render';
import { type Money, sumMoney } from 'kms-report/pricing';
// @ts-expect-error escapers live in kms-report/render, not in the root
import { escapeMarkdown } from 'kms-report';

const version: string = TOOL_VERSION;
// @ts-expect-error TOOL_VERSION is a string: the types are real, not any
const notANumber: number = TOOL_VERSION;
export async function demo(outDir: string): Promise<string> {
  const result: MonthlyReportResult = await runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: outDir } });
  return result.dir;
}
const total: Money = sumMoney(['1.00']);
export const seen = [version, notANumber, snapshotSchema, new InputError('--month', 'bad').input, escapeHtml, total, escapeMarkdown];
`,
    );
    await writeFile(
      join(consumer, 'cjs.cts'),
      `import kms = require('kms-report');
import compliance = require('kms-report/compliance');

const version: string = kms.TOOL_VERSION;
// @ts-expect-error the types are real, not any
const notANumber: number = kms.TOOL_VERSION;
export const seen = [version, notANumber, kms.runMonthlyReport, compliance.parseKeyPolicy('{}').status];
`,
    );
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        resolveJsonModule: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['esm.mts', 'cjs.cts'],
    };
    await writeFile(join(consumer, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const ran = await run('node', [TSC, '-p', 'tsconfig.json'], consumer);
    expect(ran.code, explain(ran)).toBe(0);
  });

  it('runs the bin: npx kms-report --help, --version and --demo with a report set that verifies', async () => {
    await prepared;
    const help = await run('npx', ['--no', '--', 'kms-report', '--help'], consumer);
    expect(help.code, explain(help)).toBe(0);
    expect(help.stdout).toContain('Usage: kms-report');

    const version = await run('npx', ['--no', '--', 'kms-report', '--version'], consumer);
    expect(version.stdout.trim(), explain(version)).toBe(PACKAGE.version);

    const demo = await run('npx', ['--no', '--', 'kms-report', '--demo'], consumer);
    expect(demo.code, explain(demo)).toBe(0);
    const dir = join(consumer, 'reports', '111122223333', '2026-10');
    expect(demo.stdout).toContain('111122223333');
    const sums = (await readFile(join(dir, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    const names = sums.map((line) => line.slice(66));
    expect(names).toEqual(
      expect.arrayContaining(['report.md', 'keys.csv', 'costs.csv', 'findings.csv', 'report.json']),
    );
    for (const line of sums) {
      const [hash, name] = [line.slice(0, 64), line.slice(66)];
      const actual = createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex');
      expect(actual, `${name} in SHA256SUMS`).toBe(hash);
    }
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toContain(
      '# KMS cost and compliance: October 2026',
    );
  });
});
