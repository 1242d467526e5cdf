import { readFileSync } from 'node:fs';
import { BUILTIN, shiftTimes } from '../../drill/cli';
import { Drill } from '../../drill/run-drill';
import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, DEFAULT_CONFIG, EXPOSED, OTHER, trustedAdvisorEvent, twoKeyScenario } from './helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
const CONFIG = { ...DEFAULT_CONFIG, organization: ORGANIZATION };
/** The drill's central account (drill/simulated-sts.ts); the scenario's account is the member. */
const CENTRAL = '999988887777';
const MEMBER_ROLE = `arn:aws:iam::${ACCOUNT}:role/exposed-key-responder-member`;
const OUTSIDER = '333333333333';

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ organizationId: ORGANIZATION.organizationId, memberOrganizationalUnits: ORGANIZATION.memberOrganizationalUnits.join(',') });
});

async function run(events: Array<{ event: unknown; onCentralBus?: boolean }>, config = CONFIG) {
  const d = new Drill(twoKeyScenario({ supportPlan: 'business' }), rules, config);
  try {
    for (const { event, onCentralBus } of events) await d.deliver(event, { onCentralBus });
    return d.output();
  } finally {
    d.close();
  }
}

describe('organization mode: a member account\'s exposed key', () => {
  let output: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    output = await run([{ event: trustedAdvisorEvent(EXPOSED, 'ci-deploy') }]);
  });

  it('goes from the member account\'s rule to the central bus\'s rule, then to the central dispatcher', () => {
    expect(output.deliveries[0].matchedRules).toEqual(['member/TrustedAdvisorExposedKeys', 'Organization/TrustedAdvisorExposedKeys']);
    expect(output.incident).toMatchObject({ accountId: ACCOUNT, accessKeyId: EXPOSED, userName: 'ci-deploy' });
  });

  it('is contained in the member account through the assumed member role', () => {
    const user = output.account.users.find((u) => u.userName === 'ci-deploy')!;

    expect(output.execution!.status).toBe('SUCCEEDED');
    expect(user.accessKeys).toEqual([
      expect.objectContaining({ accessKeyId: EXPOSED, status: 'Inactive' }),
      expect.objectContaining({ accessKeyId: OTHER, status: 'Active' }),
    ]);
    // The member stack's quarantine policy: the central one cannot be attached across accounts.
    expect(user.attachedPolicyArns).toEqual([`arn:aws:iam::${ACCOUNT}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`]);
    expect(Object.keys(user.inlinePolicies)).toContain('ExposedKeyResponder-RevokeOlderSessions');
    const deactivate = output.apiCalls.filter((c) => c.operation === 'UpdateAccessKey');
    expect(deactivate.map((c) => [c.invocation, c.role, c.error])).toEqual([['DeactivateKey', MEMBER_ROLE, undefined]]);
  });

  it('makes every IAM, CloudTrail, EC2 and Support call through the member role, and every central call with its own role', () => {
    const member = output.apiCalls.filter((c) => ['iam', 'cloudtrail', 'ec2', 'support'].includes(c.service));
    const central = output.apiCalls.filter((c) => ['sfn', 'sns', 's3'].includes(c.service));

    expect(member.length).toBeGreaterThan(10);
    expect(member.filter((c) => c.role !== MEMBER_ROLE)).toEqual([]);
    expect(central.length).toBeGreaterThan(3);
    expect(central.filter((c) => c.role !== undefined)).toEqual([]);
    expect(output.apiCalls.filter((c) => c.error === 'AccessDenied')).toEqual([]);
  });

  it('assumes the member role with sessions naming the incident (and the event, for the dispatcher), once per Lambda', () => {
    const id = output.incident!.incidentId;
    const sessions = output.organization!.assumedRoles.map((a) => a.sessionName);

    expect(output.organization).toMatchObject({ organizationId: 'o-a1b2c3d4e5', centralAccountId: CENTRAL, memberAccountId: ACCOUNT });
    expect(output.organization!.assumedRoles.every((a) => a.roleArn === MEMBER_ROLE)).toBe(true);
    expect(sessions[0]).toMatch(/^exposed-key-responder-dispatch-/);
    // contain (its three states), verify, investigate (both looks), evidence, support: one session each
    // (no foothold here: the footholds step does not run).
    expect(sessions.slice(1)).toEqual(Array(5).fill(`exposed-key-responder-${id}`));
    expect(output.apiCalls.filter((c) => c.operation === 'AssumeRole').map((c) => c.invocation)).toEqual([
      'dispatcher', 'DeactivateKey', 'Verify', 'Investigate', 'PreserveEvidence', 'AnswerSupportCase',
    ]);
  });

  it('names the member account in the record, the email and the support case, opened in the member account', () => {
    const email = output.notifications.find((n) => n.channel === 'email')!;

    expect((output.report.incident as { accountId: string }).accountId).toBe(ACCOUNT);
    expect(email.subject).toContain(`in ${ACCOUNT}`);
    expect(email.body).toContain(ACCOUNT);
    expect(output.account.supportCases).toHaveLength(1);
    expect(output.account.supportCases[0].communications.join('\n')).toContain(`in account ${ACCOUNT}`);
    expect(output.apiCalls.filter((c) => c.operation === 'CreateCase').map((c) => c.role)).toEqual([MEMBER_ROLE]);
  });
});

describe('organization mode: an event of an account outside the organization', () => {
  it('is not forwarded by the member account\'s rules (they match its own account only)', async () => {
    const output = await run([{ event: trustedAdvisorEvent(EXPOSED, 'ci-deploy', OUTSIDER) }]);

    expect(output.deliveries[0].matchedRules).toEqual([]);
    expect(output.apiCalls).toEqual([]);
  });

  it('put on the central bus anyway, is refused: the member role cannot be assumed there, nothing is done, people are told why', async () => {
    const output = await run([{ event: trustedAdvisorEvent(EXPOSED, 'ci-deploy', OUTSIDER), onCentralBus: true }]);
    const notice = output.notifications.find((n) => n.channel === 'email')!;

    expect(output.deliveries[0].matchedRules).toEqual(['Organization/TrustedAdvisorExposedKeys']);
    expect(output.deliveries[0].started).toEqual([]);
    expect(output.deliveries[0].skipped).toEqual([{ about: `account ${OUTSIDER}`, reason: 'event of another account' }]);
    expect(output.apiCalls.map((c) => [c.service, c.operation, c.error])).toEqual([
      ['sts', 'AssumeRole', 'AccessDenied'],
      ['sns', 'Publish', undefined],
    ]);
    expect(notice.subject).toBe(`[REFUSED] exposed-key report for account ${OUTSIDER} refused by the responder of ${CENTRAL}`);
    expect(notice.body).toContain(`the responder could not assume arn:aws:iam::${OUTSIDER}:role/exposed-key-responder-member`);
    expect(notice.body).toContain(`Account ${OUTSIDER} is not a member of the organization, or the member stack is not deployed there`);
    expect(output.account.users.find((u) => u.userName === 'ci-deploy')!.accessKeys[0].status).toBe('Active');
  });
});

describe('organization mode: the built-in incident (a backdoor user, a miner) in a member account', () => {
  it('follows the attacker in the member account through the member role: the backdoor user\'s key contained, the miner snapshotted there', async () => {
    const shift = Date.now() - BUILTIN.writtenAt;
    const scenario = shiftTimes(JSON.parse(readFileSync(BUILTIN.scenario, 'utf8')), shift) as { accountId: string };
    const events = BUILTIN.events.map((f) => shiftTimes(JSON.parse(readFileSync(f, 'utf8')), shift));
    const role = `arn:aws:iam::${scenario.accountId}:role/exposed-key-responder-member`;
    const d = new Drill(scenario, rules, CONFIG);
    let output: ReturnType<Drill['output']>;
    try {
      for (const e of events) await d.deliver(e);
      output = d.output();
    } finally {
      d.close();
    }

    const backdoor = output.account.users.find((u) => u.userName === 'support-admin')!;
    expect(backdoor.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    expect(backdoor.attachedPolicyArns).toContain(`arn:aws:iam::${scenario.accountId}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`);
    const footholdWrites = output.apiCalls.filter((c) => c.invocation === 'ContainFootholds' && c.operation === 'UpdateAccessKey');
    expect(footholdWrites.length).toBeGreaterThan(0);
    expect(new Set(footholdWrites.map((c) => c.role))).toEqual(new Set([role]));
    expect(output.apiCalls.filter((c) => c.operation === 'CreateSnapshots').map((c) => [c.region, c.role])).toEqual([['eu-west-1', role]]);
    expect(output.account.snapshots).toHaveLength(1);
    expect(output.apiCalls.filter((c) => c.error === 'AccessDenied')).toEqual([]);
  });
});

describe('organization mode: users protected in one account (protectedUsers entries <account>:<user>)', () => {
  it('leaves a user protected in the member account unchanged: people are told', async () => {
    const output = await run([{ event: trustedAdvisorEvent(EXPOSED, 'ci-deploy') }], { ...CONFIG, protectedUsers: [`${ACCOUNT}:ci-deploy`] });
    const user = output.account.users.find((u) => u.userName === 'ci-deploy')!;

    expect(user.accessKeys.map((k) => k.status)).toEqual(['Active', 'Active']);
    expect(user.attachedPolicyArns).toEqual([]);
    expect(output.apiCalls.filter((c) => ['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy'].includes(c.operation))).toEqual([]);
    expect(output.report.outcome).toBe('escalated');
    expect(output.notifications.find((n) => n.channel === 'email')!.subject).toContain('ACTION REQUIRED');
  });

  it('contains a user of the same name in another account', async () => {
    const output = await run([{ event: trustedAdvisorEvent(EXPOSED, 'ci-deploy') }], { ...CONFIG, protectedUsers: ['444455556666:ci-deploy'] });

    expect(output.account.users.find((u) => u.userName === 'ci-deploy')!.accessKeys[0].status).toBe('Inactive');
    expect(output.report.outcome).toBe('contained');
  });
});
