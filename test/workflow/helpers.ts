import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Drill, DrillConfig } from '../../drill/run-drill';
import { RulePattern } from '../../drill/rules';
import { ScenarioInput } from '../../drill/scenario';
import { synthesizedRules } from '../../drill/stack-rules';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'aws', 'events');

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** A bare CloudTrail record as EventBridge delivers it (us-east-1, aws.iam). */
export function cloudTrailEvent(record: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: 'c0ffee00-0000-4000-8000-000000000001',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: (record.recipientAccountId as string) ?? '123456789012',
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

let rules: RulePattern[] | undefined;
/** The synthesized stack's rules, built once per test file. */
export function stackRules(): RulePattern[] {
  rules ??= synthesizedRules({});
  return rules;
}

export const DEFAULT_CONFIG: DrillConfig = { dryRun: false, protectedUsers: [], lookbackDays: 14 };

/** Runs a drill of `events` on `scenario`; the drill is closed before returning. */
export async function drill(scenario: ScenarioInput, events: unknown[], config: DrillConfig = DEFAULT_CONFIG, rules: RulePattern[] = stackRules()) {
  const d = new Drill(scenario, rules, config);
  try {
    for (const e of events) await d.deliver(e);
    return { drill: d, output: d.output() };
  } finally {
    d.close();
  }
}

export const ACCOUNT = '123456789012';
/** The stack's quarantine policy in the drill's account. */
export const QUARANTINE_ARN = `arn:aws:iam::${ACCOUNT}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`;
/** The IAM operations that change the account (none may happen to a protected user or in a dry run). */
export const WRITES = new Set(['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy', 'CreatePolicy', 'DeleteAccessKey']);
export const EXPOSED = 'AKIAEXPOSEDKEY000001';
export const OTHER = 'AKIAOTHERKEY00000002';

/** A user with two active keys, one of them exposed, and an unrelated user. */
export function twoKeyScenario(extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    accountId: ACCOUNT,
    users: [
      { userName: 'ci-deploy', accessKeys: [{ accessKeyId: EXPOSED, status: 'Active' }, { accessKeyId: OTHER, status: 'Active' }] },
      { userName: 'alice', accessKeys: [{ accessKeyId: 'AKIAALICEKEY00000003', status: 'Active' }] },
    ],
    ...extra,
  };
}

export function trustedAdvisorEvent(accessKeyId: string, userName: string, account = ACCOUNT): Record<string, unknown> {
  const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
  const detail = event.detail as Record<string, Record<string, string>>;
  detail['check-item-detail']['Access Key ID'] = accessKeyId;
  detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return { ...event, account };
}

export function healthEvent(accessKeyId: string, account = ACCOUNT, code = 'AWS_RISK_CREDENTIALS_EXPOSED'): Record<string, unknown> {
  const event = fixture('health-credentials-exposed-2016-sample.json');
  const detail = event.detail as Record<string, unknown>;
  return { ...event, account, detail: { ...detail, eventTypeCode: code, affectedEntities: [{ entityValue: accessKeyId }] } };
}

export function keyStatus(output: { account: { users: Array<{ userName: string; accessKeys: Array<{ accessKeyId: string; status: string }> }> } }, userName: string, key: string) {
  return output.account.users.find((u) => u.userName === userName)?.accessKeys.find((k) => k.accessKeyId === key)?.status;
}

export function userOf(output: { account: { users: Array<{ userName: string }> } }, userName: string) {
  const user = output.account.users.find((u) => u.userName === userName);
  if (!user) throw new Error(`no user ${userName}`);
  return user as { userName: string; inlinePolicies: Record<string, unknown>; attachedPolicyArns: string[]; accessKeys: Array<{ accessKeyId: string; status: string }> };
}
