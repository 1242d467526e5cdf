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

/** What the drill may replace in a handler: the real waits (rate limits, back-off). */
export interface HandlerOptions {
  readonly sleep?: (ms: number) => Promise<void>;
}
