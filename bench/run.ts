/**
 * kms-report's benchmarks (issue 8): `npm run bench [-- [--quick] [names...]]`.
 *
 * Names: inventory, cloudtrail, callers, lookup, render, monthly, cur (default: all). Each measurement runs in its own
 * child process (its own peak RSS), against load models on 127.0.0.1 only, bounded in count
 * and time. Prints tables; writes nothing but temporary folders (trail log files, the end-to-end
 * evidence and report sets), removed at the end.
 * See bench/README.md for the method, the formulas and the figures.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCurParquet } from '../test/support/cur-fixtures.js';
import { RESULT_MARKER } from './lib/measure.js';
import { fmt, formatTable } from './lib/table.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const ALL = ['inventory', 'cloudtrail', 'callers', 'lookup', 'render', 'monthly', 'cur'] as const;
const named = argv.filter((a) => !a.startsWith('--'));
for (const n of named)
  if (!(ALL as readonly string[]).includes(n))
    throw new Error(`unknown benchmark ${n}; known: ${ALL.join(', ')}`);
const selected = named.length ? ALL.filter((n) => named.includes(n)) : [...ALL];

/** Runs one case in a child process; returns its JSON result. */
function runCase<T>(script: string, args: string[], timeoutMs: number, nodeFlags: string[] = []): Promise<T> {
  const path = fileURLToPath(new URL(`./cases/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--expose-gc', '--import', 'tsx', path, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} took longer than ${timeoutMs / 1000} s; stopped`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || !line)
        return reject(new Error(`${script} ${args.join(' ')} exited with ${code}\n${out}`));
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as T);
    });
  });
}

const say = (text: string) => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`  … ${text}\n`);
const started = performance.now();

say(
  `kms-report benchmarks${quick ? ' (--quick)' : ''}: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
);

// ---------------------------------------------------------------- inventory
interface InventoryResult {
  keysPerRegion: number;
  regions: number;
  share: number;
  latency: number;
  lastUsage: boolean;
  wallMs: number;
  boundMs: number;
  quotaBoundMs: number;
  ratio: number;
  callsPerKey: number;
  throttles: number;
  retries: number;
  unneeded: number;
  missing: number;
  gaps: number;
  cpuCores: number;
  cpuUsPerCall: number;
  peakRssMb: number;
  baselineRssMb: number;
  regionFigures: { region: string; boundApi: string; calls: Record<string, number> }[];
}

async function inventory() {
  const sizes = quick ? [500] : [1000, 10_000];
  const runs: InventoryResult[] = [];
  for (const keys of sizes)
    for (const share of [0.5, 1]) {
      progress(`inventory: ${keys} keys × 2 regions, quotaShare ${share}`);
      runs.push(
        await runCase<InventoryResult>(
          'inventory.ts',
          ['--keys', String(keys), '--share', String(share)],
          900_000,
        ),
      );
    }
  const lastUsageKeys = quick ? 10 : 100;
  progress(`inventory: GetKeyLastUsage on, ${lastUsageKeys} keys × 2 regions`);
  runs.push(
    await runCase<InventoryResult>(
      'inventory.ts',
      ['--keys', String(lastUsageKeys), '--share', '0.5', '--last-usage'],
      300_000,
    ),
  );
  say('');
  say(
    formatTable(
      'Inventory collection: collectKmsRegion × 2 regions in parallel against the KMS load model (20 ms per call, token buckets at the documented quotas)',
      [
        'keys/region',
        'share',
        'lastUsage',
        'wall',
        'bound',
        'ratio',
        'bound@quota',
        'busiest API',
        'calls/key',
        'unneeded',
        'throttles',
        'client CPU',
        'CPU/call',
        'peak RSS',
      ],
      runs.map((r) => [
        fmt.n(r.keysPerRegion),
        String(r.share),
        r.lastUsage ? 'on' : 'off',
        fmt.s(r.wallMs),
        fmt.s(r.boundMs),
        fmt.x(r.ratio),
        fmt.s(r.quotaBoundMs),
        r.regionFigures[0]?.boundApi ?? '',
        fmt.f(r.callsPerKey),
        fmt.n(r.unneeded),
        `${r.throttles}`,
        `${fmt.f(r.cpuCores)} cores`,
        `${fmt.n(r.cpuUsPerCall)} µs`,
        fmt.mb(r.peakRssMb),
      ]),
    ),
  );
  say(
    [
      '  bound = max over regions (they run in parallel) of max( max over APIs of calls(API) / allowed rate(API),',
      '          latency × max(ListKeys pages + 2, ListAliases pages) ); allowed rate = quota × share (GetKeyLastUsage: its full 5/s, by design).',
      '  bound@quota: the same with the documented quotas themselves (what AWS allows). ratio = wall / bound. unneeded = calls beyond what',
      "  the report needs for the model's keys (list pages + the calls applicability() asks for). throttles = ThrottlingException answers.",
      `  gaps: ${runs.map((r) => r.gaps).join(', ')}; missing calls: ${runs.map((r) => r.missing).join(', ')}.`,
    ].join('\n'),
  );
}

// ---------------------------------------------------------------- cloudtrail
interface CloudTrailResult {
  mode: string;
  files: number;
  records: number;
  ms: number;
  eventsPerSecond: number;
  cpuCores: number;
  peakRssMb: number;
  baselineRssMb: number;
  status?: string;
  perKeyRows?: number;
}

async function cloudtrail() {
  const events = quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'kms-report-bench-trail-'));
  try {
    progress(`cloudtrail: writing ${fmt.n(events)} KMS events in gzip trail files to ${dir}`);
    const gen = await runCase<{ files: number; gzBytes: number; ms: number }>(
      'cloudtrail-generate.ts',
      ['--dir', dir, '--events', String(events), '--per-file', '1000'],
      600_000,
    );
    // The project as it runs by default (counting on worker threads), then on the calling thread alone.
    const runs = [
      { label: 'floor: gunzip + JSON.parse', args: ['--mode', 'floor'] },
      { label: 'collectS3TrailLogs (default: worker threads)', args: ['--mode', 'project'] },
      { label: 'collectS3TrailLogs, workers: 0 (one thread)', args: ['--mode', 'project', '--workers', '0'] },
    ];
    const results: CloudTrailResult[] = [];
    for (const run of runs) {
      progress(`cloudtrail: ${run.label}`);
      results.push(await runCase<CloudTrailResult>('cloudtrail.ts', ['--dir', dir, ...run.args], 600_000));
    }
    const [floor, project, oneThread] = results as [CloudTrailResult, CloudTrailResult, CloudTrailResult];
    say('');
    say(
      formatTable(
        `CloudTrail aggregation: ${fmt.n(events)} KMS events in ${fmt.n(gen.files)} gzip files (${fmt.mb(gen.gzBytes / 1048576)} on disk), read from disk`,
        ['path', 'time', 'events/s', 'CPU', 'peak RSS', 'RSS at start'],
        results.map((r, i) => [
          runs[i]?.label ?? r.mode,
          fmt.s(r.ms),
          fmt.n(r.eventsPerSecond),
          `${fmt.f(r.cpuCores)} cores`,
          fmt.mb(r.peakRssMb),
          fmt.mb(r.baselineRssMb),
        ]),
      ),
    );
    say(
      `  ratio (time, project / floor): ${fmt.x(project.ms / floor.ms)} (one thread: ${fmt.x(oneThread.ms / floor.ms)}); coverage ${project.status}, ${fmt.n(project.perKeyRows ?? 0)} per-key rows.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- lookup
interface LookupResult {
  pages: number;
  expectedPages: number;
  status: string;
  ms: number;
  requests: number;
  achievedRate: number;
  allowedRate: number;
  minGapMs: number;
  throttles: number;
  peakRssMb: number;
}

async function lookup() {
  const variants = quick
    ? [{ pages: 120, burst: 2 }]
    : [
        { pages: 200, burst: 2 },
        { pages: 20, burst: 1 },
      ];
  const rows: LookupResult[] = [];
  for (const v of variants) {
    progress(`lookup: ${v.pages} pages, endpoint allows 2 req/s, bucket of ${v.burst}`);
    rows.push(
      await runCase<LookupResult>(
        'lookup-events.ts',
        ['--pages', String(v.pages), '--burst', String(v.burst)],
        600_000,
      ),
    );
  }
  say('');
  say(
    formatTable(
      'LookupEvents pacing: collectLookupEvents against a CloudTrail endpoint allowing 2 requests/s (20 ms per call)',
      ['endpoint bucket', 'pages', 'time', 'requests', 'achieved rate', 'min gap', 'throttles', 'peak RSS'],
      rows.map((r, i) => [
        `${variants[i]?.burst} request${variants[i]?.burst === 1 ? '' : 's'}`,
        `${r.pages}/${r.expectedPages}`,
        fmt.s(r.ms),
        fmt.n(r.requests),
        `${fmt.f(r.achievedRate, 3)}/s`,
        fmt.ms(r.minGapMs),
        fmt.n(r.throttles),
        fmt.mb(r.peakRssMb),
      ]),
    ),
  );
  say(
    '  achieved rate = (accepted requests − 1) / time from the first to the last, as the endpoint saw them. A bucket of 2 allows a burst of\n  2 (one second of quota); a bucket of 1 refuses any two requests less than 500 ms apart.',
  );
}

// ---------------------------------------------------------------- render
interface RenderFigures {
  times: Record<string, number>;
  sizes: Record<string, number>;
  baselineRssMb: number;
  peakRssMb: number;
}
interface RenderResult {
  keys: number;
  findings: number;
  costLines: number;
  project: RenderFigures;
  write: { ms: number; bytes: number; baselineRssMb: number; peakRssMb: number } | null;
  floor: RenderFigures & { identical: boolean; blockTimes: Record<string, number> };
}

async function render() {
  // The floor is csv-stringify writing each file in one call: findings.csv of 100,000 keys
  // (~9 KB a key) is longer than V8's longest string (2^29 − 24 characters), so that floor is
  // measured on 20,000 keys; the project itself renders and writes all 100,000.
  const plans = quick
    ? [{ keys: 5000, outputs: 'md,keys,costs,findings', floor: 'keys,costs,findings', write: true }]
    : [
        { keys: 100_000, outputs: 'md,keys,costs,findings', floor: 'keys,costs', write: true },
        { keys: 20_000, outputs: 'findings', floor: 'findings', write: false },
      ];
  const rows: string[][] = [];
  for (const plan of plans) {
    progress(`render: ${fmt.n(plan.keys)} keys, ${plan.outputs}`);
    const r = await runCase<RenderResult>(
      'render.ts',
      [
        '--keys',
        String(plan.keys),
        '--outputs',
        plan.outputs,
        '--floor',
        plan.floor,
        ...(plan.write ? ['--write'] : []),
      ],
      600_000,
      // Node's default heap: the job's own setting.
      [],
    );
    const p = { ...r.project, keys: r.keys, findings: r.findings, costLines: r.costLines };
    const f = r.floor;
    for (const name of Object.keys(p.times)) {
      const floorMs = f.times[name];
      const blockMs = f.blockTimes[name];
      rows.push([
        name,
        fmt.n(p.keys),
        name === 'findings.csv'
          ? fmt.n(p.findings)
          : name === 'costs.csv'
            ? fmt.n(p.costLines)
            : name === 'keys.csv'
              ? fmt.n(p.keys)
              : '',
        fmt.mb((p.sizes[name] ?? 0) / 1048576),
        fmt.ms(p.times[name] ?? 0),
        floorMs === undefined ? '' : fmt.ms(floorMs),
        floorMs === undefined ? '' : fmt.x((p.times[name] ?? 0) / floorMs),
        blockMs === undefined ? '' : fmt.ms(blockMs),
        blockMs === undefined ? '' : fmt.x((p.times[name] ?? 0) / blockMs),
      ]);
    }
    const csv = Object.keys(f.times);
    const projectCsv = csv.reduce((n, k) => n + (p.times[k] ?? 0), 0);
    const floorCsv = csv.reduce((n, k) => n + (f.times[k] ?? 0), 0);
    const blockCsv = csv.reduce((n, k) => n + (f.blockTimes[k] ?? 0), 0);
    rows.push([
      'all CSV above',
      fmt.n(p.keys),
      '',
      '',
      fmt.ms(projectCsv),
      fmt.ms(floorCsv),
      fmt.x(projectCsv / floorCsv),
      fmt.ms(blockCsv),
      fmt.x(projectCsv / blockCsv),
    ]);
    rows.push([
      `peak RSS (rendering)`,
      fmt.n(p.keys),
      '',
      '',
      `${fmt.mb(p.peakRssMb)} (+${fmt.mb(p.peakRssMb - p.baselineRssMb)})`,
      `${fmt.mb(f.peakRssMb)} (+${fmt.mb(f.peakRssMb - f.baselineRssMb)})`,
      f.identical ? 'rows identical' : 'ROWS DIFFER',
      '',
      '',
    ]);
    if (r.write)
      rows.push([
        'written (writeReportSet)',
        fmt.n(p.keys),
        '',
        fmt.mb(r.write.bytes / 1048576),
        `${fmt.ms(r.write.ms)}, ${fmt.mb(r.write.peakRssMb)} (+${fmt.mb(r.write.peakRssMb - r.write.baselineRssMb)})`,
        '',
        '',
        '',
        '',
      ]);
  }
  say('');
  say(
    formatTable(
      "Rendering: the project's renderers against csv-stringify alone writing the same rows (the floor)",
      [
        'output',
        'keys',
        'rows',
        'size',
        'renderer',
        'floor: 1 call',
        'ratio',
        'floor: 512-row calls',
        'ratio',
      ],
      rows,
    ),
  );
  say(
    '  peak RSS: the process during rendering, and (+) above its RSS with the report built, before rendering.\n  written: the outputs rendered, hashed, written and flushed into a report folder, as the monthly job does.',
  );
}

// ---------------------------------------------------------------- monthly (end to end)
interface MonthlyResult {
  keys: number;
  findings: number;
  wallMs: number;
  startRssMb: number;
  peakRssMb: number;
  files: { name: string; bytes: number }[];
}

async function monthly() {
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const rows: string[][] = [];
  const perKey: number[] = [];
  for (const keys of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'kms-report-bench-monthly-'));
    try {
      const snapshot = join(dir, 'snapshot.json');
      const usage = join(dir, 'usage.json');
      progress(`monthly: writing the evidence of ${fmt.n(keys)} keys to ${dir}`);
      const gen = await runCase<{
        keys: number;
        requests: number;
        snapshotBytes: number;
        usageBytes: number;
      }>('monthly-generate.ts', ['--keys', String(keys), '--snapshot', snapshot, '--usage', usage], 600_000);
      progress(`monthly: runMonthlyReport on ${fmt.n(gen.keys)} keys, every format`);
      // Node's default heap: the job's own setting.
      const r = await runCase<MonthlyResult>(
        'monthly.ts',
        ['--snapshot', snapshot, '--usage', usage, '--out', join(dir, 'reports')],
        1_800_000,
      );
      perKey.push(r.wallMs / gen.keys);
      const size = (name: string) => fmt.mb((r.files.find((f) => f.name === name)?.bytes ?? 0) / 1048576);
      rows.push([
        fmt.n(gen.keys),
        fmt.n(gen.requests),
        fmt.n(r.findings),
        fmt.s(r.wallMs),
        `${fmt.f((r.wallMs * 1000) / gen.keys, 0)} µs`,
        fmt.mb(r.peakRssMb),
        size('report.json'),
        size('findings.csv'),
        size('keys.csv'),
        size('costs.csv'),
        size('report.md'),
        size('snapshot.json'),
        size('usage.json'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  say('');
  say(
    formatTable(
      'Monthly job end to end: runMonthlyReport from a saved snapshot and usage evidence (requests on every key), every format written',
      [
        'keys',
        'request rows',
        'findings',
        'wall',
        'per key',
        'peak RSS',
        'report.json',
        'findings.csv',
        'keys.csv',
        'costs.csv',
        'report.md',
        'snapshot.json',
        'usage.json',
      ],
      rows,
    ),
  );
  say(
    `  wall: read and validate the evidence, price, judge, build, render and write every file (flushed). peak RSS: the job's process, whole run (maxRSS).${
      perKey.length > 1
        ? `\n  per-key time, largest / smallest estate: ${fmt.x((perKey.at(-1) as number) / (perKey[0] as number))}.`
        : ''
    }`,
  );
}

// ---------------------------------------------------------------- cur
interface CurResult {
  mode: string;
  rows: number;
  ms: number;
  rowsPerSecond: number;
  baselineRssMb: number;
  peakRssMb: number;
  detail: Record<string, unknown>;
}

/** readCurBill on a CUR 2.0 export of one large Parquet file (pyarrow), against reading it whole. */
async function cur() {
  const rows = quick ? 100_000 : 400_000;
  const dir = mkdtempSync(join(tmpdir(), 'kms-report-bench-cur-'));
  try {
    const folder = join(dir, 'cur', 'bench-cur', 'data', 'BILLING_PERIOD=2026-10');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'bench-cur-00001.snappy.parquet');
    progress(`cur: writing ${fmt.n(rows)} rows with pyarrow`);
    const summary = await writeCurParquet({
      out: file,
      synthetic: { rows, kmsShare: 0.25, keys: 5000, invoiceId: 'EUINGB26-1' },
      rowGroupSize: 50_000,
    });
    const table: string[][] = [];
    for (const mode of ['project', 'whole']) {
      progress(`cur: ${mode}`);
      const r = await runCase<CurResult>(
        'cur.ts',
        ['--dir', dir, '--file', file, '--mode', mode, '--rows', String(summary.rows)],
        600_000,
      );
      table.push([
        mode === 'project'
          ? 'readCurBill (row groups, ranged reads)'
          : 'whole file, every column (hyparquet)',
        fmt.n(summary.rows),
        fmt.n(summary.kms_rows),
        fmt.mb(statSync(file).size / 1048576),
        fmt.ms(r.ms),
        fmt.n(Math.round(r.rowsPerSecond)),
        fmt.mb(r.peakRssMb),
        fmt.mb(r.peakRssMb - r.baselineRssMb),
      ]);
    }
    say('');
    say(
      formatTable(
        `Reading a CUR 2.0 export for its KMS lines: one Parquet file, ${summary.row_groups} row groups, a quarter of the rows KMS`,
        ['reader', 'rows', 'KMS rows', 'file', 'wall', 'rows/s', 'peak RSS', '(+)'],
        table,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- callers
interface CallersResult {
  callers: number;
  maxCallers: number;
  records: number;
  ms: number;
  recordsPerSecond: number;
  peakRssMb: number;
  baselineRssMb: number;
  callerRows: number;
  folded: number;
  sumsEqual: boolean;
  heavy: number;
}

async function callers() {
  const n = quick ? 100_000 : 1_000_000;
  // The bound as shipped; then (quick runs only, it takes minutes at 1,000,000) no bound at all.
  const runs = [{ label: 'MAX_CALLER_ENTRIES (default)', args: [] as string[] }];
  if (quick)
    runs.push({ label: 'no bound (limit above the callers)', args: ['--max-callers', String(n + 1)] });
  const results: CallersResult[] = [];
  for (const run of runs) {
    progress(`callers: ${fmt.n(n)} distinct callers, ${run.label}`);
    results.push(await runCase<CallersResult>('callers.ts', ['--callers', String(n), ...run.args], 900_000));
  }
  say('');
  say(
    formatTable(
      `Caller counting: ${fmt.n(n)} distinct callers (+10% by three heavy callers), one aggregator`,
      [
        'limit',
        'records/s',
        'peak RSS',
        'RSS at start',
        'caller rows',
        'folded tails',
        'sums equal',
        'heavy kept',
      ],
      results.map((r, i) => [
        `${runs[i]?.label ?? ''}: ${fmt.n(r.maxCallers)}`,
        fmt.n(r.recordsPerSecond),
        fmt.mb(r.peakRssMb),
        fmt.mb(r.baselineRssMb),
        fmt.n(r.callerRows),
        fmt.n(r.folded),
        String(r.sumsEqual),
        `${fmt.n(r.heavy)} of ${fmt.n(r.callers / 10)}`,
      ]),
    ),
  );
}

const benches = { inventory, cloudtrail, callers, lookup, render, monthly, cur } as const;
for (const name of selected) await benches[name]();
say(`\nall done in ${fmt.s(performance.now() - started)}`);
