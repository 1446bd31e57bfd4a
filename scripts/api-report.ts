// The public API as API Extractor reports it, one report per entry point of package.json
// "exports" (api/kms-report.api.md for the root, api/kms-report-<subpath>.api.md for each
// subpath). Reads the declarations of `npm run build` (dist/).
//
//   npm run api        regenerates the reports: a change to the surface, made on purpose
//   npm run api:check  fails, naming each entry whose surface changed and showing the diff, when
//                      the reports are not what the build exports (CI: scripts/check.sh)
//
// Both fail on API Extractor's errors, e.g. a public signature using a type its entry does not
// export (ae-forgotten-export): export the type from that entry, or stop using it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG_FILE = join(ROOT, 'api-extractor.json');
const PACKAGE_FILE = join(ROOT, 'package.json');
const REPORT_DIR = join(ROOT, 'api');
const TEMP_DIR = join(REPORT_DIR, 'temp');
const local = process.argv.includes('--local');

interface Entry {
  /** The subpath as a user imports it: `kms-report`, `kms-report/pricing`. */
  readonly specifier: string;
  /** The declarations the subpath's `types` condition names, e.g. `./dist/entry/pricing.d.ts`. */
  readonly types: string;
  /** The report's base name: `kms-report`, `kms-report-pricing`. */
  readonly report: string;
}

/** Every subpath of package.json "exports" with a `types` condition: the package's entry points. */
function entries(): Entry[] {
  const pkg = JSON.parse(readFileSync(PACKAGE_FILE, 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
    if (typeof target === 'string' || !target.types) return [];
    const rest = subpath.replace(/^\.\/?/, '');
    return [
      {
        specifier: rest ? `${pkg.name}/${rest}` : pkg.name,
        types: target.types,
        report: rest ? `${pkg.name}-${rest.replaceAll('/', '-')}` : pkg.name,
      },
    ];
  });
}

/** Runs API Extractor on one entry; returns false when it failed or (check mode) the report differs. */
function extract(entry: Entry): boolean {
  const types = join(ROOT, entry.types);
  if (!existsSync(types)) {
    console.error(`${entry.specifier}: ${entry.types} does not exist; run npm run build first`);
    return false;
  }
  const base = ExtractorConfig.loadFile(CONFIG_FILE);
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: types,
      apiReport: { ...base.apiReport, enabled: true, reportFileName: entry.report },
    },
    configObjectFullPath: CONFIG_FILE,
    packageJsonFullPath: PACKAGE_FILE,
  });
  const result = Extractor.invoke(config, {
    localBuild: local,
    messageCallback(message) {
      // Errors are printed with the entry they belong to; the rest (progress, and the report's
      // own "changed" warning, replaced by the diff below) is left out.
      if (message.logLevel === ExtractorLogLevel.Error)
        console.error(`${entry.specifier}: ${message.formatMessageWithLocation(ROOT)}`);
      message.handled = true;
    },
  });
  if (result.errorCount > 0) {
    console.error(`${entry.specifier}: API Extractor reported ${result.errorCount} error(s) (above)`);
    return false;
  }
  const report = `${entry.report}.api.md`;
  if (local) {
    console.log(`${entry.specifier}: api/${report}${result.apiReportChanged ? ' updated' : ' unchanged'}`);
    return true;
  }
  if (!result.apiReportChanged) return true;
  console.error(
    `\n${entry.specifier}: the public API changed and api/${report} was not updated.\n` +
      'If the change is deliberate, run `npm run api` and commit the report; otherwise undo it.\n',
  );
  showDiff(join(REPORT_DIR, report), join(TEMP_DIR, report));
  return false;
}

function showDiff(committed: string, built: string): void {
  try {
    execFileSync(
      'git',
      ['diff', '--no-index', '--no-color', '--', relative(ROOT, committed), relative(ROOT, built)],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  } catch {
    // git diff exits 1 when the files differ: the diff is already printed.
  }
}

/** Reports of entry points that no longer exist: deleted (npm run api) or a failure (check). */
function staleReports(all: readonly Entry[]): boolean {
  const expected = new Set(all.map((entry) => `${entry.report}.api.md`));
  const stale = readdirSync(REPORT_DIR).filter((name) => name.endsWith('.api.md') && !expected.has(name));
  for (const name of stale) {
    if (local) {
      rmSync(join(REPORT_DIR, name));
      console.log(`api/${name} deleted: its entry point is no longer in package.json "exports"`);
    } else console.error(`api/${name}: no such entry point in package.json "exports"; run npm run api`);
  }
  return local || stale.length === 0;
}

const all = entries();
let ok = true;
for (const entry of all) ok = extract(entry) && ok;
ok = staleReports(all) && ok;
rmSync(TEMP_DIR, { recursive: true, force: true });
if (!ok) process.exit(1);
if (!local) console.log(`API reports match the build: ${all.map((entry) => entry.specifier).join(', ')}`);
