import type { NetworkOptions } from '../../collect/client-defaults.js';
import {
  type ComplianceConfig,
  DEFAULT_COMPLIANCE_CONFIG,
  loadComplianceConfig,
} from '../../compliance/config.js';
import type { InventorySnapshot } from '../../model/inventory.js';
import type { FreeTierScope } from '../../model/pricing.js';
import type { MonthUsage } from '../../model/usage.js';
import type { UsageEvidence } from '../../usage/evidence.js';
import { type Month, resolveReportMonth } from '../../util/month.js';
import type { ProgressOptions } from '../options.js';

/** What every evidence source gives the pipeline, whatever it read. */
export interface Evidence {
  /** The inventory as collected or saved (written beside the report as snapshot.json). */
  readonly snapshot: InventorySnapshot;
  /** The month's request volumes; null when none were read. */
  readonly usage: MonthUsage | null;
  /** The usage evidence file written beside the report as usage.json (with its reconciliation). */
  readonly usageFile: UsageEvidence | null;
  readonly config: ComplianceConfig;
  /** The free tier's scope when none is asked for (see {@link freeTierScopeOf}). */
  readonly freeTierScope: FreeTierScope;
}

/** What the run gives a source to gather with. */
export interface GatherContext {
  /** The compliance configuration file, read before anything is collected (a bad file costs no AWS calls). */
  readonly configFile?: string;
  readonly network?: NetworkOptions;
  readonly signal?: AbortSignal;
  /** The run's deadline: what is not read by then is a gap. */
  readonly deadline?: AbortSignal;
  readonly progress?: ProgressOptions;
}

/** One place evidence comes from: live (one account), an organisation, saved files, the demo. */
export interface EvidenceSource {
  /** What error messages call the inventory: its file, or `snapshot`. */
  readonly name: string;
  /** The report is labelled demo data. */
  readonly demo: boolean;
  /**
   * The time the evidence stands at, given the run's: the default month is counted from it, and
   * it dates the report (`generatedAt`) and the rules' judgement. The run's own time, except for
   * the demo, whose evidence has a fixed time.
   */
  clock(now: Date): Date;
  /** The month to report: the one asked for or the default, at `at` (a month the evidence cannot hold is refused). */
  month(requested: string | undefined, at: Date): Month;
  /** Reads the evidence of `month`. */
  gather(month: Month, run: GatherContext): Promise<Evidence>;
}

/**
 * A source of real evidence (every source but the demo): it stands at the run's own time, and
 * reports the month asked for or the previous one.
 */
export function sourceAtRunTime(name: string, gather: EvidenceSource['gather']): EvidenceSource {
  return { name, demo: false, clock: (now) => now, month: resolveReportMonth, gather };
}

/** The configuration in `file`, or the source's own when none is given. */
export async function complianceConfigOf(
  file: string | undefined,
  fallback: () => ComplianceConfig = () => DEFAULT_COMPLIANCE_CONFIG,
): Promise<ComplianceConfig> {
  return file ? loadComplianceConfig(file) : fallback();
}

/**
 * One free tier for an organisation (consolidated billing, the common case), one per account
 * otherwise. Read from the evidence, so that a report rendered again from its own `snapshot.json`
 * prices the month as the live run did: a snapshot whose accounts were listed from AWS
 * Organizations (`--org`) records the organisation's id (`organization.id`); accounts named with
 * `--accounts` alone record none.
 */
export function freeTierScopeOf(
  snapshot: Pick<InventorySnapshot, 'organization'>,
  listedFromOrganization = false,
): FreeTierScope {
  return listedFromOrganization || snapshot.organization?.id != null ? 'organization' : 'account';
}
