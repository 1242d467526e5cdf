// Property: whatever an event says, the dispatcher targets only principals that own a key the event
// names (or that AWS just quarantined), and every matched event ends in a visible outcome.
import * as fc from 'fast-check';
import { createHandler } from '../../lambdas/dispatcher/handler';
import { DispatchResult } from '../../lambdas/dispatcher/dispatch';
import { Incident } from '../../lambdas/shared/incident';
import { connectToSimulatedAccount } from '../../drill/aws-mocks';
import { matchingRules } from '../../drill/rules';
import { parseScenario } from '../../drill/scenario';
import { DRILL_TIME_SCALE, inInvocation, SimulatedAccount } from '../../drill/simulated-account';
import { synthesizedRules } from '../../drill/stack-rules';
import { fixture } from '../workflow/helpers';

const ACCOUNT = '123456789012';
const EVENT_TIME = '2026-11-20T10:00:00Z';
const V3 = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3';

/** Several users: carol quarantined just now, dave long ago, erin with an unrelated inline policy. */
const SCENARIO = {
  accountId: ACCOUNT,
  users: [
    { userName: 'alice', accessKeys: [{ accessKeyId: 'AKIAALICEKEY00000001' }, { accessKeyId: 'AKIAALICEKEY00000002', status: 'Inactive' as const }] },
    { userName: 'bob', accessKeys: [{ accessKeyId: 'AKIABOBKEY0000000001' }] },
    { userName: 'carol', accessKeys: [{ accessKeyId: 'AKIACAROLKEY00000001' }], attachedPolicyArns: [V3] },
    { userName: 'dave', accessKeys: [{ accessKeyId: 'AKIADAVEKEY000000001' }], attachedPolicyArns: ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2'] },
    { userName: 'erin', accessKeys: [{ accessKeyId: 'AKIAERINKEY000000001' }], inlinePolicies: { 'team-inline': { Version: '2012-10-17', Statement: [] } } },
    { userName: 'break-glass', accessKeys: [{ accessKeyId: 'AKIABREAKGLASS000001' }] },
  ],
  cloudTrail: [
    { region: 'us-east-1', eventTime: '2026-11-20T09:58:00Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', userName: 'AWSInternal', requestParameters: { userName: 'carol', policyArn: V3 } },
    { region: 'us-east-1', eventTime: '2026-11-01T09:58:00Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', userName: 'AWSInternal', requestParameters: { userName: 'dave', policyArn: V3 } },
    { region: 'us-east-1', eventTime: '2026-11-20T09:59:00Z', eventSource: 'iam.amazonaws.com', eventName: 'PutUserPolicy', userName: 'erin', requestParameters: { userName: 'erin', policyName: 'team-inline' } },
  ],
};
const SCENARIO_PARSED = parseScenario(SCENARIO);
const OWNER = new Map(SCENARIO.users.flatMap((u) => u.accessKeys.map((k) => [k.accessKeyId, u.userName] as const)));
const RECENTLY_QUARANTINED = new Set(['carol']);

// ---- generators -----------------------------------------------------------------------------

const ours = [...OWNER.keys()];
const keyId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ours) },
  { weight: 1, arbitrary: fc.constantFrom('AKIAY34FZKBOKMUTVV7A', 'AKIAIOSFODNN7EXAMPLE') }, // another account's
  { weight: 1, arbitrary: fc.constantFrom('AKIA0000000000000001', 'ACCESS_KEY_ID_HERE') }, // unknown to IAM
  { weight: 1, arbitrary: fc.constantFrom('ASIAY34FZKBOKMUTVV7A', 'akiaalicekey00000001') },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.integer(), fc.string({ minLength: 2000, maxLength: 3000 })) },
);
const userName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SCENARIO.users.map((u) => u.userName)) },
  { weight: 1, arbitrary: fc.constantFrom('root', '<root_account>', 'ghost', 'ALICE') },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.constant('a b; rm -rf /'), fc.constant('x'.repeat(65))) },
);
const account = fc.oneof({ weight: 12, arbitrary: fc.constant(ACCOUNT) }, { weight: 1, arbitrary: fc.constantFrom('999988887777', '12345', '') });
const maybeNull = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
const principalArn = fc.oneof(
  userName.map((u) => `arn:aws:iam::${ACCOUNT}:user/${String(u)}`),
  userName.map((u) => `arn:aws:iam::999988887777:user/${String(u)}`),
  fc.constant(`arn:aws:iam::${ACCOUNT}:role/deploy`),
);

function envelope(source: string, detailType: string, acct: unknown, detail: unknown): Record<string, unknown> {
  return { version: '0', id: 'prop', 'detail-type': detailType, source, account: acct, time: EVENT_TIME, region: 'us-east-1', resources: [], detail };
}

const trustedAdvisor = fc.record({ acct: account, key: keyId, user: userName, location: maybeNull(fc.string({ maxLength: 5000 })), caseId: maybeNull(fc.string()), fraud: maybeNull(fc.string()) }).map((g) => {
  const e = fixture('trusted-advisor-exposed-access-keys-sample.json') as Record<string, any>;
  Object.assign(e.detail['check-item-detail'], { 'Access Key ID': g.key, 'User Name (IAM or Root)': g.user, Location: g.location, 'Case ID': g.caseId, 'Fraud Type': g.fraud });
  return { ...e, account: g.acct, time: EVENT_TIME };
});
const health = fc
  .record({
    acct: account,
    code: fc.constantFrom('AWS_RISK_CREDENTIALS_EXPOSED', 'AWS_RISK_CREDENTIALS_COMPROMISED', 'AWS_RISK_IAM_QUARANTINE'),
    entities: maybeNull(fc.array(fc.oneof(keyId, principalArn), { maxLength: 3 })),
    meta: fc.option(fc.record({ publicKey: keyId, userName }), { nil: undefined }),
  })
  .map((g) => {
    const base = fixture('health-credentials-exposed-2016-sample.json') as Record<string, any>;
    const detail = { ...base.detail, eventTypeCode: g.code, affectedEntities: g.entities?.map((entityValue) => ({ entityValue })) ?? null, ...(g.meta ? { eventMetadata: g.meta } : {}) };
    return envelope('aws.health', 'AWS Health Event', g.acct, detail);
  });
const quarantine = fc.record({ acct: account, user: userName, legacy: fc.boolean(), errorCode: fc.option(fc.constant('AccessDenied'), { nil: undefined }) }).map((g) => {
  const record = fixture('cloudtrail-record-attach-quarantine-v2.json') as Record<string, any>;
  const requestParameters = g.legacy ? { userName: g.user, policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' } : { userName: g.user, policyArn: V3 };
  const detail = { ...record, eventName: g.legacy ? 'PutUserPolicy' : 'AttachUserPolicy', eventTime: EVENT_TIME, requestParameters, ...(g.errorCode ? { errorCode: g.errorCode } : {}) };
  return envelope('aws.iam', 'AWS API Call via CloudTrail', g.acct, detail);
});
const manual = fc.record({ acct: account, key: keyId, user: fc.option(userName, { nil: undefined }), reason: fc.option(fc.string({ maxLength: 600 }), { nil: undefined }) }).map((g) =>
  envelope('exposed-key-responder', 'Exposed Access Key Reported', g.acct, { accessKeyId: g.key, ...(g.user !== undefined ? { userName: g.user } : {}), ...(g.reason !== undefined ? { reason: g.reason } : {}) }),
);
/** A few structural mutations on top: a field nulled, deleted, or replaced by a huge string. */
const mutated = fc.tuple(fc.oneof(trustedAdvisor, health, quarantine, manual), fc.option(fc.constantFrom('region', 'resources', 'time', 'detail', 'id'), { nil: undefined }), fc.constantFrom('null', 'delete', 'huge')).map(([event, field, how]) => {
  if (!field) return event;
  const copy: Record<string, unknown> = { ...event };
  if (how === 'null') copy[field] = null;
  else if (how === 'delete') delete copy[field];
  else copy[field] = 'z'.repeat(100_000);
  return copy;
});

// ---- the oracle -------------------------------------------------------------------------------

/** Every string anywhere in the event. */
function stringsOf(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsOf(v, out));
  return out;
}

/** Whether the dispatcher may target this incident's principal for this event. */
function allowed(incident: Incident, event: Record<string, any>): boolean {
  const named = stringsOf(event);
  if (incident.accountId !== ACCOUNT) return false;
  if (incident.principalType === 'root') return named.has(incident.accessKeyId) && !OWNER.has(incident.accessKeyId);
  if (OWNER.get(incident.accessKeyId) !== incident.userName) return false;
  if (named.has(incident.accessKeyId)) return incident.reportedUserName !== incident.userName;
  // No key named: only a quarantine signal, for a user AWS just quarantined.
  if (event.source === 'aws.iam') return event.detail?.requestParameters?.userName === incident.userName;
  // A Health quarantine, naming a user or nobody: only users CloudTrail shows AWS quarantined within the window.
  return event.detail?.eventTypeCode === 'AWS_RISK_IAM_QUARANTINE' && RECENTLY_QUARANTINED.has(incident.userName);
}

const ENV = {
  STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ExposedKeyResponse`,
  PROTECTED_USERS: 'break-glass',
  ACCOUNT_ID: ACCOUNT,
  TOPIC_ARN: `arn:aws:sns:us-east-1:${ACCOUNT}:ExposedKeyResponderNotifications`,
  QUARANTINE_WINDOW_HOURS: '24',
  DRY_RUN: 'false',
  PROTECTED_ROLES: '',
};
const WRITES = /^(Update|Put|Attach|Create|Delete|Detach)/;

describe('dispatcher property: the right principal, and never a silent outcome', () => {
  it('targets only owners of named keys (or users AWS just quarantined) and ends every matched event visibly', async () => {
    // The stack with a reporter, so that the report bus's rule is there for the manual reports.
    const rules = synthesizedRules({ reporters: `arn:aws:iam::${ACCOUNT}:role/reporter` });
    const tally = { events: 0, matched: 0, started: 0, notified: 0, thrown: 0, duplicates: 0 };

    await fc.assert(
      fc.asyncProperty(mutated, async (event) => {
        tally.events += 1;
        if (matchingRules(rules, event, { accountId: ACCOUNT }).length === 0) return; // not an incident
        tally.matched += 1;
        const account = new SimulatedAccount(SCENARIO_PARSED);
        const disconnect = connectToSimulatedAccount(account);
        try {
          // sts:GetAccessKeyInfo too goes through the SDK client, connected to the simulated account.
          const dispatch = createHandler(ENV, { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / DRILL_TIME_SCALE)) });
          let result: DispatchResult | undefined;
          let error: Error | undefined;
          try {
            result = await inInvocation('dispatcher', () => dispatch(event));
          } catch (err) {
            error = err as Error;
          }
          // No silent outcome: a started execution, a duplicate, a message, or a named error.
          if (error) {
            expect(error.name).toMatch(/\w/);
            expect(error.message.length).toBeGreaterThan(0);
            expect(error.message.length).toBeLessThanOrEqual(1100);
            tally.thrown += 1;
          } else {
            expect(result!.started.length + result!.duplicates.length + result!.notified.length).toBeGreaterThan(0);
            tally.started += result!.started.length;
            tally.notified += result!.notified.length;
            tally.duplicates += result!.duplicates.length;
            for (const n of result!.notified) expect(account.published.map((p) => p.subject)).toContain(n.subject);
          }
          // The right principal, every time.
          for (const execution of account.executions.values()) {
            const { incident } = JSON.parse(execution.input) as { incident: Incident };
            if (!allowed(incident, event)) throw new Error(`targeted ${incident.userName} for key ${incident.accessKeyId}`);
            expect(incident.protectedPrincipal).toBe(incident.userName === 'break-glass');
            expect(execution.input.length).toBeLessThan(8_000);
          }
          if (event.account !== ACCOUNT) expect(account.executions.size).toBe(0);
          // The dispatcher itself changes nothing in IAM.
          expect(account.calls.filter((c) => c.service === 'iam' && WRITES.test(c.operation))).toEqual([]);
          for (const p of account.published) expect(p.subject?.length ?? 0).toBeLessThanOrEqual(100);
        } finally {
          disconnect();
        }
      }),
      { numRuns: 1000, seed: 20261120 },
    );

    expect(tally.events).toBe(1000);
    expect(tally.matched).toBeGreaterThan(600);
    expect(tally.started).toBeGreaterThan(100);
    expect(tally.notified).toBeGreaterThan(100);
  }, 120_000);
});
