// The AWS Price List API (GetProducts) of the drill's simulated account: a small built-in table of
// hourly on-demand prices. SIMULATED prices: modelled on the published Linux on-demand prices of
// these types in us-east-1 and eu-west-1, rounded as AWS lists them, but not read from AWS and not
// to be quoted as AWS's. A type, region or OS not in the table answers with no product, as the real
// API does for a filter that matches nothing.

/** USD an hour: `type -> region -> price` (Linux, shared tenancy, no pre-installed software). */
export const SIMULATED_LINUX_PRICES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  't3.micro': { 'us-east-1': '0.0104000000', 'eu-west-1': '0.0114000000' },
  'm5.large': { 'us-east-1': '0.0960000000', 'eu-west-1': '0.1070000000' },
  'c5.xlarge': { 'us-east-1': '0.1700000000', 'eu-west-1': '0.1920000000' },
  'c5.24xlarge': { 'us-east-1': '4.0800000000', 'eu-west-1': '4.6080000000' },
  'p3.2xlarge': { 'us-east-1': '3.0600000000', 'eu-west-1': '3.3050000000' },
};

/** The filters the responder must send for a price to be answered: anything else matches nothing. */
const REQUIRED_TERMS: Readonly<Record<string, string>> = {
  operatingSystem: 'Linux',
  tenancy: 'Shared',
  preInstalledSw: 'NA',
  capacitystatus: 'Used',
  licenseModel: 'No License required',
};

/** GetProducts over the table: one product document (the real API's shape) or none. */
export function simulatedGetProducts(input: Record<string, unknown>): { FormatVersion: string; PriceList: string[] } {
  const filters = Object.fromEntries(
    ((input.Filters as Array<{ Field?: string; Value?: string }> | undefined) ?? []).map((f) => [String(f.Field), String(f.Value)]),
  );
  const region = filters.regionCode;
  const price = input.ServiceCode === 'AmazonEC2' && region ? SIMULATED_LINUX_PRICES[filters.instanceType]?.[region] : undefined;
  const matches = Object.entries(REQUIRED_TERMS).every(([field, value]) => filters[field] === value);
  if (!price || !matches) return { FormatVersion: 'aws_v1', PriceList: [] };
  const sku = `SIM${filters.instanceType.replace(/\W/g, '').toUpperCase()}${region.replace(/\W/g, '').toUpperCase()}`;
  const offer = `${sku}.JRTCKXETXF`;
  const product = {
    product: { productFamily: 'Compute Instance', attributes: { ...filters, servicecode: 'AmazonEC2', operation: 'RunInstances' }, sku },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [offer]: {
          priceDimensions: {
            [`${offer}.6YS6EN2CT7`]: {
              unit: 'Hrs',
              beginRange: '0',
              endRange: 'Inf',
              description: `$${Number(price)} per On Demand Linux ${filters.instanceType} Instance Hour (simulated)`,
              pricePerUnit: { USD: price },
            },
          },
          sku,
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: 'simulated',
  };
  return { FormatVersion: 'aws_v1', PriceList: [JSON.stringify(product)] };
}
