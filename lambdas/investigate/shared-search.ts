// One CloudTrail search of the account for a wave: LookupEvents allows 2 requests a second per
// region for the whole account, so concurrent incidents must not each page it. The first
// investigation to need a region's window takes a lease (a conditional S3 write), pages every event
// of the window once, and publishes them in the incident bucket; the others wait for it and read
// that, each keeping only its own key's activity (what LookupEvents by AccessKeyId and by Username
// would have answered).
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { awsErrorCode } from '../shared/errors';
import { Incident } from '../shared/incident';
import { tryParseJson } from '../shared/json';
import { Activity, Lookup, searchRegion } from './cloudtrail-search';
import { SharedSearchProblem } from './contract';
import { Context, errorText, withBackoff } from './deps';
import { SlidingWindowLimiter } from './rate-limit';
import { Json } from './text';

/** Where the shared searches live in the incident bucket: `shared-searches/<account>/<region>/`. */
export const SHARED_SEARCH_PREFIX = 'shared-searches/';
/**
 * A search that began this long before an investigation's end of window still serves it: the
 * events it cannot have seen (the last minutes) are re-read by the second look, which reads from
 * 15 minutes before the first pass.
 */
export const SHARED_FRESH_MS = 10 * 60_000;
/** A lease older than this is its holder's Lambda gone (the investigation's timeout is 10 minutes). */
export const LEASE_MS = 11 * 60_000;
/** How often a waiting investigation looks for the holder's result. */
export const POLL_MS = 2_000;
/**
 * Pages one shared search may fetch in a region (200 s at 2 a second, 20,000 events): an account
 * busier than that is searched key by key, as for a single incident.
 */
export const SHARED_MAX_PAGES = 400;

/** What a published search covers, and where its events are (`tooBusy`: none, search key by key). */
interface Pointer {
  readonly from: string;
  readonly to: string;
  /** When the search began (its events are those visible then). */
  readonly searchedAt: string;
  readonly object?: string;
  readonly tooBusy?: boolean;
  readonly pages: number;
}

/** One event as the shared object keeps it: the LookupEvents fields a lookup filters on, and the record. */
interface SharedEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly accessKeyId?: string;
  readonly username?: string;
  readonly record: Json;
}

/** The lookups a shared search can answer: by AccessKeyId and by Username. */
function answers(lookup: Lookup): ((e: Activity) => boolean) | undefined {
  const a = lookup.attribute;
  if (a?.AttributeKey === 'AccessKeyId') return (e) => e.accessKeyId === a.AttributeValue;
  if (a?.AttributeKey === 'Username') return (e) => e.username === a.AttributeValue;
  return undefined;
}

/** The events of `all` that `lookups` would have found, or undefined when one of them cannot be answered from it. */
export function filterShared(all: readonly Activity[], lookups: readonly Lookup[]): Activity[] | undefined {
  const tests = lookups.map(answers);
  if (tests.some((t) => t === undefined)) return undefined;
  return all.filter((e) => tests.some((t) => t!(e)));
}

function toShared(e: Activity): SharedEvent {
  return { eventId: e.eventId, eventTime: e.eventTime, eventSource: e.eventSource, eventName: e.eventName, accessKeyId: e.accessKeyId, username: e.username, record: e.record };
}

function fromShared(e: SharedEvent, region: string): Activity {
  return { ...e, region, line: JSON.stringify({ ...e.record, region }) };
}

/** An S3 call of the shared search that failed for good (after its back-off): the operation and the error, in one line. */
class SharedObjectError extends Error {
  override readonly name = 'SharedObjectError';

  constructor(operation: string, cause: unknown) {
    super(`${operation}: ${errorText(cause)}`, { cause });
  }
}

/**
 * The account's events of one region and window, searched once for every concurrent
 * investigation. Any S3 failure, a lease never released, or an account too busy to page whole
 * answers undefined: the caller searches key by key, as it would alone. Its S3 calls are retried
 * as every call of the investigation is (withBackoff); one that still fails is a
 * {@link SharedSearch.problems} entry, which the record says.
 */
export class SharedSearch {
  private readonly regions = new Map<string, Promise<Activity[] | undefined>>();
  /** LookupEvents pages this investigation fetched for the account as a whole. */
  pages = 0;
  /**
   * The earliest start of the searches it answered from: the first pass's window really ends
   * there (its record says so, and the second look reads from 15 minutes before it).
   */
  coveredTo: Date | undefined;
  /** The S3 failures that kept this investigation from using or sharing the search, by region (the record says them). */
  readonly problems: SharedSearchProblem[] = [];

  constructor(
    private readonly incident: Incident,
    private readonly ctx: Context,
    /** The second look: only a search begun 15 minutes after the first pass has every event of its window. */
    private readonly notBefore?: Date,
  ) {}

  /** Every event of `region` in [from, to], once per investigation (the first and session passes share it). */
  events(region: string, from: Date, to: Date, limiter: SlidingWindowLimiter): Promise<Activity[] | undefined> {
    let found = this.regions.get(region);
    if (!found) {
      found = this.search(region, from, to, limiter).catch((err: unknown) => {
        const error = err instanceof SharedObjectError ? err.message : errorText(err);
        this.ctx.deps.logger.warn('shared search unusable: searching key by key', { region, error });
        this.problems.push({ region, searchedAlone: true, error });
        return undefined;
      });
      this.regions.set(region, found);
    }
    return found;
  }

  private now(): number {
    return (this.ctx.deps.now ?? (() => new Date()))().getTime();
  }

  private covered(searchedAt: string): void {
    const at = new Date(searchedAt);
    if (this.coveredTo === undefined || at < this.coveredTo) this.coveredTo = at;
  }

  private key(region: string, name: string): string {
    return `${SHARED_SEARCH_PREFIX}${this.incident.accountId}/${region}/${name}`;
  }

  private async search(region: string, from: Date, to: Date, limiter: SlidingWindowLimiter): Promise<Activity[] | undefined> {
    const freshAfter = Math.max(to.getTime() - SHARED_FRESH_MS, this.notBefore?.getTime() ?? 0);
    // The Lambda's deadline is epoch ms (Date.now); the lease and the window go by the investigation's clock.
    const deadline = this.ctx.deps.deadline ?? Date.now() + LEASE_MS;
    // Only this window's events: a search may begin earlier (see searchAndPublish).
    const inWindow = (e: Activity) => !(Date.parse(e.eventTime) < from.getTime());
    for (;;) {
      const pointer = (await this.read(this.key(region, 'latest.json')))?.json as Pointer | undefined;
      if (pointer && Date.parse(pointer.from) <= from.getTime() && Date.parse(pointer.searchedAt) >= freshAfter) {
        if (pointer.tooBusy || !pointer.object) return undefined;
        const object = await this.read(pointer.object);
        if (!Array.isArray(object?.json)) throw new Error(`shared search ${pointer.object} is missing or unreadable`);
        this.covered(pointer.searchedAt);
        return (object.json as SharedEvent[]).map((e) => fromShared(e, region)).filter(inWindow);
      }
      const lease = await this.takeLease(region);
      if (lease) {
        try {
          return (await this.searchAndPublish(region, from, to, limiter))?.filter(inWindow);
        } finally {
          await this.release(region, lease).catch(() => undefined);
        }
      }
      if (Date.now() + POLL_MS >= deadline) return undefined;
      await this.ctx.sleep(POLL_MS);
    }
  }

  /**
   * Pages the whole window (no lookup attribute) from {@link SHARED_FRESH_MS} before its start, so
   * that it also covers an investigation that began up to that much earlier than this one,
   * publishes it, and returns it; undefined when it could not be paged whole.
   */
  private async searchAndPublish(region: string, windowFrom: Date, to: Date, limiter: SlidingWindowLimiter): Promise<Activity[] | undefined> {
    const from = new Date(windowFrom.getTime() - SHARED_FRESH_MS);
    const searchedAt = new Date(this.now()).toISOString();
    const whole: Lookup = { label: 'the whole account (shared search of a wave)', maxPages: SHARED_MAX_PAGES };
    const found = await searchRegion([whole], region, from, to, this.ctx, limiter);
    this.pages += found.pages;
    const base = { from: from.toISOString(), to: to.toISOString(), searchedAt, pages: found.pages };
    if (found.failures.length > 0) {
      this.ctx.deps.logger.warn('shared search incomplete: every incident searches key by key', { region, pages: found.pages });
      await this.write(this.key(region, 'latest.json'), JSON.stringify({ ...base, tooBusy: true } satisfies Pointer));
      return undefined;
    }
    const object = this.key(region, `events-${Date.parse(searchedAt)}-${this.incident.incidentId}.json`);
    this.covered(searchedAt);
    try {
      await this.write(object, JSON.stringify(found.events.map(toShared)));
      await this.write(this.key(region, 'latest.json'), JSON.stringify({ ...base, object } satisfies Pointer));
    } catch (err) {
      // The search itself is whole: this investigation uses it; the others cannot, and search on their own.
      const error = err instanceof SharedObjectError ? err.message : errorText(err);
      this.ctx.deps.logger.warn('shared search not published: the other incidents search on their own', { region, error });
      this.problems.push({ region, searchedAlone: false, error });
    }
    return found.events;
  }

  /** Takes the region's lease (a conditional write): its ETag, or undefined when another investigation holds it. */
  private async takeLease(region: string): Promise<string | undefined> {
    const key = this.key(region, 'lease.json');
    const body = JSON.stringify({ holder: this.incident.incidentId, expiresAt: new Date(this.now() + LEASE_MS).toISOString() });
    const create = await this.conditionalWrite(key, body, { IfNoneMatch: '*' });
    if (create !== undefined) return create;
    const current = await this.read(key);
    if (!current) return undefined;
    const held = current.json as { expiresAt?: string } | undefined;
    if (held?.expiresAt && Date.parse(held.expiresAt) > this.now()) return undefined;
    // Expired (its holder is gone) or released: taken over only if nobody else did first.
    return this.conditionalWrite(key, body, { IfMatch: current.etag });
  }

  private async release(region: string, etag: string): Promise<void> {
    const body = JSON.stringify({ holder: this.incident.incidentId, expiresAt: new Date(0).toISOString() });
    await this.conditionalWrite(this.key(region, 'lease.json'), body, { IfMatch: etag });
  }

  /** A write that S3 refuses when its condition does not hold: the new ETag, or undefined when refused. */
  private async conditionalWrite(key: string, body: string, condition: { IfNoneMatch?: string; IfMatch?: string }): Promise<string | undefined> {
    let out;
    try {
      out = await this.s3('s3:PutObject', () => this.ctx.deps.s3.send(new PutObjectCommand({ Bucket: this.ctx.deps.config.bucket, Key: key, Body: body, ContentType: 'application/json', ...condition })));
    } catch (err) {
      const code = awsErrorCode((err as Error).cause);
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return undefined;
      throw err;
    }
    if (!out?.ETag) throw new Error(`s3:PutObject ${key} answered no ETag`);
    return out.ETag;
  }

  private async write(key: string, body: string): Promise<void> {
    await this.s3('s3:PutObject', () => this.ctx.deps.s3.send(new PutObjectCommand({ Bucket: this.ctx.deps.config.bucket, Key: key, Body: body, ContentType: 'application/json' })));
  }

  private async read(key: string): Promise<{ json: unknown; etag?: string } | undefined> {
    let out;
    try {
      out = await this.s3('s3:GetObject', () => this.ctx.deps.s3.send(new GetObjectCommand({ Bucket: this.ctx.deps.config.bucket, Key: key })));
    } catch (err) {
      if (awsErrorCode((err as Error).cause) === 'NoSuchKey') return undefined;
      throw err;
    }
    const text = await out?.Body?.transformToString();
    if (text === undefined) throw new Error(`s3:GetObject ${key} answered no body`);
    return { json: tryParseJson(text), etag: out.ETag };
  }

  /** One S3 call, with the investigation's back-off; a failure that remains is a {@link SharedObjectError} (its `cause` the SDK's error). */
  private async s3<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withBackoff(this.ctx, operation, call);
    } catch (err) {
      throw new SharedObjectError(operation, err);
    }
  }
}
