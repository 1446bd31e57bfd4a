import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { UsageSource } from '../model/usage.js';
import type { AggregatorState } from './aggregator.js';
import { FileReadError } from './trail-files.js';

/**
 * Counting a trail's log files in parallel. Decompressing, parsing and counting a file takes
 * ~15-20 ms of CPU per 1,000 events and is what bounds reading a month of logs; fetching it
 * from S3 is mostly waiting. So the fetching stays on the calling thread and the files go to
 * worker threads, each counting into its own aggregator; their states are merged at the end.
 */

/** What a counting worker is started with. */
export interface WorkerSetup {
  readonly source: UsageSource;
  readonly startMs: number;
  readonly endMs: number;
  /** Lifecycle events up to this time after the window are kept (evidence after the month). */
  readonly afterEndMs?: number;
}

export type WorkerRequest =
  | { readonly type: 'file'; readonly id: number; readonly key: string; readonly bytes: Uint8Array }
  | { readonly type: 'state' };

export type WorkerReply =
  | { readonly type: 'counted'; readonly id: number; readonly kmsEvents: number; readonly error?: undefined }
  | { readonly type: 'counted'; readonly id: number; readonly error: string }
  | { readonly type: 'state'; readonly state: AggregatorState };

/**
 * Counting threads by default: one per CPU, at most {@link MAX_COUNTING_WORKERS}; none (count on
 * the calling thread) on a single CPU, where a worker would only add its start-up.
 */
export function defaultCountingWorkers(): number {
  const cpus = availableParallelism();
  return cpus < 2 ? 0 : Math.min(cpus, MAX_COUNTING_WORKERS);
}

/** More threads than this do not pay: S3 GETs in flight ({@link DEFAULT_S3_CONCURRENCY}) feed them. */
export const MAX_COUNTING_WORKERS = 4;

/**
 * Counting threads alive in this process. Scans that run at once (regions and accounts of an
 * organisation report) share one budget, {@link defaultCountingWorkers}: a scan that starts
 * when it is spent counts on its own thread, so threads and their memory (~80 MiB each) stay
 * bounded by the CPUs however many scans run.
 */
let liveWorkers = 0;

/**
 * The worker is started from a few lines of JavaScript that load trail-worker.js (or, when
 * kms-report runs from its TypeScript sources under tsx or vitest, register tsx first and load
 * trail-worker.ts), so the same code runs built and unbuilt.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.module);
})().catch((error) => { setImmediate(() => { throw error; }); });
`;

function workerModule(): { module: string; tsx: string | null } {
  const fromSources = import.meta.url.endsWith('.ts');
  const module = new URL(fromSources ? './trail-worker.ts' : './trail-worker.js', import.meta.url).href;
  return { module, tsx: fromSources ? import.meta.resolve('tsx/esm/api') : null };
}

interface Pending {
  readonly key: string;
  resolve(kmsEvents: number): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Files this worker has counted: lost with it if it dies before its state is read. */
  readonly counted: string[];
  state: ((state: AggregatorState | null) => void) | null;
}

/**
 * A pool of counting workers for one source and window. `count` sends a file's bytes to the
 * least busy worker and resolves with the KMS events it counted (for progress), or rejects with
 * a {@link FileReadError}; `finish` collects every worker's counts and stops them.
 */
export class CountingPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private failure: string | null = null;
  /** Files whose counts were lost with a worker that failed. */
  readonly lost: string[] = [];

  /** Workers this pool holds of the process's budget (see {@link CountingPool.start}). */
  private reserved = 0;

  /**
   * A pool of up to `wanted` workers from the process's budget, or null when the budget is spent
   * (the caller then counts on its own thread).
   */
  static start(wanted: number, setup: WorkerSetup): CountingPool | null {
    const n = Math.min(wanted, defaultCountingWorkers() - liveWorkers);
    if (n <= 0) return null;
    liveWorkers += n;
    const pool = new CountingPool(n, setup);
    pool.reserved = n;
    return pool;
  }

  /** Workers that are running now in this process, from pools made by {@link CountingPool.start}. */
  static get liveWorkers(): number {
    return liveWorkers;
  }

  constructor(workers: number, setup: WorkerSetup) {
    const { module, tsx } = workerModule();
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...setup, module, tsx } });
      const slot: Slot = { worker, pending: new Map(), counted: [], state: null };
      worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
      worker.on('error', (error) => this.onFailure(error.message));
      worker.on('exit', (code) => {
        if (code !== 0 || slot.pending.size > 0 || slot.state) this.onFailure(`exited with code ${code}`);
      });
      this.slots.push(slot);
    }
  }

  /** Why a worker failed, or null. */
  get failed(): string | null {
    return this.failure;
  }

  count(key: string, bytes: Uint8Array): Promise<number> {
    if (this.failure !== null) return Promise.reject(new FileReadError(`${key}: ${this.failureMessage()}`));
    if (this.slots.length === 0)
      return Promise.reject(new FileReadError(`${key}: the counting workers were stopped`));
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    // A copy the worker can own: the SDK's array may be a view on a larger shared buffer.
    const owned = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { key, resolve, reject });
      slot.worker.postMessage({ type: 'file', id, key, bytes: owned } satisfies WorkerRequest, [
        owned.buffer,
      ]);
    });
  }

  /** Every worker's counts (once its files are done), then the workers are stopped. */
  async finish(): Promise<AggregatorState[]> {
    try {
      const states = await Promise.all(
        this.slots.map(
          (slot) =>
            new Promise<AggregatorState | null>((resolve) => {
              if (this.failure !== null) {
                resolve(null);
                return;
              }
              slot.state = resolve;
              slot.worker.postMessage({ type: 'state' } satisfies WorkerRequest);
            }),
        ),
      );
      // A worker that failed while the others were answering: their files are reported lost
      // (see onFailure), so none of their counts may be merged either.
      if (this.failure !== null) return [];
      return states.filter((s): s is AggregatorState => s !== null);
    } finally {
      await this.close();
    }
  }

  /** Stops the workers (what they counted is dropped). */
  async close(): Promise<void> {
    liveWorkers -= this.reserved;
    this.reserved = 0;
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.worker.removeAllListeners('exit');
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private failureMessage() {
    return `a counting worker failed (${this.failure}); its files are counted as not read`;
  }

  private onReply(slot: Slot, reply: WorkerReply) {
    if (reply.type === 'state') {
      const resolve = slot.state;
      slot.state = null;
      resolve?.(reply.state);
      return;
    }
    const pending = slot.pending.get(reply.id);
    if (!pending) return;
    slot.pending.delete(reply.id);
    if (reply.error !== undefined) pending.reject(new FileReadError(reply.error));
    else {
      slot.counted.push(pending.key);
      pending.resolve(reply.kmsEvents);
    }
  }

  /**
   * A worker that fails takes its counts with it: every file it counted is reported lost, every
   * file it had is refused, and so is every later file (the run's coverage becomes partial).
   * The other workers' states are then not merged either, so no figure is half-counted.
   */
  private onFailure(message: string) {
    if (this.failure === null) this.failure = message;
    for (const s of this.slots) {
      this.lost.push(...s.counted.splice(0));
      for (const [id, p] of s.pending) {
        s.pending.delete(id);
        p.reject(new FileReadError(`${p.key}: ${this.failureMessage()}`));
      }
      const resolve = s.state;
      s.state = null;
      resolve?.(null);
    }
  }
}
