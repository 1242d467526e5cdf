import { GetRoleCommand, IAMClient, Tag } from '@aws-sdk/client-iam';
import { awsErrorCode, ContainmentNotVerifiedError, describeError, isTransientAwsError, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { mapLimit } from '../shared/map-limit';
import { clip } from '../shared/text';
import { isNoSuchEntity, readUserFacts } from '../shared/user-reads';
import { ActionContext, ActionFailed, Outcome, RUN } from './actions';
import { FootholdContainment, FootholdResult, Footholds, SERVICE_LINKED_ROLE_PATH } from './contract';
import { planFootholdContainment } from './plan';
import { believed, FootholdConfig, PlannedAction, Principal, ProtectionCheck } from './planned';
import type { StopInstance } from './stop-instance';

export interface FootholdDeps {
  readonly iam: IAMClient;
  /** Stops an instance in its own region (lambdas/footholds/stop-instance.ts). */
  readonly stopInstance: StopInstance;
  readonly logger: Log;
  readonly config: FootholdConfig;
  /** lambdas/shared/protection.ts `protectionReason` bound to the configured rules. */
  readonly protection: ProtectionCheck;
  readonly now?: () => Date;
  /** Actions run at once; default {@link CONCURRENCY}. */
  readonly concurrency?: number;
}

/** Open items listed in the summary (the first lines of the email); every result stays in `results`. */
export const MAX_OPEN = 50;

/** Actions run at once: IAM's write rate is the limit, not the Lambda. */
export const CONCURRENCY = 4;

/**
 * Contains the footholds CloudTrail tied to the key: plans ({@link planFootholdContainment}), then
 * runs each action. Every principal's protection is checked again with what IAM says now (path,
 * tags) before it is changed. A failed action is a result (status failed, its error code, the
 * command to finish by hand), never a throw, so one AccessDenied does not hide the rest.
 *
 * Throws only after every action has run: {@link TransientAwsError} when one hit throttling or a
 * passing AWS failure, {@link ContainmentNotVerifiedError} when a change does not read back yet.
 * The workflow retries the step; every action reads before it writes, so the retry finds what is
 * in place ("already") and changes nothing twice.
 */
export async function containFootholds(found: Footholds, incident: Pick<Incident, 'accountId' | 'userName'>, deps: FootholdDeps): Promise<FootholdContainment> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  const plan = planFootholdContainment(found.footholds, incident, deps.config, deps.protection);
  const ctx: ActionContext = { iam: deps.iam, stopInstance: deps.stopInstance, quarantinePolicyArn: deps.config.quarantinePolicyArn };
  const retry: { transient: unknown[]; unverified: string[] } = { transient: [], unverified: [] };

  const results = await mapLimit(plan, Math.max(1, deps.concurrency ?? CONCURRENCY), async (a): Promise<FootholdResult> => {
    const result = await execute(a, ctx, deps, retry);
    return clean({ ...result, at: at() });
  });

  const done = results.filter((r) => r.status === 'done' || r.status === 'already').length;
  deps.logger.info('footholds', { footholds: found.footholds.length, actions: plan.length, contained: done, dryRun: deps.config.dryRun });
  if (retry.transient.length > 0) {
    const pending = results.filter((r) => r.status === 'failed').map((r) => r.id).join('; ');
    rethrowAws(retry.transient[0], `footholds: ${retry.transient.length} action(s) hit a transient failure (${pending}); the others are in place`);
  }
  if (retry.unverified.length > 0) {
    throw new ContainmentNotVerifiedError(`footholds: changed but not yet visible: ${retry.unverified.join('; ')}`);
  }
  return { results, summary: summarize(results, found) };
}

async function execute(
  a: PlannedAction,
  ctx: ActionContext,
  deps: FootholdDeps,
  retry: { transient: unknown[]; unverified: string[] },
): Promise<Omit<FootholdResult, 'at'>> {
  const base = { id: a.id, action: a.action, foothold: a.foothold, undo: a.undo };
  if (a.action === 'report') return { ...base, status: a.open ? 'open' : 'reported', detail: a.description, command: a.open ? a.undo : undefined };
  if (a.action === 'action-required') return { ...base, status: 'open', detail: a.description, command: a.command };
  if (a.skip) return { ...base, undo: undefined, status: 'skipped', detail: a.skip, command: a.command };
  if (deps.config.dryRun) return { ...base, undo: undefined, status: 'dry-run', detail: `would ${a.description}`, command: a.command };
  const run = RUN[a.action];
  if (!run) return { ...base, status: 'failed', errorCode: 'NotImplemented', detail: `no way to ${a.description}`, command: a.command };
  try {
    if (a.principal) {
      const refusal = await recheck(a.principal, a.protection, ctx, deps.protection);
      if (refusal) return { ...base, undo: undefined, ...refusal, command: refusal.status === 'skipped' ? a.command : undefined };
    }
    const outcome: Outcome = await run(a, ctx);
    if (outcome.unverified) retry.unverified.push(`${a.id}: ${outcome.detail}`);
    deps.logger.info('foothold action', { id: a.id, status: outcome.status });
    // "already" keeps the undo too: a retry of the step (after a transient failure) finds in place
    // what the first attempt did, and the record must still say how to undo it.
    return { ...base, undo: outcome.gone ? undefined : (outcome.undo ?? a.undo), status: outcome.status, detail: outcome.detail };
  } catch (err) {
    if (isTransientAwsError(err)) retry.transient.push(err);
    const { name, message } = describeError(err);
    const errorCode = err instanceof ActionFailed ? err.code : (awsErrorCode(err) ?? name);
    deps.logger.warn('foothold action failed', { id: a.id, error: errorCode });
    return { ...base, undo: undefined, status: 'failed', errorCode, detail: `could not ${a.description}: ${errorCode}: ${clip(message, 300)}`, command: a.command };
  }
}

/**
 * The principal as IAM has it now: gone (nothing left to contain), protected or service-linked
 * (never changed), or undefined when the action may go ahead. The record's view (name, path, tags
 * at creation) is never trusted alone: a tag added since protects the principal.
 */
async function recheck(
  p: Principal,
  mode: PlannedAction['protection'],
  ctx: ActionContext,
  protection: ProtectionCheck,
): Promise<{ status: 'already' | 'skipped'; detail: string } | undefined> {
  let live: Principal;
  try {
    if (p.kind === 'user') {
      live = { kind: 'user', ...(await readUserFacts(ctx.iam, p.name)) };
    } else {
      const role = (await ctx.iam.send(new GetRoleCommand({ RoleName: p.name }))).Role;
      live = { kind: 'role', name: p.name, path: role?.Path, tags: tags(role?.Tags) };
    }
  } catch (err) {
    if (isNoSuchEntity(err)) return { status: 'already', detail: `${p.kind} ${p.name} no longer exists: nothing of it can be used` };
    throw err;
  }
  if (live.kind === 'role' && live.path?.startsWith(SERVICE_LINKED_ROLE_PATH)) {
    return { status: 'skipped', detail: `role ${p.name} is a service-linked role: the responder never changes one` };
  }
  // What the leaked key created, it named, placed and tagged: its protection is not believed.
  if (mode === 'ignored') return undefined;
  const reason = protection(believed(live, mode));
  return reason ? { status: 'skipped', detail: `${p.kind} ${p.name} is protected (${reason}): nothing was changed, a human must decide` } : undefined;
}

function tags(list: Tag[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  return Object.fromEntries(list.filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? '']));
}

/**
 * Contained / still open. `contained` is true only when every action is done or already in place,
 * nothing is open, and CloudTrail was read whole (no unreadable record, no bound that bit).
 */
export function summarize(results: readonly FootholdResult[], found: Pick<Footholds, 'truncated' | 'gaps' | 'records'>): FootholdContainment['summary'] {
  const open: FootholdContainment['summary']['open'] = [];
  for (const r of results) {
    if (r.status === 'done' || r.status === 'already' || r.status === 'reported') continue;
    const label = r.status === 'dry-run' ? 'dry run' : r.status === 'open' ? 'open' : r.status;
    open.push(r.command ? { what: `${label}: ${r.detail}`, command: r.command } : { what: `${label}: ${r.detail}` });
  }
  for (const t of found.truncated) open.push({ what: `not all footholds listed: ${t}` });
  for (const g of found.gaps) open.push({ what: `not followed: ${g}` });
  if (found.records.unreadable > 0) {
    open.push({ what: `${found.records.unreadable} CloudTrail record(s) could not be read: a foothold they prove would be missing here; read them in the incident's activity` });
  }
  const containedCount = results.filter((r) => r.status === 'done' || r.status === 'already').length;
  if (open.length <= MAX_OPEN) return { contained: open.length === 0, containedCount, open };
  // The message leads with these: the first ones, and how many more the record lists.
  return { contained: false, containedCount, open: [...open.slice(0, MAX_OPEN - 1), { what: `and ${open.length - MAX_OPEN + 1} more still open: see every result in the record` }] };
}

function clean(result: FootholdResult): FootholdResult {
  for (const k of Object.keys(result) as Array<keyof FootholdResult>) if (result[k] === undefined) delete result[k];
  return result;
}
