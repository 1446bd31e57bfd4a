/**
 * Named errors. Each carries what a person needs to fix the cause; SDK errors are kept in
 * `cause`. Each says the CLI's exit code in {@link KmsReportError.exitCode} (the codes are
 * documented as `ExitCode` in `src/cli/exit-codes.ts`).
 */
export class KmsReportError extends Error {
  override readonly name: string = 'KmsReportError';
  /**
   * The CLI's exit code when this error ends a run: 1 (the run failed) unless a subclass says
   * otherwise (2: bad input, 130: interrupted).
   */
  readonly exitCode: number = 1;
}

/** Input the user gave (a flag, a file) is not what was expected. Names the input. */
export class InputError extends KmsReportError {
  override readonly name = 'InputError';
  override readonly exitCode = 2;
  /** What is wrong with the input, without naming it (the message is `<input>: <detail>`). */
  readonly detail: string;
  constructor(
    readonly input: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${input}: ${detail}`, options);
    this.detail = detail;
  }
}

/** A snapshot file is malformed, of another kind, or newer than this version understands. */
export class SnapshotError extends KmsReportError {
  override readonly name = 'SnapshotError';
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${message}`, options);
  }
}

/** The AWS credentials are missing, expired or invalid. Names the profile or role that was used. */
export class CredentialsError extends KmsReportError {
  override readonly name = 'CredentialsError';
  constructor(
    readonly identity: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`AWS credentials (${identity}): ${message}`, options);
  }
}

/** The run was stopped (Ctrl-C) before it could finish; nothing was written. */
export class InterruptedError extends KmsReportError {
  override readonly name = 'InterruptedError';
  override readonly exitCode = 130;
}

/**
 * An AWS endpoint could not be reached, or stopped answering (refused, unresolvable, timed out),
 * after the SDK's retries. Not a credentials problem: names the endpoint and the network cause.
 */
export class NetworkError extends KmsReportError {
  override readonly name = 'NetworkError';
}

/** The report (or another output file) could not be written. Names the folder and the real cause. */
export class OutputError extends KmsReportError {
  override readonly name = 'OutputError';
  constructor(
    readonly folder: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`cannot write to ${folder}: ${message}`, options);
  }
}
