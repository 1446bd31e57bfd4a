/**
 * Writes the CloudTrail benchmark's log files: `--events` KMS records, `--per-file` to a gzip
 * file in the trail's layout (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<name>.json.gz`),
 * spread over October 2026, under `--dir`. Two processes share the files (generation is
 * not measured).
 */

import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { kmsRecord, TRAIL_ACCOUNT } from '../lib/events.js';
import { args, emit, nowMs, numberArg } from '../lib/measure.js';

export const TRAIL_REGION = 'us-east-1';
export const TRAIL_MONTH = '2026-10';
const START = Date.UTC(2026, 9, 1);
const SPAN = 31 * 86_400_000;

interface Job {
  dir: string;
  events: number;
  perFile: number;
  files: number;
  from: number;
  step: number;
}

function writeFiles(job: Job): number {
  let bytes = 0;
  for (let f = job.from; f < job.files; f += job.step) {
    const first = f * job.perFile;
    const count = Math.min(job.perFile, job.events - first);
    const records = new Array(count);
    for (let j = 0; j < count; j++) {
      const i = first + j;
      records[j] = kmsRecord(i, START + Math.floor((i / job.events) * SPAN), TRAIL_REGION);
    }
    // Delivered some minutes after its last event: the last files land in November's first day.
    const delivered = new Date(START + Math.floor(((first + count) / job.events) * SPAN) + 10 * 60_000);
    const day = delivered.toISOString().slice(0, 10).replaceAll('-', '/');
    const folder = join(job.dir, 'AWSLogs', TRAIL_ACCOUNT, 'CloudTrail', TRAIL_REGION, day);
    mkdirSync(folder, { recursive: true });
    const stamp = delivered.toISOString().replace(/[-:]/g, '').slice(0, 13);
    const gz = gzipSync(JSON.stringify({ Records: records }));
    bytes += gz.length;
    writeFileSync(
      join(
        folder,
        `${TRAIL_ACCOUNT}_CloudTrail_${TRAIL_REGION}_${stamp}Z_${String(f).padStart(6, '0')}.json.gz`,
      ),
      gz,
    );
  }
  return bytes;
}

const opts = args();
const dir = opts.get('dir');
if (!dir) throw new Error('--dir is required');
const events = numberArg(opts, 'events', 1_000_000);
const perFile = numberArg(opts, 'per-file', 1000);
const files = Math.ceil(events / perFile);
if (opts.has('from')) {
  // One of the generating processes.
  const bytes = writeFiles({
    dir,
    events,
    perFile,
    files,
    from: numberArg(opts, 'from', 0),
    step: numberArg(opts, 'step', 1),
  });
  process.send?.(bytes);
} else {
  const processes = 2;
  const t0 = nowMs();
  const sizes = await Promise.all(
    Array.from(
      { length: processes },
      (_, w) =>
        new Promise<number>((resolve, reject) => {
          const child = fork(
            fileURLToPath(import.meta.url),
            [...process.argv.slice(2), '--from', String(w), '--step', String(processes)],
            {
              execArgv: ['--import', 'tsx'],
            },
          );
          let bytes = 0;
          child.on('message', (m) => {
            bytes = m as number;
          });
          child.once('exit', (code) =>
            code === 0 ? resolve(bytes) : reject(new Error(`generator ${w} exited with ${code}`)),
          );
        }),
    ),
  );
  emit({ files, events, gzBytes: sizes.reduce((a, b) => a + b, 0), ms: nowMs() - t0 });
}
