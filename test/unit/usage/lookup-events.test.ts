import { CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { collectLookupEvents } from '../../../src/usage/lookup-events.js';
import type { UsageProgress } from '../../../src/usage/source.js';
import { DeadlinePassed } from '../../../src/util/deadline.js';
import { parseMonth } from '../../../src/util/month.js';
import type { RateLimiter } from '../../../src/util/rate-limiter.js';
import {
  asLookupEvent,
  decrypts,
  KEYS,
  KMS_RECORDS,
  manualClock,
  OWNER,
  REGION,
  recordNamed,
} from './fixtures.js';

const OCTOBER = parseMonth('2026-10');
const NOW = new Date('2026-11-05T10:00:00Z');
const cloudTrail = mockClient(CloudTrailClient);
const client = new CloudTrailClient({
  region: REGION,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

function awsError(name: string, message = `${name} message`) {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** LookupEvents answering `events` (newest first) in pages of 50, NextToken = the next offset. */
function pagedHistory(events: Event[]) {
  cloudTrail.on(LookupEventsCommand).callsFake(({ NextToken }: { NextToken?: string }) => {
    const start = NextToken ? Number(NextToken) : 0;
    const next = start + 50 < events.length ? String(start + 50) : undefined;
    return { Events: events.slice(start, start + 50), NextToken: next };
  });
}

const options = (extra: Partial<Parameters<typeof collectLookupEvents>[1]> = {}) => ({
  account: OWNER,
  region: REGION,
  window: OCTOBER,
  clock: manualClock(NOW),
  ...extra,
});

beforeEach(() => cloudTrail.reset());

describe('collectLookupEvents', () => {
  it('reads every page of the month and counts per key, with lifecycle events', async () => {
    const history = [
      ...decrypts(2_300, new Date('2026-10-31T23:00:00Z'), 1_000_000),
      ...KMS_RECORDS.toSorted((a, b) => String(b.eventTime).localeCompare(String(a.eventTime))),
    ].map(asLookupEvent);
    pagedHistory(history);

    const result = await collectLookupEvents(client, options());

    const calls = cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(Math.ceil(history.length / 50));
    expect(calls[0]).toEqual({
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }],
      StartTime: OCTOBER.start,
      EndTime: OCTOBER.end,
      MaxResults: 50,
      NextToken: undefined,
    });
    expect(calls.at(-1)?.NextToken).toBe(String((calls.length - 1) * 50));
    expect(result.coverage).toMatchObject({ source: 'cloudtrail-lookup', status: 'complete' });
    expect(result.coverage.detail).toContain(`read the whole month in ${calls.length} pages`);
    const decrypt = result.requests.find((r) => r.account === OWNER && r.operation === 'Decrypt');
    expect(decrypt).toMatchObject({
      keyArn: KEYS.SYM,
      count: 2_301,
      failedCount: 1,
      source: 'cloudtrail-lookup',
    });
    expect(result.lifecycle.map((e) => e.event).sort()).toEqual([
      'CreateKey',
      'DeleteKey',
      'RotateKey',
      'ScheduleKeyDeletion',
    ]);
    expect(result.stats.pages).toBe(calls.length);
  });

  it('with afterMonth, also reads the ScheduleKeyDeletion events from the month end to now', async () => {
    const later = { ...recordNamed('ScheduleKeyDeletion'), eventTime: '2026-11-03T09:00:00Z' };
    cloudTrail.on(LookupEventsCommand).callsFake((input) => {
      const byName = input.LookupAttributes?.[0]?.AttributeKey === 'EventName';
      return { Events: byName ? [asLookupEvent(later)] : KMS_RECORDS.map(asLookupEvent) };
    });

    const result = await collectLookupEvents(client, options({ afterMonth: true }));

    const calls = cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls[1]).toMatchObject({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ScheduleKeyDeletion' }],
      StartTime: OCTOBER.end,
      EndTime: NOW,
    });
    expect(result.afterMonth?.lifecycle.map((e) => [e.event, e.time])).toEqual([
      ['ScheduleKeyDeletion', '2026-11-03T09:00:00.000Z'],
    ]);
    expect(result.afterMonth?.coverage).toMatchObject({ status: 'complete', readUntil: NOW.toISOString() });
    // The month's own counts are not changed by it.
    expect(result.lifecycle.every((e) => e.time < '2026-11-01')).toBe(true);
  });

  it('stops the after-month ScheduleKeyDeletion read at the deadline, keeping what it found (partial)', async () => {
    const later = { ...recordNamed('ScheduleKeyDeletion'), eventTime: '2026-11-03T09:00:00Z' };
    const deadline = new AbortController();
    cloudTrail.on(LookupEventsCommand).callsFake((input) => {
      if (input.LookupAttributes?.[0]?.AttributeKey !== 'EventName')
        return { Events: KMS_RECORDS.map(asLookupEvent) };
      // The deadline passes while the first page after the month is read: there are more pages.
      deadline.abort(new DeadlinePassed('30m'));
      return { Events: [asLookupEvent(later)], NextToken: 'more' };
    });

    const result = await collectLookupEvents(
      client,
      options({ afterMonth: true, deadline: deadline.signal }),
    );

    const afterCalls = cloudTrail
      .commandCalls(LookupEventsCommand)
      .filter((c) => c.args[0].input.LookupAttributes?.[0]?.AttributeKey === 'EventName');
    expect(afterCalls).toHaveLength(1);
    expect(result.afterMonth?.coverage).toMatchObject({
      status: 'partial',
      detail: expect.stringContaining("read for 1 pages only: the run's deadline of 30m passed"),
    });
    expect(result.afterMonth?.coverage.readUntil).toBeUndefined();
    expect(result.afterMonth?.lifecycle.map((e) => e.time)).toEqual(['2026-11-03T09:00:00.000Z']);
    // The month itself was read in full before the deadline.
    expect(result.coverage.status).toBe('complete');
  });

  it("does not wait for the pace past the deadline, nor start the after-month read on Ctrl-C's heels", async () => {
    cloudTrail.on(LookupEventsCommand).callsFake(() => ({ Events: KMS_RECORDS.map(asLookupEvent) }));
    const deadline = new AbortController();
    let takes = 0;
    // The month's page is paced at once; the wait before the first page after the month never
    // ends by itself: the deadline passes during it.
    const limiter = {
      take: () => {
        takes += 1;
        if (takes === 1) return Promise.resolve();
        queueMicrotask(() => deadline.abort(new DeadlinePassed('30m')));
        return new Promise<void>(() => {});
      },
    } as unknown as RateLimiter;

    const result = await collectLookupEvents(
      client,
      options({ afterMonth: true, deadline: deadline.signal, limiter }),
    );

    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
    expect(result.afterMonth?.coverage).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining("not read: the run's deadline of 30m passed"),
    });

    // Ctrl-C once the month's pages are read: the after-month read is not begun.
    cloudTrail.reset();
    const stop = new AbortController();
    cloudTrail.on(LookupEventsCommand).callsFake(() => {
      stop.abort();
      return { Events: KMS_RECORDS.map(asLookupEvent) };
    });
    const stopped = await collectLookupEvents(client, options({ afterMonth: true, signal: stop.signal }));
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
    expect(stopped.afterMonth?.coverage.status).not.toBe('complete');
  });

  it('reports progress: events read, pages, rate, how far back the month it has reached, time left', async () => {
    const clock = manualClock(NOW);
    // 200 events, one every 3 hours back from the end of the month: 4 pages.
    const history = decrypts(200, new Date('2026-10-31T23:00:00Z'), 3 * 3_600_000).map(asLookupEvent);
    cloudTrail.on(LookupEventsCommand).callsFake(({ NextToken }: { NextToken?: string }) => {
      clock.advance(1_000);
      const start = NextToken ? Number(NextToken) : 0;
      return {
        Events: history.slice(start, start + 50),
        NextToken: start + 50 < 200 ? String(start + 50) : undefined,
      };
    });
    const seen: UsageProgress[] = [];
    await collectLookupEvents(client, options({ clock, onProgress: (p) => seen.push(p) }));

    expect(seen.map((p) => [p.pages, p.events])).toEqual([
      [1, 50],
      [2, 100],
      [3, 150],
      [4, 200],
    ]);
    const first = seen[0] as UsageProgress;
    // After page 1 the oldest event is 49 × 3 h = 147 h before 23:00 on the 31st: 148 h of 744.
    expect(first.fraction).toBeCloseTo(148 / 744, 3);
    expect(first.eventsPerSecond).toBeGreaterThan(0);
    expect(first.etaSeconds).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ fraction: 1, etaSeconds: 0 });
  });

  it('refuses a month that starts more than 90 days ago, naming the other sources, without calling AWS', async () => {
    const july = parseMonth('2026-07');
    const run = collectLookupEvents(client, options({ window: july }));
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/keeps only the last 90 days/);
    await expect(run).rejects.toThrow(/--source s3/);
    await expect(run).rejects.toThrow(/--source cloudwatch/);
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
  });

  it('keeps what was read and marks the source partial when a page stays throttled after retries', async () => {
    const history = decrypts(120, new Date('2026-10-31T23:00:00Z'), 3_600_000).map(asLookupEvent);
    cloudTrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: history.slice(0, 50), NextToken: 't1' })
      .resolvesOnce({ Events: history.slice(50, 100), NextToken: 't2' })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));

    const result = await collectLookupEvents(client, options());

    expect(result.coverage.status).toBe('partial');
    expect(result.coverage.detail).toContain('LookupEvents failed on page 3');
    expect(result.coverage.detail).toContain('ThrottlingException');
    expect(result.requests).toEqual([expect.objectContaining({ operation: 'Decrypt', count: 100 })]);
  });

  it('marks the source failed with the error code when the first page fails', async () => {
    cloudTrail
      .on(LookupEventsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: cloudtrail:LookupEvents'));
    const result = await collectLookupEvents(client, options());
    expect(result.coverage).toMatchObject({ status: 'failed' });
    expect(result.coverage.detail).toContain('AccessDeniedException');
    expect(result.requests).toEqual([]);
  });

  it('stops after the page in flight when aborted, and marks the source partial with what it read', async () => {
    const history = decrypts(500, new Date('2026-10-31T23:00:00Z'), 3_600_000).map(asLookupEvent);
    pagedHistory(history);
    const controller = new AbortController();
    const result = await collectLookupEvents(
      client,
      options({
        signal: controller.signal,
        onProgress: (p) => {
          if (p.pages === 2) controller.abort();
        },
      }),
    );
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(2);
    expect(result.coverage.status).toBe('partial');
    expect(result.coverage.detail).toMatch(/^stopped on request after 2 pages; read from 2026-10-2\d/);
    expect(result.requests).toEqual([expect.objectContaining({ count: 100 })]);
  });

  it('reads a month that is not over up to now, and says so', async () => {
    pagedHistory(decrypts(10, new Date('2026-11-05T09:00:00Z'), 3_600_000).map(asLookupEvent));
    const result = await collectLookupEvents(client, options({ window: parseMonth('2026-11') }));
    expect(cloudTrail.commandCalls(LookupEventsCommand)[0]?.args[0].input.EndTime).toEqual(NOW);
    expect(result.coverage).toMatchObject({ status: 'partial' });
    expect(result.coverage.detail).toContain('the month is not over');
  });

  describe('pacing', () => {
    beforeEach(() => {
      vi.useFakeTimers({ now: NOW });
    });
    afterEach(() => vi.useRealTimers());

    it('never makes more than 2 LookupEvents requests in any second', async () => {
      const history = decrypts(1_000, new Date('2026-10-31T23:00:00Z'), 3_600_000).map(asLookupEvent);
      const times: number[] = [];
      cloudTrail.on(LookupEventsCommand).callsFake(({ NextToken }: { NextToken?: string }) => {
        times.push(Date.now());
        const start = NextToken ? Number(NextToken) : 0;
        return {
          Events: history.slice(start, start + 50),
          NextToken: start + 50 < 1_000 ? String(start + 50) : undefined,
        };
      });

      // The default clock is the system clock, which the fake timers drive.
      const running = collectLookupEvents(client, { account: OWNER, region: REGION, window: OCTOBER });
      await vi.runAllTimersAsync();
      const result = await running;

      expect(result.coverage.status).toBe('complete');
      expect(times).toHaveLength(20);
      // Never two requests less than half a second apart (with the 5% margin: 526 ms), so no
      // 1-second window holds three, even at an endpoint that allows no burst.
      for (let i = 1; i < times.length; i++)
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(526);
      // And it does not dawdle: 20 requests at 1.9/s take 19 × 526 ms = 10.0 s.
      expect((times.at(-1) as number) - (times[0] as number)).toBeLessThanOrEqual(10_001);
    });
  });
});
