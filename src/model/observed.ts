/**
 * A piece of evidence the collector tried to read. Partial failure is data: a field
 * that could not be read is `failed` with the AWS error code, never silently empty.
 *
 * - `collected`: read successfully; `value` is what AWS returned (normalised).
 * - `not-applicable`: the call does not apply to this key (for example rotation on an
 *   asymmetric key); it was not made, or AWS answered that it is unsupported.
 * - `skipped`: the caller chose not to collect it (for example `--no-last-usage`).
 * - `failed`: the call was made and did not succeed, even after retries.
 */
export type Observed<T> =
  | { readonly status: 'collected'; readonly value: T }
  | { readonly status: 'not-applicable'; readonly reason: string }
  | { readonly status: 'skipped'; readonly reason: string }
  | {
      readonly status: 'failed';
      readonly operation: string;
      readonly errorCode: string;
      readonly message: string;
    };

export const collected = <T>(value: T): Observed<T> => ({ status: 'collected', value });
export const notApplicable = <T>(reason: string): Observed<T> => ({ status: 'not-applicable', reason });
export const skipped = <T>(reason: string): Observed<T> => ({ status: 'skipped', reason });
export const failed = <T>(operation: string, errorCode: string, message: string): Observed<T> => ({
  status: 'failed',
  operation,
  errorCode,
  message,
});

/** The value when it was collected, otherwise `undefined`. */
export function collectedValue<T>(observed: Observed<T>): T | undefined {
  return observed.status === 'collected' ? observed.value : undefined;
}

/** A one-line, human-readable account of why a value is missing (empty when collected). */
export function describeMissing(observed: Observed<unknown>): string {
  switch (observed.status) {
    case 'collected':
      return '';
    case 'not-applicable':
      return `not applicable: ${observed.reason}`;
    case 'skipped':
      return `not collected: ${observed.reason}`;
    case 'failed':
      return `${observed.operation} failed: ${observed.errorCode}${observed.message ? ` (${observed.message})` : ''}`;
  }
}
