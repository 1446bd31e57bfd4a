/**
 * Recorded-style AWS Price List answers for service code AWSKMS: each PriceList entry is a
 * JSON string, as pricing:GetProducts returns it (format aws_v1).
 */

const LOCATIONS: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'eu-west-3': 'Europe (Paris)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
};

let skuCounter = 0;

function sku(): string {
  skuCounter += 1;
  return `Q${String(skuCounter).padStart(4, '0')}KMSSKU7X`;
}

/** One product of the Price List, as the JSON string the API returns. */
export function product(
  region: string,
  suffix: string,
  dimensions: readonly { unit: string; usd: string; begin?: string; end?: string; description?: string }[],
): string {
  const id = sku();
  const term = 'JRTCKXETXF';
  const family = suffix === 'KMS-Keys' ? 'Encryption Key' : 'API Request';
  return JSON.stringify({
    product: {
      productFamily: family,
      attributes: {
        regionCode: region,
        servicecode: 'awskms',
        usagetype: `${region}-${suffix}`,
        locationType: 'AWS Region',
        location: LOCATIONS[region] ?? region,
        servicename: 'AWS Key Management Service',
        operation: '',
      },
      sku: id,
    },
    serviceCode: 'AWSKMS',
    terms: {
      OnDemand: {
        [`${id}.${term}`]: {
          priceDimensions: Object.fromEntries(
            dimensions.map((d, i) => [
              `${id}.${term}.${['6YS6EN2CT7', '8EEUB22XNJ', 'VXGAKVFDBD'][i] ?? 'ZZZZZZZZZZ'}`,
              {
                unit: d.unit,
                endRange: d.end ?? 'Inf',
                description: d.description ?? `$${d.usd} per ${d.unit}`,
                appliesTo: [],
                rateCode: `${id}.${term}.6YS6EN2CT7`,
                beginRange: d.begin ?? '0',
                pricePerUnit: { USD: d.usd },
              },
            ]),
          ),
          sku: id,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: term,
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

/** A region's full set of AWSKMS products at the given prices (per request, per key-month). */
export function regionProducts(
  region: string,
  prices: {
    keys?: string;
    symmetric?: string;
    rsa2048?: string;
    asymmetric?: string;
    ecc?: string;
    rsaPair?: string;
  } = {},
): string[] {
  return [
    product(region, 'KMS-Keys', [{ unit: 'Keys', usd: prices.keys ?? '1.0000000000' }]),
    // The free first 20,000 requests appear as a zero-priced range.
    product(region, 'KMS-Requests', [
      { unit: 'Requests', usd: '0.0000000000', begin: '0', end: '20000' },
      { unit: 'Requests', usd: prices.symmetric ?? '0.0000030000', begin: '20000', end: 'Inf' },
    ]),
    product(region, 'KMS-Requests-Asymmetric-RSA_2048', [
      { unit: 'Requests', usd: prices.rsa2048 ?? '0.0000030000' },
    ]),
    product(region, 'KMS-Requests-Asymmetric', [
      { unit: 'Requests', usd: prices.asymmetric ?? '0.0000150000' },
    ]),
    product(region, 'KMS-Requests-GenerateDatakeyPair-ECC', [
      { unit: 'Requests', usd: prices.ecc ?? '0.0000100000' },
    ]),
    product(region, 'KMS-Requests-GenerateDatakeyPair-RSA', [
      { unit: 'Requests', usd: prices.rsaPair ?? '0.0012000000' },
    ]),
  ];
}
