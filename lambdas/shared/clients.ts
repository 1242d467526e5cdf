/** One SDK client a region, built on first use and kept for the Lambda's life. */
export function perRegion<C>(build: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = build(region);
      clients.set(region, client);
    }
    return client;
  };
}

/**
 * The SDK retries of a step Lambda whose Task retries TransientAwsError itself (contain, verify,
 * evidence, report, support, notify) or whose core has its own loop (investigate, evidence): none.
 * One HTTP request a send; the one retry loop of each call is in the table of lambdas/shared/retry.ts.
 */
export const NO_SDK_RETRIES = { maxAttempts: 1 } as const;

/** What the drill may replace in a handler: the real waits (rate limits, back-off). */
export interface HandlerOptions {
  readonly sleep?: (ms: number) => Promise<void>;
}
