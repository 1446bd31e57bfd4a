import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectLookupEvents } from '../../../src/usage/lookup-events.js';
import { parseMonth } from '../../../src/util/month.js';
import { RateLimiter } from '../../../src/util/rate-limiter.js';
import { startFakeKms, throttled } from '../../support/fake-kms.js';
import { KMS_RECORDS, manualClock, OWNER, REGION } from './fixtures.js';

const NOW = new Date('2026-11-05T10:00:00Z');
const options = (extra: Partial<Parameters<typeof collectLookupEvents>[1]> = {}) => ({
  account: OWNER,
  region: REGION,
  window: parseMonth('2026-10'),
  clock: manualClock(NOW),
  ...extra,
});

describe('collectLookupEvents', () => {
  describe('SDK retries (real HTTP)', { timeout: 20_000 }, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });

    it('paces each retry of a throttled page through the same limiter', async () => {
      let requests = 0;
      const record = KMS_RECORDS[0] as Record<string, unknown>;
      const fake = await startFakeKms((operation) => {
        expect(operation).toMatch(/LookupEvents$/);
        if (++requests <= 2) return throttled;
        return {
          status: 200,
          body: {
            Events: [
              {
                EventId: 'e1',
                EventTime: Date.parse(String(record.eventTime)) / 1000,
                CloudTrailEvent: JSON.stringify(record),
              },
            ],
          },
        };
      });
      close = fake.close;
      const http = new CloudTrailClient({
        region: REGION,
        endpoint: fake.endpoint,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 3,
      });
      const clock = manualClock(NOW);
      const limiter = new RateLimiter(2, 1, clock);
      const take = vi.spyOn(limiter, 'take');

      const result = await collectLookupEvents(http, options({ clock, limiter }));

      expect(requests).toBe(3);
      expect(take).toHaveBeenCalledTimes(3);
      expect(result.coverage.status).toBe('complete');
      expect(result.requests).toEqual([expect.objectContaining({ operation: 'Encrypt', count: 1 })]);
    });
  });
});
