import { type Command, Option } from 'commander';
import { FINDING_STATUSES, parseFindingFilter } from '../../compliance/filter.js';
import { availableFrameworks, parseFrameworkIds } from '../../compliance/frameworks.js';
import { SEVERITIES } from '../../model/findings.js';

/**
 * What the report shows of the findings: a framework's table per requirement (`--compliance`),
 * and the filters Prowler users know (`--rules`, `--severity`, `--status`). Each takes a list
 * (`a,b`) and may be repeated; values are checked as they are parsed, so a typo costs no AWS call.
 */

const split = (value: string): string[] => value.split(',').map((v) => v.trim());

/** A list flag that may be repeated: `--rules A --rules B` is `--rules A,B`; each value is checked by `check`. */
function listParser(check: (values: string[]) => readonly string[]) {
  return (value: string, previous: string[] | undefined): string[] => {
    const all = [...(previous ?? []), ...split(value)];
    return [...check(all)];
  };
}

const FLAGS = { rules: '--rules', severities: '--severity', statuses: '--status' };

export function addViewFlags(program: Command): void {
  program
    .addOption(
      new Option(
        '--compliance <list>',
        `add a table per requirement of these frameworks (e.g. cis-3.0,nist-800-53; "kms-report frameworks" lists them)`,
      ).argParser(listParser((v) => parseFrameworkIds(v, '--compliance'))),
    )
    .addOption(
      new Option(
        '--rules <ids>',
        'report only these rules (e.g. KMS-POL-01,KMS-ROT-01); the report says it is filtered',
      ).argParser(listParser((v) => parseFindingFilter({ rules: v }, FLAGS)?.rules ?? [])),
    )
    .addOption(
      new Option(
        '--severity <list>',
        `report only findings of these severities (${SEVERITIES.join(', ')})`,
      ).argParser(listParser((v) => parseFindingFilter({ severities: v }, FLAGS)?.severities ?? [])),
    )
    .addOption(
      new Option(
        '--status <list>',
        `report only findings of these statuses (${FINDING_STATUSES.join(', ')}); --fail-on sees only what is reported`,
      ).argParser(listParser((v) => parseFindingFilter({ statuses: v }, FLAGS)?.statuses ?? [])),
    );
}

/** The frameworks as `kms-report frameworks` prints them: id, name, version, requirements, rules. */
export function describeFrameworks(): string {
  const rows = availableFrameworks().map((f) => [
    f.id,
    f.framework,
    f.version ?? '-',
    String(f.requirements.length),
    f.ruleIds.join(' '),
  ]);
  const header = ['ID', 'FRAMEWORK', 'VERSION', 'REQUIREMENTS', 'RULES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
