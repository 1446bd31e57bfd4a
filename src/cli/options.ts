import { type Command, CommanderError, Option } from 'commander';
import { parseTimeout } from '../collect/client-defaults.js';
import { parseRegionList } from '../collect/regions.js';
import { InputError } from '../errors.js';
import { terminalSafe } from '../report/escape.js';
import { parseDuration } from '../util/deadline.js';

/**
 * Where an option's value comes from, and the words of the command line.
 *
 * Precedence, highest first: the command line (and a deprecated spelling of it), the environment
 * (`KMS_REPORT_<OPTION>`), the `options:` section of the configuration file (the monthly report),
 * the default. An option is read from the environment only where {@link readsEnvironment} says so.
 */

/** `1 gap`, `2 gaps`. */
export function plural(n: number, singular: string, many = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : many}`;
}

/** The environment variables of the options start with this. */
export const ENV_PREFIX = 'KMS_REPORT_';

/** `--usage-source` → `KMS_REPORT_USAGE_SOURCE`; `--no-last-usage` → `KMS_REPORT_NO_LAST_USAGE`. */
export function envName(option: Option): string {
  return `${ENV_PREFIX}${(option.long ?? '').replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off', ''];

/** A flag's value in the environment: 1, true, yes, on (given) or 0, false, no, off, empty (not given). */
export function parseEnvFlag(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new InputError(name, `expected 1, true, yes, on or 0, false, no, off, got "${value}"`);
}

interface Alias {
  /** The hidden option of the old spelling. */
  readonly option: Option;
  /** The option it stands for. */
  readonly target: Option;
}

const ALIASES = new WeakMap<Command, Alias[]>();
const ENV_FLAGS = new WeakMap<Command, Set<string>>();

/**
 * Keeps an old spelling working (hidden from --help): it sets `use`'s value, and says once on
 * stderr that it is deprecated and what replaces it, so existing cron lines do not break.
 */
export function deprecatedAlias(command: Command, flags: string, use: string): Command {
  const target = command.options.find((o) => o.long === use);
  if (!target) throw new Error(`deprecatedAlias: ${command.name()} has no option ${use}`);
  const option = new Option(flags, `deprecated: use ${use}`).hideHelp();
  if (target.parseArg) option.argParser(target.parseArg);
  command.addOption(option);
  ALIASES.set(command, [...(ALIASES.get(command) ?? []), { option, target }]);
  return command;
}

/** The long flags (`--regions`) of `command` that may also be given as `KMS_REPORT_<FLAG>`. */
export function readsEnvironment(command: Command, flags: readonly string[]): Command {
  for (const flag of flags)
    if (!command.options.some((o) => o.long === flag))
      throw new Error(`readsEnvironment: ${command.name()} has no option ${flag}`);
  ENV_FLAGS.set(command, new Set([...(ENV_FLAGS.get(command) ?? []), ...flags]));
  return command;
}

/** The options of `command` read from the environment, with their variable names (for the README and tests). */
export function environmentOptions(command: Command): { option: Option; variable: string }[] {
  const flags = ENV_FLAGS.get(command) ?? new Set<string>();
  return command.options
    .filter((o) => o.long && flags.has(o.long))
    .map((o) => ({ option: o, variable: envName(o) }));
}

/** Not given on the command line, nor by a source above the one asking. */
export function isUnset(command: Command, key: string): boolean {
  const source = command.getOptionValueSource(key);
  return source === undefined || source === 'default' || source === 'implied';
}

/**
 * `value` through the option's own parser, so a value from the environment or a file is checked
 * exactly as one typed. A refusal names `where` (the variable, the file's field) and the flag.
 */
export function parseOptionValue(option: Option, value: string, where: string): unknown {
  try {
    return option.parseArg ? option.parseArg(value, undefined) : value;
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(`${where} (${option.long})`, error.detail, {
        cause: error,
      });
    if (error instanceof CommanderError)
      throw new InputError(`${where} (${option.long})`, error.message.replace(/^error: /, ''), {
        cause: error,
      });
    throw error;
  }
}

/** Sets a flag (`--quiet`, `--no-last-usage`) as given or not given. */
export function setFlag(command: Command, option: Option, given: boolean, source: 'env' | 'config'): void {
  command.setOptionValueWithSource(option.attributeName(), option.negate ? !given : given, source);
}

/**
 * Resolves the deprecated spellings and the environment for `command` (run before its action).
 * `env` is the process environment (injected in tests); `stderr` receives the deprecation notices.
 */
export function applyAliasesAndEnvironment(
  command: Command,
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): void {
  for (const { option, target } of ALIASES.get(command) ?? []) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const used = option.long ?? option.short ?? '';
    if (command.getOptionValueSource(target.attributeName()) === 'cli')
      throw new InputError(used, `is the old spelling of ${target.long}: give ${target.long} only`);
    stderr.write(
      terminalSafe(
        `kms-report: ${used} is deprecated and will be removed: use ${target.long} (same meaning)\n`,
      ),
    );
    command.setOptionValueWithSource(target.attributeName(), command.getOptionValue(key), 'cli');
  }
  for (const { option, variable } of environmentOptions(command)) {
    const value = env[variable];
    const key = option.attributeName();
    if (value === undefined || !isUnset(command, key)) continue;
    if (option.required || option.optional) {
      if (value.trim() === '') continue;
      command.setOptionValueWithSource(key, parseOptionValue(option, value, variable), 'env');
    } else if (parseEnvFlag(`${variable} (${option.long})`, value)) setFlag(command, option, true, 'env');
  }
}

/**
 * Before `command`'s action: the deprecated spellings, then the environment, then `after` (the
 * monthly report's configuration file section), each filling only what is still unset.
 */
export function resolveOptionSources(
  command: Command,
  io: { readonly env?: NodeJS.ProcessEnv; readonly stderr: NodeJS.WritableStream },
  after?: (command: Command) => Promise<void>,
): Command {
  return command.hook('preAction', async (_hooked, actionCommand) => {
    if (actionCommand !== command) return;
    applyAliasesAndEnvironment(command, io.env ?? process.env, io.stderr);
    await after?.(command);
  });
}

/**
 * `--no-color` for every command. kms-report prints no colour (its only escape sequence is the
 * progress line's reset, drawn only on a terminal); the flag, `KMS_REPORT_NO_COLOR` and `NO_COLOR`
 * are accepted so scripts that pass them to every tool can pass them here too.
 */
export function addNoColor(command: Command): Command {
  return command.option('--no-color', 'print no colour (kms-report prints none; also NO_COLOR)');
}

/** `--regions` is checked when it is read (from any source), and kept as typed. */
export function checkRegions(value: string): string {
  parseRegionList(value);
  return value;
}

/** Lines after a command's help naming its environment variables (wrapped as --help is). */
export function environmentHelp(command: Command, width = 100): Command {
  const words = `In the environment (the command line wins): ${environmentOptions(command)
    .map((o) => o.variable)
    .join(', ')}.`.split(' ');
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return command.addHelpText('after', `\n${lines.join('\n')}`);
}

/** `--timeout SECONDS`: the same on every command that calls AWS. */
export function timeoutOption(): Option {
  return new Option(
    '--timeout <seconds>',
    'seconds an AWS request may wait for an answer before it is retried (default 30; connections: 5)',
  ).argParser((v) => parseTimeout(v));
}

/** `--deadline DURATION`: the same on every command that collects; `after` says what the command then does. */
export function deadlineOption(after: string): Option {
  return new Option(
    '--deadline <duration>',
    `stop collecting after this long (e.g. 30m, 1h30m)${after}`,
  ).argParser((v) => parseDuration(v));
}
