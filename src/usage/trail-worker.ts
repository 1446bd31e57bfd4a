/**
 * A counting worker (see trail-workers.ts): decompresses, parses and counts the log files it is
 * sent into its own UsageAggregator, and sends that aggregator's state back when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UsageAggregator } from './aggregator.js';
import { FileReadError, logFileRecords, logFileTextSync } from './trail-files.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './trail-workers.js';

const port = parentPort;
if (!port) throw new Error('trail-worker.ts runs as a worker thread');
const setup = workerData as WorkerSetup;
const agg = new UsageAggregator(setup.source, {
  start: new Date(setup.startMs),
  end: new Date(setup.endMs),
  afterEnd: setup.afterEndMs === undefined ? undefined : new Date(setup.afterEndMs),
});
const reply = (message: WorkerReply) => port.postMessage(message);

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'state') {
    reply({ type: 'state', state: agg.state() });
    return;
  }
  const before = agg.stats.kmsEvents;
  try {
    const raw = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
    const records = logFileRecords(logFileTextSync(raw, message.key), message.key);
    for (const record of records) agg.add(record);
    reply({ type: 'counted', id: message.id, kmsEvents: agg.stats.kmsEvents - before });
  } catch (error) {
    reply({
      type: 'counted',
      id: message.id,
      error: error instanceof FileReadError ? error.message : `${message.key}: ${String(error)}`,
    });
  }
});
