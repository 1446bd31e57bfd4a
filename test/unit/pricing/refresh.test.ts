import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PriceListError } from '../../../src/pricing/errors.js';
import { refreshPricingTable, renderTableChanges, usageTypeSuffix } from '../../../src/pricing/refresh.js';
import { parsePricingTable, selectTable, serializePricingTable } from '../../../src/pricing/table.js';
import { parseMonth } from '../../../src/util/month.js';
import { shippedTables } from './fixtures.js';
import { product, regionProducts } from './price-list-fixtures.js';

const pricingMock = mockClient(PricingClient);
const base = selectTable(shippedTables(), parseMonth('2026-11'));
const client = () => new PricingClient({ region: 'us-east-1' });

describe('Function: refreshPricingTable', () => {
  beforeEach(() => {
    pricingMock.reset();
  });

  it('pages GetProducts for AWSKMS per region and rebuilds the region, marked verified', async () => {
    // Prepare: eu-west-3 answers over two pages; symmetric requests now $0.0000035 each.
    const [keys, symmetric, ...rest] = regionProducts('eu-west-3', { symmetric: '0.0000035000' });
    pricingMock
      .on(GetProductsCommand)
      .resolvesOnce({
        FormatVersion: 'aws_v1',
        PriceList: [keys as string, symmetric as string],
        NextToken: 'page-2',
      })
      .resolvesOnce({ FormatVersion: 'aws_v1', PriceList: rest });
    // Act
    const result = await refreshPricingTable({
      client: client(),
      regions: ['eu-west-3'],
      base,
      today: '2026-11-29',
    });
    // Assess: the requests, the paging and the region.
    const calls = pricingMock.commandCalls(GetProductsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      ServiceCode: 'AWSKMS',
      Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-3' }],
    });
    expect(calls[1]?.args[0].input.NextToken).toBe('page-2');
    // $0.0000035 × 10,000 = $0.035 per 10k.
    expect(result.table.regions['eu-west-3']).toMatchObject({
      verified: true,
      keyMonth: '1.00',
      requestsPer10k: {
        'KMS-Requests': '0.035',
        'KMS-Requests-GenerateDatakeyPair-RSA': '12.00',
        'KMS-Requests-GenerateDatakeyPair-ECC': '0.10',
      },
      rotation: { perRotationMonth: '1.00', billedRotationsCap: 2 },
    });
    expect(result.changes).toEqual([
      { region: 'eu-west-3', field: 'verified', before: false, after: true },
      { region: 'eu-west-3', field: 'requestsPer10k.KMS-Requests', before: '0.03', after: '0.035' },
    ]);
    expect(renderTableChanges(result.changes)).toContain(
      'eu-west-3 requestsPer10k.KMS-Requests: 0.03 -> 0.035',
    );
  });

  it('writes a new dated table that keeps the rules and other regions, and validates on reload', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: regionProducts('us-east-1') });
    const result = await refreshPricingTable({
      client: client(),
      regions: ['us-east-1'],
      base,
      today: '2026-12-01',
    });
    expect(result.fileName).toBe('aws-kms.2026-12-01.json');
    expect(result.changes).toEqual([]);
    expect(renderTableChanges(result.changes)).toBe('No price changed.\n');
    const reread = parsePricingTable(serializePricingTable(result.table), result.fileName);
    expect(reread).toMatchObject({
      version: 'aws-kms.2026-12-01',
      effective: base.effective,
      freeTier: base.freeTier,
      provenance: { method: 'price-list', checked: '2026-12-01' },
    });
    expect(reread.regions['ap-south-1']).toEqual(base.regions['ap-south-1']);
    // The refreshed table wins for months of its period: it was checked later.
    expect(selectTable([base, reread], parseMonth('2026-12')).version).toBe('aws-kms.2026-12-01');
  });

  it('keeps a price the Price List lacks, marks the region not verified and warns', async () => {
    const products = regionProducts('ap-south-1').filter((p) => !p.includes('GenerateDatakeyPair-RSA'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: products });
    const result = await refreshPricingTable({
      client: client(),
      regions: ['ap-south-1'],
      base,
      today: '2026-11-29',
    });
    expect(result.table.regions['ap-south-1']).toMatchObject({
      verified: false,
      requestsPer10k: { 'KMS-Requests-GenerateDatakeyPair-RSA': '12.00' },
    });
    expect(result.warnings.join()).toMatch(
      /ap-south-1: KMS-Requests-GenerateDatakeyPair-RSA not in the Price List/,
    );
  });

  it('adds a region the base table did not have', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: regionProducts('ap-east-2') });
    const result = await refreshPricingTable({
      client: client(),
      regions: ['ap-east-2'],
      base,
      today: '2026-11-29',
    });
    expect(result.changes).toEqual([{ region: 'ap-east-2', field: '*', before: null, after: 'added' }]);
    expect(result.table.regions['ap-east-2']?.verified).toBe(true);
  });

  it('fails naming the region when the Price List has no AWSKMS product for it', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [] });
    await expect(
      refreshPricingTable({ client: client(), regions: ['eu-fake-1'], base, today: '2026-11-29' }),
    ).rejects.toThrow(/AWS Price List \(eu-fake-1\): no AWSKMS products/);
  });

  it('keeps the SDK error as the cause', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    pricingMock.on(GetProductsCommand).rejects(throttled);
    const run = refreshPricingTable({ client: client(), regions: ['us-east-1'], base, today: '2026-11-29' });
    await expect(run).rejects.toBeInstanceOf(PriceListError);
    await expect(run).rejects.toMatchObject({
      message: expect.stringMatching(/ThrottlingException: Rate exceeded/),
    });
  });

  it('refuses two different paid prices for one usage type (tiered prices)', async () => {
    pricingMock.on(GetProductsCommand).resolves({
      PriceList: [
        ...regionProducts('us-east-1').slice(0, 1),
        product('us-east-1', 'KMS-Requests', [
          { unit: 'Requests', usd: '0.0000030000', end: '1000000' },
          { unit: 'Requests', usd: '0.0000020000', begin: '1000000' },
        ]),
      ],
    });
    await expect(
      refreshPricingTable({ client: client(), regions: ['us-east-1'], base, today: '2026-11-29' }),
    ).rejects.toThrow(/tiered prices are not supported/);
  });
});

describe('Function: usageTypeSuffix', () => {
  it.each([
    ['us-east-1-KMS-Requests', 'KMS-Requests'],
    ['eu-west-3-KMS-Requests-Asymmetric', 'KMS-Requests-Asymmetric'],
    ['eu-west-3-KMS-Requests-Asymmetric-RSA_2048', 'KMS-Requests-Asymmetric-RSA_2048'],
    ['us-east-1-KMS-Requests-GenerateDatakeyPair-RSA', 'KMS-Requests-GenerateDatakeyPair-RSA'],
    ['us-east-1-KMS-Requests-GenerateDatakeyPair-ECC', 'KMS-Requests-GenerateDatakeyPair-ECC'],
    ['us-east-1-KMS-Keys', 'KMS-Keys'],
    ['us-east-1-KMS-Something-New', null],
  ])('%s → %s', (usageType, suffix) => {
    expect(usageTypeSuffix(usageType)).toBe(suffix);
  });
});
