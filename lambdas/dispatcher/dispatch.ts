import { setTimeout as wait } from 'node:timers/promises';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsErrorCode, rethrowAws } from '../shared/errors';
import { bounded, Detection, parseDetection } from '../shared/events';
import { Incident, incidentIdFor } from '../shared/incident';
import { Log } from '../shared/logger';
import { ProtectionRules, protectionReason } from '../shared/protection';
import { NoticeKind, renderNotice, UnresolvedItem } from './notice';
import { KeyAccountLookup } from './owners';
import { publishNotice } from './publish';
import { resolveTargets, Target } from './resolve';
import { replacedByRoleSessions, revokeFindingRoleSessions, RoleSessionConfig } from './role-sessions';

export interface DispatchConfig {
  readonly stateMachineArn: string;
  /** The protected list (PROTECTED_USERS): the dispatcher's early view is by name only. */
  readonly protection: ProtectionRules;
  /** The account the responder guards: events of any other account are refused. */
  readonly accountId: string;
  /** The notification topic: every message to people (notices reach Slack through it too). */
  readonly topicArn: string;
  /** AWS_RISK_IAM_QUARANTINE naming nothing contains users quarantined this many hours before it. */
  readonly quarantineWindowHours: number;
  /** DRY_RUN and the role protection (PROTECTED_ROLES): GuardDuty's temporary-credential findings revoke a role's sessions. */
  readonly roleSessions: RoleSessionConfig;
  /**
   * Organization mode: why the event's account is refused (the member role could not be assumed
   * there), added to the refusal notice.
   */
  readonly refusal?: string;
  /**
   * Organization mode, a report by hand (its event's account is the reporter's, the responder's
   * own): the account STS says owns the reported key, when it is another. The report is about that
   * account: acted on when it is `accountId` (its member role was assumed), else refused.
   */
  readonly keyAccountId?: string;
}

export interface DispatchDeps {
  readonly iam: IAMClient;
  readonly sfn: SFNClient;
  readonly sns: SNSClient;
  /** A client of us-east-1 (IAM's CloudTrail events are there). */
  readonly cloudtrail: CloudTrailClient;
  readonly keyAccount: KeyAccountLookup;
  readonly logger: Log;
  readonly config: DispatchConfig;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A message sent to people, and why. */
export interface NoticeSent {
  readonly reason: NoticeKind;
  readonly subject: string;
  /** The reasons of the items it lists. */
  readonly items: string[];
  /** What the dispatcher did itself (kind `contained`: a role's sessions revoked), each with its undo. */
  readonly done?: string[];
  /** The topic's message id (email subscribers, and the slack Lambda where Slack is configured). */
  readonly messageId?: string;
}

/**
 * Every matched event ends as started executions, duplicates, messages to people, or a thrown
 * error (EventBridge retries, then the dead-letter queue) with a reason.
 */
export interface DispatchResult {
  readonly started: Array<{ incidentId: string; executionArn: string; incident: Incident }>;
  /** Incidents whose execution already exists: the same key already reported today. */
  readonly duplicates: Array<{ incidentId: string; incident: Incident }>;
  /** What the event named that did not become an incident, and why (each is in a notice). */
  readonly skipped: Array<{ about: string; reason: string }>;
  /** Messages published to the topic (email, and Slack through its filtered subscription). */
  readonly notified: NoticeSent[];
}


/**
 * Turns one EventBridge event into incidents (one per key IAM says belongs to a user of this
 * account) and starts one execution each; everything else the event names is told to people. An
 * event of unknown shape throws {@link InvalidIncidentError}; a transient AWS failure (after the
 * SDK's retries) throws TransientAwsError: the Lambda fails and EventBridge keeps the event.
 */
export async function dispatch(event: unknown, deps: DispatchDeps): Promise<DispatchResult> {
  const { logger, config } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const result: DispatchResult = { started: [], duplicates: [], skipped: [], notified: [] };

  // A report by hand in organization mode is about the account of its key (STS), not the reporter's.
  const eventAccount = config.keyAccountId ?? (event as { account?: unknown } | null)?.account;
  if (typeof eventAccount === 'string' && eventAccount !== config.accountId) {
    const shown = bounded(eventAccount, 40);
    logger.warn('event of another account refused', { eventAccount: shown });
    result.skipped.push({ about: `account ${shown}`, reason: 'event of another account' });
    // The key's account came from STS on a parsed report of the responder's own account: its facts are safe to show.
    const facts = config.keyAccountId ? [...factsOf(parseDetection(event)), ...keyAccountFacts(config.keyAccountId)] : refusedFacts(event);
    await tell('refused', facts, [], config.refusal ? [config.refusal] : [], shown, config.keyAccountId ? 'Reported by hand: a key of another account' : 'a report of another account', deps, result);
    return result;
  }

  const detection = parseDetection(event);
  logger.info('exposure reported', {
    source: detection.source,
    eventCode: detection.eventCode,
    kind: detection.kind,
    accessKeyIds: detection.accessKeyIds,
    userName: detection.userName,
  });
  const resolution = await resolveTargets(detection, { ...deps, accountId: config.accountId, sleep: deps.sleep ?? wait, quarantineWindowHours: config.quarantineWindowHours }, now);

  for (const target of resolution.targets) await start(toIncident(detection, target, config, now), deps, result);
  // Temporary credentials GuardDuty tied to a role: its sessions are revoked here (no key, no workflow).
  const roles = await revokeFindingRoleSessions(detection, { iam: deps.iam, logger, accountId: config.accountId, config: config.roleSessions, now });
  const unresolved = [...roles.open, ...resolution.unresolved.filter((i) => !replacedByRoleSessions(roles, i))];
  const items = [...unresolved, ...resolution.check];
  for (const item of items) result.skipped.push({ about: item.about, reason: item.reason });
  const facts = [...factsOf(detection), ...(config.keyAccountId ? keyAccountFacts(config.keyAccountId) : [])];
  if (roles.contained.length > 0) {
    await tell('contained', facts, items, resolution.notes, config.accountId, reportOf(detection), deps, result, [...roles.contained]);
  } else if (unresolved.length > 0) {
    await tell('unresolved', facts, items, resolution.notes, config.accountId, reportOf(detection), deps, result);
  } else if (resolution.check.length > 0) {
    await tell('check', facts, resolution.check, resolution.notes, config.accountId, reportOf(detection), deps, result);
  }
  logger.info('event dispatched', {
    started: result.started.map((s) => s.incidentId),
    duplicates: result.duplicates.map((s) => s.incidentId),
    notified: result.notified.map((n) => n.reason),
  });
  return result;
}

async function start(incident: Incident, deps: DispatchDeps, result: DispatchResult): Promise<void> {
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.config.stateMachineArn, name: incident.incidentId, input: JSON.stringify({ incident }) }),
    );
    deps.logger.info('response started', { incidentId: incident.incidentId, userName: incident.userName, executionArn: out.executionArn });
    result.started.push({ incidentId: incident.incidentId, executionArn: out.executionArn ?? '', incident });
  } catch (err) {
    if (awsErrorCode(err) === 'ExecutionAlreadyExists') {
      deps.logger.info('duplicate report: this key already has a response today', { incidentId: incident.incidentId, source: incident.source });
      result.duplicates.push({ incidentId: incident.incidentId, incident });
      return;
    }
    rethrowAws(err, `StartExecution ${incident.incidentId}`);
  }
}

async function tell(
  kind: NoticeKind,
  facts: Array<[string, string]>,
  items: UnresolvedItem[],
  notes: string[],
  eventAccount: string,
  report: string,
  deps: DispatchDeps,
  result: DispatchResult,
  done: string[] = [],
): Promise<void> {
  const memberRoleRefused = kind === 'refused' && deps.config.refusal !== undefined;
  const notice = renderNotice({ kind, accountId: deps.config.accountId, eventAccount, report, facts, items, notes, done, memberRoleRefused });
  const messageId = await publishNotice(notice, { sns: deps.sns, topicArn: deps.config.topicArn });
  deps.logger.warn('people told', { kind, subject: notice.subject, items: items.map((i) => i.reason), messageId });
  result.notified.push({ reason: kind, subject: notice.subject, items: items.map((i) => i.reason), ...(done.length ? { done } : {}), ...(messageId ? { messageId } : {}) });
}

function reportOf(d: Detection): string {
  return d.detail;
}

function factsOf(d: Detection): Array<[string, string]> {
  const facts: Array<[string, string]> = [['Reported at', d.detectedAt]];
  if (d.accessKeyIds.length) facts.push(['Access key ids named', d.accessKeyIds.join(', ')]);
  if (d.unusableKeys.length) facts.push(['Other values named as keys', d.unusableKeys.map((k) => JSON.stringify(k.value)).join(', ')]);
  if (d.userName) facts.push(['User named by the report (a hint: IAM decides)', d.userName]);
  if (d.roles.length) facts.push(['Roles named', d.roles.join(', ')]);
  if (d.sample) facts.push(['Sample', 'GuardDuty marks this finding as a sample (generated, not real activity); the responder acted on it as on any finding']);
  for (const i of d.ignored) facts.push(['Not used', i]);
  if (d.leakLocation) facts.push(['Leaked at', d.leakLocation]);
  if (d.awsCaseId) facts.push(['AWS support case', d.awsCaseId]);
  if (d.reporterNote) facts.push(["Reporter's words", JSON.stringify(d.reporterNote)]);
  if (d.reportedAccountId) facts.push(['Account named by the report (a hint: the key decides)', d.reportedAccountId]);
  return facts;
}

function keyAccountFacts(keyAccountId: string): Array<[string, string]> {
  return [['Account of the key (sts:GetAccessKeyInfo)', keyAccountId]];
}

/** What a refused event said: its envelope, bounded; nothing of its detail is trusted. */
function refusedFacts(event: unknown): Array<[string, string]> {
  const e = event as Record<string, unknown>;
  const field = (name: string) => (typeof e[name] === 'string' ? bounded(e[name] as string, 200) : '(none)');
  return [
    ['Source', field('source')],
    ['Detail type', field('detail-type')],
    ['Account', field('account')],
    ['Time', field('time')],
  ];
}

function toIncident(d: Detection, t: Target, config: DispatchConfig, now: Date): Incident {
  const root = t.principalType === 'root';
  return {
    incidentId: incidentIdFor(t.accessKeyId, now),
    source: d.source,
    // The account acted in: the event's, or, for a report by hand in organization mode, the key's (STS).
    accountId: config.accountId,
    accessKeyId: t.accessKeyId,
    userName: t.userName,
    principalType: t.principalType,
    // The early view, by name: contain and verify check name, path and tags against IAM themselves.
    protectedPrincipal: !root && protectionReason({ name: t.userName }, config.protection) !== undefined,
    detectedAt: d.detectedAt,
    dispatchedAt: now.toISOString(),
    detail: d.detail,
    ...(d.awsCaseId ? { awsCaseId: d.awsCaseId } : {}),
    ...(d.leakLocation ? { leakLocation: d.leakLocation } : {}),
    ...(t.reportedUserName ? { reportedUserName: t.reportedUserName } : {}),
    ...(d.reportedAccountId && d.reportedAccountId !== config.accountId ? { reportedAccountId: d.reportedAccountId } : {}),
    ...(t.ownerLookupError ? { ownerLookupError: t.ownerLookupError } : {}),
    ...(d.reporterNote ? { reporterNote: d.reporterNote } : {}),
  };
}
