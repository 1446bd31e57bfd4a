import { Worker } from 'node:worker_threads';

/** The line prefix a benchmark child writes its JSON result after (stdout). */
export const RESULT_MARKER = '@@kms-report-bench@@';

/** Sends a child's result to bench/run.ts. */
export function emit(result: unknown): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

export const nowMs = (): number => performance.now();

const mb = (bytes: number) => bytes / (1024 * 1024);

/**
 * Peak resident memory of this process during a phase. A worker thread samples
 * `process.memoryUsage.rss()` (process-wide) every few milliseconds into shared memory, so
 * the peak is seen even while the main thread is busy in synchronous code (JSON.parse,
 * rendering). `process.resourceUsage().maxRSS` is the whole run's high-water mark; this one
 * can be reset at the start of the measured phase.
 */
export interface RssSampler {
  /** Starts a phase: the peak restarts from the current RSS. Returns that RSS (MiB). */
  mark(): number;
  /** The peak RSS (MiB) since the last mark. */
  peak(): number;
  stop(): Promise<void>;
}

export function startRssSampler(intervalMs = 5): RssSampler {
  // Peak RSS in KiB at index 0; 1 at index 1 asks the worker to stop.
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const code = `
    const { workerData } = require('node:worker_threads');
    const a = workerData.shared;
    const tick = () => {
      const kib = Math.round(process.memoryUsage.rss() / 1024);
      for (;;) {
        const cur = Atomics.load(a, 0);
        if (kib <= cur || Atomics.compareExchange(a, 0, cur, kib) === cur) break;
      }
      if (Atomics.load(a, 1) === 0) setTimeout(tick, workerData.intervalMs);
    };
    tick();
  `;
  const worker = new Worker(code, { eval: true, workerData: { shared, intervalMs } });
  worker.unref();
  const current = () => Math.round(process.memoryUsage.rss() / 1024);
  return {
    mark() {
      const kib = current();
      Atomics.store(shared, 0, kib);
      return kib / 1024;
    },
    peak() {
      const kib = Math.max(Atomics.load(shared, 0), current());
      return kib / 1024;
    },
    async stop() {
      Atomics.store(shared, 1, 1);
      await worker.terminate();
    },
  };
}

/** The process's RSS high-water mark so far, MiB. */
export const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export const rssMb = (): number => mb(process.memoryUsage.rss());

/** Reads `--name value` and `--flag` arguments. */
export function args(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), 'true');
  }
  return out;
}

export function numberArg(map: Map<string, string>, name: string, fallback: number): number {
  const v = map.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

/** Forces a full GC when the child runs with --expose-gc (the runner passes it). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
