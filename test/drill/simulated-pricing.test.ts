import { onDemandUsdPerHour, priceFilters } from '../../lambdas/evidence/pricing';
import { simulatedGetProducts } from '../../drill/simulated-pricing';

describe('the simulated Price List API', () => {
  it('answers the responder\'s own filters with one product whose on-demand price the responder reads', () => {
    const out = simulatedGetProducts({ ServiceCode: 'AmazonEC2', Filters: priceFilters({ instanceType: 'c5.24xlarge', region: 'eu-west-1', operatingSystem: 'Linux' }) });

    expect(out.PriceList).toHaveLength(1);
    expect(onDemandUsdPerHour(out.PriceList[0])).toEqual([4.608]);
  });

  it.each([
    ['a type it does not list', { instanceType: 'x9.weird', region: 'eu-west-1', operatingSystem: 'Linux' as const }],
    ['a region it does not list', { instanceType: 'm5.large', region: 'ap-south-1', operatingSystem: 'Linux' as const }],
    ['Windows (the table is Linux only)', { instanceType: 'm5.large', region: 'us-east-1', operatingSystem: 'Windows' as const }],
  ])('answers no product for %s', (_case, query) => {
    expect(simulatedGetProducts({ ServiceCode: 'AmazonEC2', Filters: priceFilters(query) }).PriceList).toEqual([]);
  });
});
