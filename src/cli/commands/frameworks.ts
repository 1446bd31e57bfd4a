import { Command } from 'commander';
import { availableFrameworks } from '../../compliance/frameworks.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from './collect.js';
import { describeFrameworks } from './view-flags.js';

/** `kms-report frameworks`: the frameworks `--compliance` takes, from the rules' control mappings. */
export function frameworksCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('frameworks')
    .description('List the frameworks --compliance takes: id, name, version, requirements and rules')
    .option('--json', 'as JSON (id, framework, version, requirements, ruleIds)')
    .action((flags: { json?: boolean }) => {
      io.stdout.write(
        flags.json ? `${JSON.stringify(availableFrameworks(), null, 2)}\n` : describeFrameworks(),
      );
      setExit(ExitCode.Ok);
    });
}
