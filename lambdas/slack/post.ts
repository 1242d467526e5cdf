// One Slack post, and its retries on transient answers (lambdas/slack/slack.ts posts the message).
import { setTimeout as wait } from 'node:timers/promises';
import { RetriesExhaustedError, retry } from '../shared/retry';
import { Log } from '../shared/logger';
import { clip } from '../shared/text';
import { PostFn } from './contract';

/** How long the webhook may take to answer. */
export const POST_TIMEOUT_MS = 5000;
/** Posts of one message in all, the first included (429, 5xx, timeouts and network errors are tried again). */
export const POST_ATTEMPTS = 3;
/** The wait after the first transient failure; doubled after each (0.5 s, 1 s). */
export const POST_BACKOFF_MS = 500;
/** The longest Retry-After (of a 429) honoured; a longer one is not waited for: the failure is recorded. */
export const MAX_RETRY_AFTER_MS = 3000;

/** A Slack failure: its message is short, safe to log and to put in the workflow state (no URL). */
export class SlackFailure extends Error {
  public override readonly name = 'SlackFailure';
}

/** No answer (timeout, network error): worth another post. */
class SlackNetworkFailure extends SlackFailure {}

/** An answer worth another post (429 or 5xx); `retryAfterMs` from its Retry-After header. */
class TransientAnswer extends Error {
  public override readonly name = 'TransientAnswer';
  constructor(
    readonly answer: Answer,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Slack answered ${answer.status}`);
  }
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly retryAfter?: string;
  /** Posts made for this answer, when more than one. */
  readonly attempts?: number;
  /** Why no further post was made although the answer was transient. */
  readonly gaveUp?: string;
}

/** The default {@link PostFn}: Node's global fetch, JSON body, no redirects (the body goes nowhere else). */
export function createFetchPost(timeoutMs: number = POST_TIMEOUT_MS): PostFn {
  return async (url, body) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const retryAfter = response.headers.get('retry-after');
    return { status: response.status, text: await response.text(), ...(retryAfter ? { retryAfter } : {}) };
  };
}

export const fetchPost: PostFn = createFetchPost();

/** What a post needs: the injected HTTP post, clock, wait and logger. */
export interface PostDeps {
  readonly post: PostFn;
  readonly logger: Log;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Seconds (or an HTTP date) of a Retry-After header, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = /GMT$/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Posts `body`, again on a 429 (after its Retry-After, when at most {@link MAX_RETRY_AFTER_MS}), a
 * 5xx, a timeout or a network error: {@link POST_ATTEMPTS} posts at most, and only while the wait
 * and a whole post fit in the budget's remaining time. Any other answer (2xx, 4xx) is returned at once. The
 * last transient answer is returned with its count; the last network failure is thrown.
 */
export async function postWithRetries(deps: PostDeps, url: string, body: string, budget: { remainingMs: () => number; totalMs: number }): Promise<Answer> {
  let attempts = 1;
  let gaveUp: string | undefined;
  try {
    return await retry(
      async () => {
        const answer = await postOnce(deps, url, body);
        if (answer.status !== 429 && answer.status < 500) return answer;
        throw new TransientAnswer(answer, retryAfterMs(answer.retryAfter, (deps.now ?? (() => new Date()))().getTime()));
      },
      {
        attempts: POST_ATTEMPTS,
        baseDelayMs: POST_BACKOFF_MS,
        sleep: deps.sleep ?? wait,
        isRetryable: (err) => {
          if (err instanceof TransientAnswer && (err.retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS) {
            gaveUp = `asked to wait ${Math.ceil(err.retryAfterMs! / 1000)} s, longer than the ${MAX_RETRY_AFTER_MS / 1000} s waited for`;
            return false;
          }
          return err instanceof TransientAnswer || err instanceof SlackNetworkFailure;
        },
        delayFor: (err, backoffMs) => (err instanceof TransientAnswer && err.retryAfterMs !== undefined ? err.retryAfterMs : backoffMs),
        hasTimeFor: (delayMs) => {
          const fits = budget.remainingMs() >= delayMs + POST_TIMEOUT_MS;
          if (!fits) gaveUp = `no time left for another post within the ${budget.totalMs / 1000} s budget`;
          return fits;
        },
        onRetry: ({ attempt, delayMs, error }) => {
          attempts = attempt + 1;
          const what = error instanceof TransientAnswer ? error.answer.status : (error as Error).message;
          deps.logger.warn('Slack post failed: trying again', { host: hostOf(url), attempt, delayMs, what });
        },
      },
    );
  } catch (err) {
    const last = err instanceof RetriesExhaustedError ? err.last : err;
    const count = attempts > 1 ? attempts : undefined;
    if (last instanceof TransientAnswer) return { ...last.answer, ...(count ? { attempts: count } : {}), ...(gaveUp ? { gaveUp } : {}) };
    if (last instanceof SlackFailure && count) throw new SlackFailure(`${last.message} (${count} attempts${gaveUp ? `; ${gaveUp}` : ''})`);
    throw last;
  }
}

async function postOnce(deps: PostDeps, url: string, body: string): Promise<Answer> {
  try {
    const answer = await deps.post(url, body);
    return { status: answer.status, text: String(answer.text ?? ''), ...(answer.retryAfter ? { retryAfter: answer.retryAfter } : {}) };
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new SlackNetworkFailure(`Slack (${hostOf(url)}) did not answer within ${POST_TIMEOUT_MS / 1000} s`);
    }
    const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
    const detail = [(err as Error)?.message ?? String(err), typeof cause?.code === 'string' ? cause.code : cause?.message]
      .filter((s) => typeof s === 'string' && s)
      .join(': ');
    throw new SlackNetworkFailure(`cannot post to ${hostOf(url)}: ${short(scrub(detail))}`);
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}

/** Every URL in a text reduced to its origin: a webhook's path is its secret. */
export function scrub(text: string): string {
  return (
    text
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>/]+[^\s"'<>]*/gi, (found) => {
        // Punctuation that ends a sentence is not part of the URL.
        const match = found.replace(/[.,;:!?)\]]+$/, '');
        const rest = found.slice(match.length);
        try {
          return `${new URL(match).origin}/…${rest}`;
        } catch {
          return `(a URL)${rest}`;
        }
      })
      // A webhook path without its scheme (some network errors say host/path).
      .replace(/(hooks\.slack(?:-gov)?\.com)\/[^\s"'<>…]+/gi, '$1/…')
  );
}

/** One line, at most 200 characters: what Slack or the SDK said, not a page of it. */
export function short(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return clip(line, 200);
}
