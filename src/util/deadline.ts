import { setMaxListeners } from 'node:events';
import { InputError } from '../errors.js';
import { HOUR_MS } from './month.js';

/**
 * The run's deadline (`--deadline 30m`): when it passes, the collectors start no new work, cut
 * the requests in flight, and record what they did not read as gaps (inventory) or partial
 * coverage (usage); the report is still written, marked incomplete. Distinct from Ctrl-C, which
 * writes nothing: a deadline is the operator's choice to have part of the month on time rather
 * than all of it late.
 *
 * The collectors take the deadline as an AbortSignal whose `reason` is a {@link DeadlinePassed};
 * an AbortSignal aborted for any other reason is not a deadline.
 */

/** The abort reason of a deadline signal; its message says which deadline passed. */
export class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
  constructor(readonly label: string) {
    super(`the run's deadline of ${label} passed`);
  }
}

/** The error code gaps and coverage carry for what the deadline left unread. */
export const DEADLINE_ERROR_CODE = 'DeadlinePassed';

/** The deadline that passed on `signal`, or null (not aborted, or aborted for another reason). */
export function deadlinePassed(signal: AbortSignal | undefined): DeadlinePassed | null {
  return signal?.aborted && signal.reason instanceof DeadlinePassed ? signal.reason : null;
}

/** What stopped the work, for a gap or coverage detail: "the run's deadline of 30m passed". */
export function deadlineReason(signal: AbortSignal | undefined): string {
  return deadlinePassed(signal)?.message ?? "the run's deadline passed";
}

/** A signal that aborts with a {@link DeadlinePassed} after `ms`. `clear()` when the run ends. */
export function startDeadline(
  ms: number,
  label = formatDuration(ms),
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  // Every request in flight listens to the deadline (the SDK removes its listener when the
  // request ends): hundreds at once in an organisation-wide run are expected, not a leak.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new DeadlinePassed(label)), ms);
  // A pending deadline must not keep a finished process alive.
  timer.unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Resolves when `signal` aborts (never, without one): to race a wait against the deadline. */
export function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

const UNIT_MS: Readonly<Record<string, number>> = { h: HOUR_MS, m: 60_000, s: 1_000 };

/** The longest deadline accepted: a monthly job that needs more than a day has another problem. */
export const MAX_DEADLINE_MS = 24 * HOUR_MS;

/**
 * Reads a duration such as `30m`, `1h30m`, `90s` or `2h` into milliseconds (> 0, at most
 * {@link MAX_DEADLINE_MS}). Names the flag on a bad value.
 *
 * @example
 * ```ts
 * parseDuration('1h30m'); // 5_400_000
 * ```
 */
export function parseDuration(input: string, flag = '--deadline'): number {
  const text = input.trim().toLowerCase();
  const bad = () =>
    new InputError(flag, `expected a duration such as 30m, 1h30m or 90s (at most 24h), got "${input}"`);
  if (!/^(\d+(\.\d+)?[hms])+$/.test(text)) throw bad();
  let ms = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)([hms])/g))
    ms += Number(value) * (UNIT_MS[unit as string] as number);
  ms = Math.round(ms);
  if (!(ms > 0) || ms > MAX_DEADLINE_MS) throw bad();
  return ms;
}

/** `1h30m`, `30m`, `45s`: a duration as people write it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const parts: string[] = [];
  if (s >= 3600) parts.push(`${Math.floor(s / 3600)}h`);
  if (s % 3600 >= 60) parts.push(`${Math.floor((s % 3600) / 60)}m`);
  if (s % 60 > 0) parts.push(`${s % 60}s`);
  return parts.join('');
}
