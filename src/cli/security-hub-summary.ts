import type { SecurityHubImport } from '../publish/security-hub.js';
import { ExitCode } from './exit-codes.js';
import { plural } from './options.js';

/** Failures named per region in the summary (all are counted). */
const FAILURES_SHOWN = 3;

/**
 * What `--security-hub` did, for the summary: one line per account and region, and the first
 * failures with their reasons.
 */
export function securityHubSummary(result: SecurityHubImport): string {
  const lines = result.regions.map((r) => {
    const head = `  Security Hub ${r.account} ${r.region}: ${r.created} new, ${r.updated} updated, ${r.archived} resolved (archived)${r.failedCount > 0 ? `, ${r.failedCount} not taken` : ''}`;
    const failures = r.failed
      .slice(0, FAILURES_SHOWN)
      .map((f) => `    ${f.id}: ${f.code}${f.message ? ` ${f.message}` : ''}`);
    return [head, ...(r.problem ? [`    ${r.problem}`] : []), ...failures].join('\n');
  });
  return `${lines.join('\n')}\n`;
}

/** The exit code and its reason when Security Hub did not take everything; null when it did. */
export function securityHubExit(result: SecurityHubImport | null): { code: number; reason: string } | null {
  if (!result || result.complete) return null;
  const failed = result.regions.reduce((n, r) => n + r.failedCount, 0);
  const troubled = result.regions.filter((r) => r.failedCount > 0 || r.problem).map((r) => r.region);
  return {
    code: ExitCode.SecurityHub,
    reason: `exit ${ExitCode.SecurityHub} (--security-hub): ${failed > 0 ? `${plural(failed, 'finding')} not taken by Security Hub` : 'the import was not complete (see above)'} in ${[...new Set(troubled)].join(', ')}; the report set was written`,
  };
}
