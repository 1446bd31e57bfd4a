import { InputError } from '../errors.js';
import type { InventorySnapshot } from '../model/inventory.js';
import { collectedValue } from '../model/observed.js';
import type { Month } from '../util/month.js';

/** The inventory as the month saw it, and the keys left out because they came later. */
export interface MonthInventory {
  readonly snapshot: InventorySnapshot;
  /** ARNs of the keys created after the month. */
  readonly later: string[];
}

/**
 * The inventory as of `month`: keys created after it are left out (the month is reported as it
 * was). A month to date is priced up to the inventory's time, so an inventory taken before the
 * month began (every fee would be for 0 hours) is refused, naming `name` (its file).
 */
export function inventoryAsOf(snapshot: InventorySnapshot, month: Month, name: string): MonthInventory {
  const takenAt = snapshot.collection.finishedAt;
  if (month.monthToDate && Date.parse(takenAt) < month.start.getTime())
    throw new InputError(
      name,
      `the inventory was taken at ${takenAt}, before ${month.month} began: it cannot price ${month.month} to date; collect the inventory again (or give a snapshot taken during ${month.month})`,
    );
  const end = month.end.getTime();
  const later = snapshot.keys
    .filter((k) => {
      const created = collectedValue(k.metadata)?.creationDate;
      return created !== null && created !== undefined && Date.parse(created) >= end;
    })
    .map((k) => k.arn);
  if (later.length === 0) return { snapshot, later };
  const drop = new Set(later);
  return { snapshot: { ...snapshot, keys: snapshot.keys.filter((k) => !drop.has(k.arn)) }, later };
}
