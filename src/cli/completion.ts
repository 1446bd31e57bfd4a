import { Argument, Command, type Option } from 'commander';
import { SEVERITIES } from '../model/findings.js';
import { ExitCode } from './exit-codes.js';

/** Values offered after an option whose values commander does not list as choices. */
const VALUE_HINTS: Readonly<Record<string, readonly string[]>> = {
  '--fail-on': SEVERITIES,
  '--usage-source': ['lookup', 'cloudwatch', 's3', 'lookup,cloudwatch', 'none'],
  '--format': ['md', 'csv', 'json', 'md,csv,json'],
  '--regions': ['all'],
};

interface CommandInfo {
  /** `""` for the program, `"pricing refresh"` for a nested command. */
  readonly path: string;
  readonly options: readonly Option[];
  readonly subcommands: readonly string[];
  readonly choices: readonly string[];
}

function describe(command: Command, path: string, into: CommandInfo[]): void {
  const visible = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  const args = (command.registeredArguments ?? []).flatMap((a) => a.argChoices ?? []);
  into.push({
    path,
    options: command.options.filter((o) => !o.hidden),
    subcommands: visible.map((c) => c.name()),
    choices: args,
  });
  for (const sub of visible) describe(sub, path ? `${path} ${sub.name()}` : sub.name(), into);
}

/** Single-quoted for the shell. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function words(values: readonly string[]): string {
  return quote(values.join(' '));
}

/** The bash completion function for `program`: commands, options, their choices, files for paths. */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const commands: CommandInfo[] = [];
  describe(program, '', commands);
  const descend: string[] = [];
  const lists: string[] = [];
  const values: string[] = [];
  for (const c of commands) {
    for (const sub of c.subcommands)
      descend.push(`      ${quote(`${c.path}|${sub}`)}) path=${quote(c.path ? `${c.path} ${sub}` : sub)} ;;`);
    const flags = [
      ...c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)),
      '-h',
      '--help',
    ];
    lists.push(
      `    ${quote(c.path)}) opts=${words(flags)}; subs=${words([...c.subcommands, ...c.choices])} ;;`,
    );
    for (const o of c.options) {
      if (!(o.required || o.optional)) continue;
      const spellings = [o.short, o.long].filter((f): f is string => !!f).map((f) => quote(`${c.path}|${f}`));
      const choices = o.argChoices ?? (o.long ? VALUE_HINTS[o.long] : undefined);
      const action = choices
        ? `COMPREPLY=( $(compgen -W ${words(choices)} -- "$cur") )`
        : /<dir>/.test(o.flags)
          ? 'COMPREPLY=( $(compgen -d -- "$cur") )'
          : /<(file|path)>/.test(o.flags)
            ? 'COMPREPLY=( $(compgen -f -- "$cur") )'
            : 'COMPREPLY=()';
      // An optional value (--month [YYYY-MM]) may be left out: offer the options too.
      values.push(
        `    ${spellings.join('|')}) ${action}; ${o.optional ? '[[ "$cur" == -* ]] || ' : ''}return 0 ;;`,
      );
    }
  }
  return `# ${name} completion for bash. Load it in ~/.bashrc with:
#   source <(${name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" i
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case "$path|\${COMP_WORDS[i]}" in
${descend.join('\n')}
    esac
  done
  case "$path|$prev" in
${values.join('\n')}
  esac
  local opts="" subs=""
  case "$path" in
${lists.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  fi
  return 0
}
complete -F ${fn} ${name}
`;
}

/** The zsh completion: zsh runs the bash function through bashcompinit. */
export function zshCompletion(program: Command): string {
  const name = program.name();
  return `#compdef ${name}
# ${name} completion for zsh. Load it in ~/.zshrc (after compinit) with:
#   source <(${name} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n')}`;
}

/** `kms-report completion bash|zsh`: prints the completion script of `program`. */
export function completionCommand(
  program: Command,
  io: { readonly stdout: NodeJS.WritableStream },
  setExit: (code: number) => void,
): Command {
  return new Command('completion')
    .description('Print the shell completion script: source <(kms-report completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      io.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
      setExit(ExitCode.Ok);
    });
}
