// Organization mode, a report by hand: a reporter of the central (security) account puts the report
// on the central report bus; the key is of a member account (STS says so), and it is contained
// there through the member role.
import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, DEFAULT_CONFIG, drill, EXPOSED, keyStatus, OTHER, twoKeyScenario, userOf } from './helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
const CONFIG = { ...DEFAULT_CONFIG, organization: ORGANIZATION };
/** The drill's central account (drill/simulated-sts.ts); the scenario's account is the member. */
const CENTRAL = '999988887777';
const MEMBER_ROLE = `arn:aws:iam::${ACCOUNT}:role/exposed-key-responder-member`;
const OUTSIDER = '333333333333';
/** A key id STS reads as account 333333333333's (outside the organization). */
const OUTSIDER_KEY = 'AKIAE3HBXAVKQAQUTSDR';
const WRITES = ['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy', 'DeleteAccessKey'];

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({
    organizationId: ORGANIZATION.organizationId,
    memberOrganizationalUnits: ORGANIZATION.memberOrganizationalUnits.join(','),
    reporters: `arn:aws:iam::${CENTRAL}:role/oncall`,
  });
});

/** A report by hand as the central report bus delivers it: the account is the reporter's, the central one. */
function reportByHand(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0', id: 'evt-report-1', 'detail-type': 'Exposed Access Key Reported', source: 'exposed-key-responder',
    account: CENTRAL, time: new Date().toISOString(), region: 'us-east-1', resources: [], detail,
  };
}

async function run(event: unknown) {
  return (await drill(twoKeyScenario({ supportPlan: 'business' }), [event], CONFIG, rules)).output;
}

describe('organization mode: a report by hand of a member account\'s key', () => {
  let output: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    output = await run(reportByHand({ accessKeyId: EXPOSED, userName: 'ci-deploy', reason: 'found in a build log' }));
  });

  it('reaches the dispatcher through the central account\'s report bus rule only', () => {
    expect(output.deliveries[0].matchedRules).toEqual(['ReportBus/ManualReport']);
  });

  it('asks STS whose key it is, then acts in that member account through its member role', () => {
    const dispatcher = output.apiCalls.filter((c) => c.invocation === 'dispatcher').map((c) => [c.service, c.operation, c.role, c.error]);

    expect(dispatcher.slice(0, 3)).toEqual([
      ['sts', 'GetAccessKeyInfo', undefined, undefined],
      ['sts', 'AssumeRole', undefined, undefined],
      ['iam', 'GetAccessKeyLastUsed', MEMBER_ROLE, undefined],
    ]);
    expect(output.organization!.assumedRoles[0]).toMatchObject({ roleArn: MEMBER_ROLE, sessionName: 'exposed-key-responder-dispatch-evt-report-1' });
  });

  it('contains the member\'s key through the member role, leaving its other key as it was', () => {
    expect(output.execution!.status).toBe('SUCCEEDED');
    expect([keyStatus(output, 'ci-deploy', EXPOSED), keyStatus(output, 'ci-deploy', OTHER)]).toEqual(['Inactive', 'Active']);
    expect(userOf(output, 'ci-deploy').attachedPolicyArns).toEqual([`arn:aws:iam::${ACCOUNT}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`]);
    expect(output.apiCalls.filter((c) => WRITES.includes(c.operation)).map((c) => c.role)).toEqual([MEMBER_ROLE, MEMBER_ROLE, MEMBER_ROLE]);
    expect(output.apiCalls.filter((c) => c.error === 'AccessDenied')).toEqual([]);
  });

  it('names the member account in the incident, the record and the email, and quotes the reporter', () => {
    const email = output.notifications.find((n) => n.channel === 'email')!;

    expect(output.incident).toMatchObject({ source: 'manual', accountId: ACCOUNT, accessKeyId: EXPOSED, userName: 'ci-deploy' });
    expect((output.report.incident as Record<string, unknown>).accountId).toBe(ACCOUNT);
    expect((output.report.incident as Record<string, unknown>).reportedAccountId).toBeUndefined();
    expect(email.subject).toContain(`in ${ACCOUNT}`);
    expect(email.body).toContain('The reporter wrote: "found in a build log"');
  });
});

describe('organization mode: a report by hand naming the wrong account', () => {
  it('contains the key in the account STS says, and every message says the report named another (where nothing was done)', async () => {
    const output = await run(reportByHand({ accessKeyId: EXPOSED, accountId: '444455556666' }));
    const email = output.notifications.find((n) => n.channel === 'email')!;

    expect(output.report.incident).toMatchObject({ accountId: ACCOUNT, reportedAccountId: '444455556666' });
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(output.organization!.assumedRoles.every((a) => a.roleArn === MEMBER_ROLE)).toBe(true);
    expect(output.report.notes).toContain(`The report named account 444455556666, the key is of account ${ACCOUNT}: nothing was done in account 444455556666.`);
    expect(email.body).toContain('The report named account 444455556666');
  });
});

describe('organization mode: a report by hand of a key of an account outside the organization', () => {
  it('is refused: the member role cannot be assumed there, nothing is read or changed, people are told which account and why', async () => {
    const output = await run(reportByHand({ accessKeyId: OUTSIDER_KEY, accountId: ACCOUNT }));
    const notice = output.notifications.find((n) => n.channel === 'email')!;

    expect(output.deliveries[0].started).toEqual([]);
    expect(output.deliveries[0].skipped).toEqual([{ about: `account ${OUTSIDER}`, reason: 'event of another account' }]);
    expect(output.apiCalls.map((c) => [c.service, c.operation, c.error])).toEqual([
      ['sts', 'GetAccessKeyInfo', undefined],
      ['sts', 'AssumeRole', 'AccessDenied'],
      ['sns', 'Publish', undefined],
    ]);
    expect(notice.subject).toBe(`[REFUSED] exposed-key report for account ${OUTSIDER} refused by the responder of ${CENTRAL}`);
    expect(notice.body).toContain(`Account of the key (sts:GetAccessKeyInfo): ${OUTSIDER}`);
    expect(notice.body).toContain(`Account named by the report (a hint: the key decides): ${ACCOUNT}`);
    expect(notice.body).toContain(`Account ${OUTSIDER} is not a member of the organization, or the member stack is not deployed there`);
    expect([keyStatus(output, 'ci-deploy', EXPOSED), keyStatus(output, 'ci-deploy', OTHER)]).toEqual(['Active', 'Active']);
    expect(output.account.users.flatMap((u) => u.attachedPolicyArns)).toEqual([]);
  });
});
