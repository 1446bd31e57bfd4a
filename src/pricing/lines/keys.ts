import type { InventorySnapshot, KeyManager, KeyMetadata } from '../../model/inventory.js';
import { collectedValue } from '../../model/observed.js';
import type { KeyCost, KeyCostSource } from '../../model/pricing.js';
import { LIFECYCLE_EVENT_NAMES, type MonthUsage } from '../../model/usage.js';
import { compareBy } from '../../util/compare.js';
import { totalOf } from '../money.js';
import { keyFeeLines } from './key-fee.js';
import { type KeyEvidence, type KeySubject, keyOwner } from './lookups.js';
import type { AssumptionUse, MonthInputs } from './produced.js';
import { keyRequestLines } from './requests.js';
import { rotationLines } from './rotation.js';

/** Lifecycle events only customer managed keys can have (AWS rotates its own keys, so RotateKey says nothing). */
const CUSTOMER_ONLY_EVENTS: ReadonlySet<string> = new Set(
  LIFECYCLE_EVENT_NAMES.filter((e) => e !== 'RotateKey'),
);

const CUSTOM_KEY_STORE_NOTICE =
  'Keys in custom key stores also incur CloudHSM (or external key manager) charges, which this estimate does not include.';

/** The month's keys: each with what was seen of it (the inventory's record, its events, its request counts). */
function gatherEvidence(
  snapshot: InventorySnapshot,
  usage: MonthUsage | undefined,
): Map<string, KeyEvidence> {
  const evidence = new Map<string, KeyEvidence>();
  const get = (arn: string): KeyEvidence => {
    let e = evidence.get(arn);
    if (!e) {
      e = { arn, record: null, events: [], requests: [] };
      evidence.set(arn, e);
    }
    return e;
  };
  for (const k of snapshot.keys) get(k.arn).record = k;
  for (const e of usage?.lifecycle ?? []) get(e.keyArn).events.push(e);
  for (const r of usage?.requests ?? []) get(r.keyArn).requests.push(r);
  return evidence;
}

function inferKeyManager(evidence: KeyEvidence, metadata: KeyMetadata | undefined): KeyManager | null {
  if (metadata) return metadata.keyManager;
  const aliases = evidence.record ? collectedValue(evidence.record.aliases) : undefined;
  if (aliases?.some((a) => a.startsWith('alias/aws/'))) return 'AWS';
  if (evidence.events.some((e) => CUSTOMER_ONLY_EVENTS.has(e.event))) return 'CUSTOMER';
  return null;
}

/** The priced keys of the month and what their lines assumed and raised. */
export interface KeyCosts {
  /** By account, region and ARN. */
  readonly keys: KeyCost[];
  readonly assumptions: AssumptionUse[];
  readonly notices: string[];
}

/**
 * Every key of the month priced: its key fee, rotation fees and requests. A key created after
 * the month, with nothing happening to it in the month, is not part of it.
 */
export function keyCosts(inputs: MonthInputs): KeyCosts {
  const out: KeyCosts = { keys: [], assumptions: [], notices: [] };
  for (const e of gatherEvidence(inputs.snapshot, inputs.usage).values()) {
    const created = e.record ? collectedValue(e.record.metadata)?.creationDate : null;
    if (
      created &&
      Date.parse(created) >= inputs.period.end &&
      e.events.length === 0 &&
      e.requests.length === 0
    )
      continue;
    priceKey(inputs, e, out);
  }
  out.keys.sort(
    compareBy(
      (k) => k.account,
      (k) => k.region,
      (k) => k.keyArn,
    ),
  );
  return out;
}

/** One key's cost, from the producers of its lines, added to `out`. */
function priceKey(inputs: MonthInputs, evidence: KeyEvidence, out: KeyCosts): void {
  const record = evidence.record;
  const metadata = record ? collectedValue(record.metadata) : undefined;
  const key: KeySubject = { evidence, owner: keyOwner(evidence), metadata };
  const source: KeyCostSource = record
    ? 'snapshot'
    : evidence.events.length > 0
      ? 'lifecycle-events'
      : 'request-counts';
  const keyManager = inferKeyManager(evidence, metadata);
  const keySpec = metadata?.keySpec ?? null;
  const fee = keyFeeLines(inputs, key, source, keyManager);
  const rotation = fee.billable === null ? null : rotationLines(inputs, key, fee.billable);
  const storeNote = metadata?.customKeyStoreId
    ? ['custom key store: CloudHSM or external key manager charges are not included']
    : [];
  if (storeNote.length > 0) out.notices.push(CUSTOM_KEY_STORE_NOTICE);
  const requests = keyRequestLines(inputs, key, keySpec);
  const parts = [fee, ...(rotation ? [rotation] : []), requests];
  const lines = parts.flatMap((p) => p.lines);
  for (const p of parts) out.assumptions.push(...p.assumptions);
  out.keys.push({
    keyArn: evidence.arn,
    account: key.owner.account,
    region: key.owner.region,
    keyId: key.owner.keyId,
    source,
    keyManager,
    keySpec,
    multiRegionRole: metadata?.multiRegion?.role ?? null,
    billableHours: fee.billableHours,
    lines,
    total: totalOf(lines.filter((l) => inputs.inTotal.has(l.account))),
    notes: [...fee.notes, ...(rotation?.notes ?? []), ...storeNote, ...requests.notes],
  });
}
