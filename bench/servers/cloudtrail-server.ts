/**
 * A CloudTrail endpoint on 127.0.0.1 for LookupEvents (AWS JSON 1.1, `X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`), in its own process.
 * It serves `--pages` pages of 50 KMS events, newest first, over `--start`..`--end` (ms), and
 * allows `--rate` requests a second (token bucket holding `--burst` requests, full at the
 * start); above that it answers HTTP 400 `ThrottlingException`, as CloudTrail does. Answers
 * come after `--latency` ms. It reports request times and throttles over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kmsRecord } from '../lib/events.js';
import { args, numberArg } from '../lib/measure.js';
import { TokenBucket } from '../lib/token-bucket.js';

const opts = args();
const pages = numberArg(opts, 'pages', 200);
const rate = numberArg(opts, 'rate', 2);
const burst = numberArg(opts, 'burst', 1);
const latency = numberArg(opts, 'latency', 20);
const start = numberArg(opts, 'start', Date.now() - 86_400_000);
const end = numberArg(opts, 'end', Date.now());
const PAGE = 50;
const total = pages * PAGE;

const bucket = new TokenBucket(rate, burst);
/** Times (ms since the first request) of accepted requests, and the number refused. */
const accepted: number[] = [];
let throttled = 0;
let first: number | null = null;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = performance.now();
    first ??= now;
    let status = 200;
    let body: unknown;
    if (!bucket.tryTake()) {
      throttled += 1;
      status = 400;
      body = { __type: 'ThrottlingException', message: 'Rate exceeded' };
    } else {
      accepted.push(now - first);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { NextToken?: string };
      const page = input.NextToken ? Number(input.NextToken.replace('page-', '')) : 0;
      const events = [];
      for (let j = 0; j < PAGE; j++) {
        const i = page * PAGE + j;
        // Newest first, evenly spread over the window.
        const t = Math.floor(end - 1 - ((i + 0.5) / total) * (end - start));
        const record = kmsRecord(i, t, 'us-east-1');
        events.push({
          EventId: record.eventID,
          EventName: record.eventName,
          ReadOnly: String(record.readOnly),
          EventTime: Math.floor(t / 1000),
          EventSource: 'kms.amazonaws.com',
          Resources: [],
          CloudTrailEvent: JSON.stringify(record),
        });
      }
      body = { Events: events, ...(page + 1 < pages ? { NextToken: `page-${page + 1}` } : {}) };
    }
    const text = JSON.stringify(body);
    setTimeout(() => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': 'cloudtrail-model',
      });
      res.end(text);
    }, latency);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') process.send?.({ type: 'stats', stats: { accepted, throttled } });
  else if (m.type === 'exit') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
process.on('disconnect', () => process.exit(0));
