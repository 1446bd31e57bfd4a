/** Exit codes of the `kms-report` command. Documented in the README; scripts depend on them. */
export const ExitCode = {
  /** The run did what was asked. */
  Ok: 0,
  /** The run failed: AWS refused the credentials, an unexpected error, a file could not be written. */
  Error: 1,
  /** Bad input: an unknown option, a malformed value or file. Nothing was written. */
  BadInput: 2,
  /** Unmuted findings at or above `--fail-on` (reports). */
  Findings: 3,
  /** The run finished but could not see everything, and `--fail-on-gaps` was given. */
  Gaps: 4,
  /**
   * `--security-hub`: the report set was written, but Security Hub did not take every finding (or
   * could not be reached); the summary names the regions and reasons. Wins over 3 and 4.
   */
  SecurityHub: 5,
  /**
   * The estimate differs from the month's bill by more than `--fail-on-drift` percent (or the
   * bill could not be read); a bill still estimated does not fail.
   */
  Drift: 6,
  /**
   * Stopped by Ctrl-C or SIGTERM (128 + SIGINT, for both): `usage` writes what was read, marked
   * partial; `collect` and the monthly report write nothing.
   */
  Interrupted: 130,
} as const;

/** The signals a command handles as a request to stop (Ctrl-C, and a scheduler's or `kill`'s SIGTERM). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
