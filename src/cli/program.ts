import { Command, CommanderError } from 'commander';
import { KmsReportError } from '../errors.js';
import { terminalSafe } from '../report/escape.js';
import { TOOL_VERSION } from '../version.js';
import { type CliIo, collectCommand } from './commands/collect.js';
import { frameworksCommand } from './commands/frameworks.js';
import { pricingCommand } from './commands/pricing.js';
import { reconcileCommand } from './commands/reconcile.js';
import { addReportOptions } from './commands/report.js';
import { usageCommand } from './commands/usage.js';
import { completionCommand } from './completion.js';
import { ExitCode } from './exit-codes.js';

/** Builds the `kms-report` program. Exported so tests can run it in-process. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('kms-report')
    .description('What your AWS KMS keys cost each month, and whether they are compliant.')
    .version(TOOL_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // The monthly job's options live on the root; a command's options after its name are its own.
    .enablePositionalOptions()
    // A fixed width keeps --help the same on every terminal (and in the golden test).
    .configureHelp({ helpWidth: 100 })
    .configureOutput({
      // Commander echoes what was typed (an unknown option, a bad value): shown, never acted on.
      writeOut: (s) => io.stdout.write(terminalSafe(s)),
      writeErr: (s) => io.stderr.write(terminalSafe(s)),
    })
    .exitOverride();
  addReportOptions(program, io, setExit);
  program.addCommand(collectCommand(io, setExit));
  program.addCommand(usageCommand(io, setExit));
  program.addCommand(pricingCommand(io, setExit));
  program.addCommand(frameworksCommand(io, setExit));
  program.addCommand(reconcileCommand(io, setExit));
  program.addCommand(completionCommand(program, io, setExit));
  // Every command, at any depth, reports through `io` and returns instead of exiting.
  const inherit = (parent: Command) => {
    for (const command of parent.commands) {
      command
        .exitOverride()
        .configureOutput(program.configureOutput())
        .configureHelp(program.configureHelp());
      inherit(command);
    }
  };
  inherit(program);
  return program;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and resolves to the exit code.
 * Errors are printed on stderr as one line naming what was wrong; no stack unless DEBUG is set.
 * A message can quote an evidence file (a JSON parse error quotes the text around the fault):
 * control characters and line breaks in it are shown as escapes ({@link terminalSafe}).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    }
    const known = error instanceof KmsReportError;
    // Every line is prefixed once: an error that names the program itself is not named twice.
    const message = (
      known ? error.message : `unexpected error: ${(error as Error)?.message ?? error}`
    ).replace(/^kms-report: /, '');
    io.stderr.write(`kms-report: ${terminalSafe(message, { oneLine: true })}\n`);
    if (process.env.DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${terminalSafe(error.stack)}\n`);
    // Each error names its own exit code (InputError 2, InterruptedError 130, ...); anything else is 1.
    return known ? error.exitCode : ExitCode.Error;
  }
}
