import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PricingTableError } from '../../../src/pricing/errors.js';
import { DEFAULT_PRICING_DIR, loadPricingTables } from '../../../src/pricing/load.js';
import { formatMoney, formatTotal, sumMoney, totalOf } from '../../../src/pricing/money.js';
import {
  parsePricingTable,
  regionPrices,
  selectTable,
  serializePricingTable,
} from '../../../src/pricing/table.js';
import { parseMonth } from '../../../src/util/month.js';

async function tableText(name = 'aws-kms.2024-04-01.json'): Promise<string> {
  return readFile(join(DEFAULT_PRICING_DIR, name), 'utf8');
}

describe('Pricing tables', () => {
  it('loads and validates every shipped table, each with provenance and an effective period', async () => {
    const tables = await loadPricingTables();
    expect(tables.map((t) => [t.version, t.effective.from, t.effective.until, t.currency])).toEqual([
      ['aws-kms.2014-11-12', '2014-11-12', '2024-04-01', 'USD'],
      ['aws-kms.2024-04-01', '2024-04-01', null, 'USD'],
    ]);
    for (const t of tables) expect(t.provenance.source).toMatch(/^https:\/\/aws\.amazon\.com\/kms\/pricing/);
  });

  it('marks the five checked regions verified and every other one not verified', async () => {
    const current = selectTable(await loadPricingTables(), parseMonth('2026-11'));
    const verified = Object.entries(current.regions)
      .filter(([, p]) => p.verified)
      .map(([r]) => r);
    expect(verified).toEqual(['ap-southeast-2', 'eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(current.regions['ap-south-1']).toMatchObject({
      verified: false,
      basis: expect.stringMatching(/assumed/),
    });
  });

  it('selects the uncapped table up to March 2024 and the capped one from April 2024', async () => {
    const tables = await loadPricingTables();
    expect(
      selectTable(tables, parseMonth('2024-03')).regions['us-east-1']?.rotation.billedRotationsCap,
    ).toBeNull();
    expect(selectTable(tables, parseMonth('2024-04')).regions['us-east-1']?.rotation.billedRotationsCap).toBe(
      2,
    );
  });

  it('prefers the most recently checked of two tables for the same period', async () => {
    const tables = await loadPricingTables();
    const current = selectTable(tables, parseMonth('2026-11'));
    const refreshed = {
      ...current,
      version: 'aws-kms.2027-01-05',
      provenance: { ...current.provenance, checked: '2027-01-05' },
    };
    expect(selectTable([...tables, refreshed], parseMonth('2026-11')).version).toBe('aws-kms.2027-01-05');
  });

  it('rejects a broken table naming the file and the field', async () => {
    const data = JSON.parse(await tableText());
    data.regions['us-east-1'].keyMonth = 1;
    expect(() => parsePricingTable(JSON.stringify(data), 'pricing/broken.json')).toThrow(
      /pricing table pricing\/broken.json: regions\.us-east-1\.keyMonth: /,
    );
    delete data.regions['eu-west-1'].requestsPer10k['KMS-Requests-GenerateDatakeyPair-RSA'];
    data.regions['us-east-1'].keyMonth = '1.00';
    expect(() => parsePricingTable(JSON.stringify(data), 'x.json')).toThrow(
      /regions\.eu-west-1\.requestsPer10k\.KMS-Requests-GenerateDatakeyPair-RSA/,
    );
    expect(() => parsePricingTable('{', 'y.json')).toThrow(PricingTableError);
  });

  it('rejects a folder holding a broken table, naming that file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-pricing-'));
    await writeFile(join(dir, 'good.json'), await tableText());
    const bad = JSON.parse(await tableText('aws-kms.2014-11-12.json'));
    bad.effective.until = '2010-01-01';
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    await expect(loadPricingTables(dir)).rejects.toThrow(
      /bad\.json: effective\.until: effective\.until must be after/,
    );
  });

  it('round-trips through serialization', async () => {
    const t = parsePricingTable(await tableText(), 'a.json');
    expect(serializePricingTable(t)).toBe(await tableText());
  });

  it('names a region it does not price', async () => {
    const t = parsePricingTable(await tableText(), 'a.json');
    expect(() => regionPrices(t, 'cn-north-1')).toThrow(
      /region cn-north-1 is not in pricing table aws-kms.2024-04-01/,
    );
  });
});

describe('Money', () => {
  it('adds decimal strings exactly (no binary floating point drift)', () => {
    expect(sumMoney(['0.1', '0.2'])).toBe('0.3');
    expect(totalOf([{ amount: '0.000003' }, { amount: '-0.06' }, { amount: null }])).toEqual({
      amount: '-0.059997',
      complete: false,
      unknownLines: 1,
    });
  });

  it('rounds only for display, half up, with the sign in front', () => {
    expect(formatMoney('0.015')).toBe('$0.02');
    expect(formatMoney('0.516129032258')).toBe('$0.52');
    expect(formatMoney('-0.06')).toBe('-$0.06');
    expect(formatMoney('-0.001')).toBe('$0.00');
    expect(formatMoney('12', { currency: 'CNY' })).toBe('12.00 CNY');
    expect(formatMoney(null)).toBe('unknown');
    expect(formatTotal({ amount: '3', complete: true, unknownLines: 0 })).toBe('$3.00');
  });
});
