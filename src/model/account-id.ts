import { z } from 'zod';
import { KmsReportError } from '../errors.js';

/**
 * An AWS account id: exactly 12 digits. The one definition every input is checked against (flags,
 * configuration, evidence files, AWS answers): an account id becomes a folder name
 * (`<out>/<account>/<YYYY-MM>/`), so anything else — `../victim`, a slash — must never pass.
 */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** What an error says an account id should look like. */
export const ACCOUNT_ID_EXPECTED = 'expected a 12-digit AWS account id';

/** True when `value` is a 12-digit account id. */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value);
}

/** The zod schema of an account id (configuration and evidence files). */
export const accountIdSchema = z.string().regex(ACCOUNT_ID_PATTERN, ACCOUNT_ID_EXPECTED);

/**
 * An account id AWS returned, checked: a value that is not 12 digits is refused with an error
 * naming the call it came from (`sts:GetCallerIdentity`), never used.
 *
 * @example
 * ```ts
 * const account = awsAccountId(who.Account, 'sts:GetCallerIdentity');
 * ```
 */
export function awsAccountId(value: unknown, source: string): string {
  if (isAccountId(value)) return value;
  throw new KmsReportError(
    `${source} returned ${JSON.stringify(value ?? null).slice(0, 80)} as an account id: ${ACCOUNT_ID_EXPECTED}; nothing was written`,
  );
}
