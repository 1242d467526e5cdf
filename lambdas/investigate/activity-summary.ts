// The activity in brief: counts by region and service, top source IPs and user agents, the notable
// calls (each with one human line) and what the key left behind.
import { Investigation, LIMITS, NotableEvent, NOTABLE_EVENT_NAMES, SSE_C_HEADER } from './contract';
import { Activity } from './cloudtrail-search';
import { describeEvent } from './describe-event';
import { LeftBehindCollector } from './left-behind';
import { clip, clipOptional, get, isObject, sortedRecord, str, top } from './text';

const NOTABLE = new Set(NOTABLE_EVENT_NAMES);

export interface Summary {
  byRegion: Record<string, number>;
  byService: Record<string, number>;
  sourceIps: Investigation['sourceIps'];
  userAgents: Investigation['userAgents'];
  notable: NotableEvent[];
  leftBehind: Investigation['leftBehind'];
  truncated: string[];
}

export function summarise(events: Activity[]): Summary {
  const byRegion: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const ips = new Map<string, number>();
  const agents = new Map<string, number>();
  const notable: NotableEvent[] = [];
  const left = new LeftBehindCollector();
  for (const event of events) {
    byRegion[event.region] = (byRegion[event.region] ?? 0) + 1;
    byService[event.eventSource] = (byService[event.eventSource] ?? 0) + 1;
    const ip = str(event.record.sourceIPAddress);
    if (ip) ips.set(ip, (ips.get(ip) ?? 0) + 1);
    const agent = str(event.record.userAgent);
    if (agent) agents.set(agent, (agents.get(agent) ?? 0) + 1);
    if (isNotable(event)) notable.push(toNotable(event));
    if (!str(event.record.errorCode)) left.add(event);
  }
  // Lists cut to keep the output small are said in `truncated`: not a failure, nothing is missing
  // from the activity object.
  const truncated: string[] = [];
  const picked = pickNotable(notable);
  if (picked.length < notable.length) {
    truncated.push(`notable: ${notable.length} notable events, ${picked.length} listed (each kind at least once, successful calls first): all are in the activity object`);
  }
  const leftBehind = left.result(truncated);
  return {
    byRegion: sortedRecord(byRegion),
    byService: sortedRecord(byService),
    sourceIps: top(ips),
    userAgents: top(agents),
    notable: picked,
    leftBehind,
    truncated,
  };
}

function isNotable(event: Activity): boolean {
  if (NOTABLE.has(event.eventName)) return true;
  // SSE-C: objects rewritten with a key only the attacker holds (the ransom pattern).
  return (
    event.eventSource === 's3.amazonaws.com' &&
    (event.eventName === 'CopyObject' || event.eventName === 'PutObject') &&
    isObject(event.record.requestParameters) &&
    event.record.requestParameters[SSE_C_HEADER] !== undefined
  );
}

function toNotable(event: Activity): NotableEvent {
  const r = event.record;
  const notable: NotableEvent = {
    eventTime: event.eventTime,
    region: event.region,
    eventSource: event.eventSource,
    eventName: event.eventName,
    accessKeyId: str(get(r, 'userIdentity', 'accessKeyId')),
    sourceIp: str(r.sourceIPAddress),
    errorCode: clipOptional(str(r.errorCode), 100),
    summary: clip(describeEvent(event), LIMITS.text),
  };
  for (const k of ['accessKeyId', 'sourceIp', 'errorCode'] as const) if (notable[k] === undefined) delete notable[k];
  return notable;
}

/**
 * At most {@link LIMITS.notable}: one of each kind (event name) in turn, successful calls before
 * failed attempts and oldest first within a kind, so a burst of one kind cannot hide another.
 * Listed oldest first.
 */
function pickNotable(all: NotableEvent[]): NotableEvent[] {
  if (all.length <= LIMITS.notable) return all;
  const kinds = new Map<string, NotableEvent[]>();
  for (const n of all) {
    const list = kinds.get(n.eventName) ?? [];
    list.push(n);
    kinds.set(n.eventName, list);
  }
  const queues = [...kinds.values()].map((list) => [...list.filter((n) => !n.errorCode), ...list.filter((n) => n.errorCode)]);
  const picked: NotableEvent[] = [];
  for (let i = 0; picked.length < LIMITS.notable; i++) {
    for (const queue of queues) if (i < queue.length && picked.length < LIMITS.notable) picked.push(queue[i]);
  }
  const order = new Map(all.map((n, i) => [n, i]));
  return picked.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** What the key created or started, from calls that succeeded. */
