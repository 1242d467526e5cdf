// The hourly on-demand price of the instances the key launched, from the AWS Price List API. Best
// effort by design: a price that cannot be had is absent with a short reason, never a failure.
import { FilterType, GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { awsErrorCode } from '../shared/errors';
import { Log } from '../shared/logger';
import { billsByTheHour, InstanceEvidence, OperatingSystem } from './contract';

/** The Price List API answers in us-east-1 (also ap-south-1 and eu-central-1), whatever region is priced. */
export const PRICING_REGION = 'us-east-1';
/** Distinct (type, region, OS) lookups at most; the rest are left unpriced, with that reason. */
export const MAX_PRICE_LOOKUPS = 8;
/** The whole pricing phase's time budget: evidence must not wait on a price. */
export const PRICE_BUDGET_MS = 4000;

/** What one lookup is about. */
export interface PriceQuery {
  readonly instanceType: string;
  readonly region: string;
  readonly operatingSystem: OperatingSystem;
}

/** A price in USD an hour, or why there is none (one short phrase). */
export type PriceAnswer = { readonly usdPerHour: number } | { readonly unknown: string };

export interface PricingDeps {
  readonly pricing: PricingClient;
  readonly logger: Log;
  /** Overrides {@link PRICE_BUDGET_MS} (tests). */
  readonly budgetMs?: number;
}

export function priceKey(q: PriceQuery): string {
  return `${q.instanceType}|${q.region}|${q.operatingSystem}`;
}

/** The GetProducts filters of the on-demand, shared-tenancy, no-extra-software price of one instance type in one region. */
export function priceFilters(q: PriceQuery): Array<{ Type: FilterType; Field: string; Value: string }> {
  const terms: Array<[string, string]> = [
    ['instanceType', q.instanceType],
    ['regionCode', q.region],
    ['operatingSystem', q.operatingSystem],
    ['tenancy', 'Shared'],
    ['preInstalledSw', 'NA'],
    ['capacitystatus', 'Used'],
    ['licenseModel', 'No License required'],
  ];
  return terms.map(([Field, Value]) => ({ Type: FilterType.TERM_MATCH, Field, Value }));
}

/**
 * One lookup per distinct query, at most {@link MAX_PRICE_LOOKUPS}, all within the time budget.
 * Returns an answer for every query given, keyed by {@link priceKey}.
 */
export async function lookUpPrices(queries: PriceQuery[], deps: PricingDeps): Promise<Map<string, PriceAnswer>> {
  const distinct = new Map<string, PriceQuery>();
  for (const q of queries) distinct.set(priceKey(q), q);
  const answers = new Map<string, PriceAnswer>();
  const asked = [...distinct.entries()].slice(0, MAX_PRICE_LOOKUPS);
  for (const [key] of [...distinct.entries()].slice(MAX_PRICE_LOOKUPS)) answers.set(key, { unknown: `more than ${MAX_PRICE_LOOKUPS} instance types to price` });
  if (asked.length === 0) return answers;

  const budgetMs = deps.budgetMs ?? PRICE_BUDGET_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<PriceAnswer>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ unknown: `the Price List API did not answer within ${budgetMs / 1000} s` });
    }, budgetMs);
  });
  try {
    const results = await Promise.all(asked.map(([, q]) => Promise.race([lookUpOne(q, deps, abort.signal), deadline])));
    asked.forEach(([key], n) => answers.set(key, results[n]));
  } finally {
    clearTimeout(timer);
  }
  deps.logger.info('on-demand prices looked up', { prices: [...answers].map(([key, a]) => `${key}: ${'usdPerHour' in a ? a.usdPerHour : a.unknown}`) });
  return answers;
}

async function lookUpOne(q: PriceQuery, deps: PricingDeps, abortSignal: AbortSignal): Promise<PriceAnswer> {
  try {
    const out = await deps.pricing.send(
      new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: priceFilters(q), FormatVersion: 'aws_v1', MaxResults: 10 }),
      { abortSignal },
    );
    const list = Array.isArray(out.PriceList) ? out.PriceList : [];
    const prices = [...new Set(list.flatMap((doc) => onDemandUsdPerHour(String(doc))))];
    if (prices.length === 0) return { unknown: 'no on-demand price listed' };
    if (prices.length > 1) return { unknown: `${prices.length} different prices listed` };
    return { usdPerHour: prices[0] };
  } catch (err) {
    const code = awsErrorCode(err) ?? 'Error';
    deps.logger.warn('no on-demand price', { ...q, error: code });
    return { unknown: `Price List API: ${code}` };
  }
}

/** The hourly USD prices of one PriceList document's on-demand terms (none when the document does not say). */
export function onDemandUsdPerHour(document: string): number[] {
  let product: unknown;
  try {
    product = JSON.parse(document);
  } catch {
    return [];
  }
  const onDemand = (product as { terms?: { OnDemand?: unknown } } | null)?.terms?.OnDemand;
  if (typeof onDemand !== 'object' || onDemand === null) return [];
  const prices: number[] = [];
  for (const term of Object.values(onDemand as Record<string, { priceDimensions?: unknown }>)) {
    const dimensions = term?.priceDimensions;
    if (typeof dimensions !== 'object' || dimensions === null) continue;
    for (const d of Object.values(dimensions as Record<string, { unit?: unknown; pricePerUnit?: { USD?: unknown } }>)) {
      const usd = Number(d?.pricePerUnit?.USD);
      if (d?.unit === 'Hrs' && Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  return prices;
}

/**
 * The instances with their hourly on-demand price: one Price List lookup per distinct (type,
 * region, OS), shared tenancy only. A price that cannot be had says why; the evidence stands.
 */
export async function priceInstances(
  instances: InstanceEvidence[],
  deps: { readonly pricing?: PricingClient; readonly logger: Log },
): Promise<InstanceEvidence[]> {
  const priceable = (i: InstanceEvidence): PriceQuery | undefined =>
    i.instanceType && i.operatingSystem && billsByTheHour(i.state) && (i.tenancy ?? 'default') === 'default'
      ? { instanceType: i.instanceType, region: i.region, operatingSystem: i.operatingSystem }
      : undefined;
  const queries = instances.flatMap((i) => priceable(i) ?? []);
  const pricing = deps.pricing;
  const answers = pricing && queries.length > 0 ? await lookUpPrices(queries, { pricing, logger: deps.logger }) : new Map<string, PriceAnswer>();
  return instances.map((i) => {
    // A stopped or terminated instance costs no compute now: nothing to price.
    if (!i.instanceType || !billsByTheHour(i.state)) return i;
    const query = priceable(i);
    if (!query) return { ...i, priceUnknown: `${i.tenancy} tenancy is not priced` };
    const answer = answers.get(priceKey(query));
    if (!answer) return { ...i, priceUnknown: 'no price lookup configured' };
    return 'usdPerHour' in answer ? { ...i, usdPerHour: answer.usdPerHour } : { ...i, priceUnknown: answer.unknown };
  });
}
