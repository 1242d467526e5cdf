import { REVOKE_SESSIONS_POLICY_NAME } from '../../lambdas/shared/policies';
import { DEFAULT_CONFIG, drill, EXPOSED, keyStatus, QUARANTINE_ARN, stackRules, trustedAdvisorEvent, twoKeyScenario, userOf, WRITES } from './helpers';


beforeAll(() => {
  stackRules();
});

describe('containment: each branch decides on what IAM says now', () => {
  it('escalates when the inline policy quota is full: RevokeSessions fails with EscalationRequiredError, the email gives the commands', async () => {
    const big = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 80 }, (_, i) => `s3:GetObjectVersion${i}`), Resource: '*' }] };
    const scenario = twoKeyScenario();
    scenario.users![0] = { ...scenario.users![0], inlinePolicies: { existing: big } };

    const { output } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('FAILED');
    const user = userOf(output, 'ci-deploy');
    expect(Object.keys(user.inlinePolicies)).toEqual(['existing']);
    expect(user.attachedPolicyArns).toEqual([QUARANTINE_ARN]); // nothing of its own created or attached
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(output.apiCalls.filter((c) => c.operation === 'CreatePolicy')).toEqual([]);
    expect(output.apiCalls.filter((c) => c.operation === 'PutUserPolicy').map((c) => c.error)).toEqual(['LimitExceededException']); // never retried
    const [mail] = output.notifications;
    expect(mail.subject).toMatch(/^\[FAILED\]/);
    const lines = mail.body.split('\n');
    expect(lines.slice(0, 3)).toEqual([`Containment FAILED (RevokeSessions): access key ${EXPOSED} is Inactive, but sessions of user ci-deploy issued before the response may still work`, '', 'Still open, do this first:']);
    expect(lines[3]).toMatch(new RegExp(`^  1\\. RevokeSessions could not be done safely, a human must finish it: inline policy ${REVOKE_SESSIONS_POLICY_NAME} could not be put on user ci-deploy`));
    expect(mail.body).toContain(`[FAILED] RevokeSessions: EscalationRequiredError: inline policy ${REVOKE_SESSIONS_POLICY_NAME} could not be put on user ci-deploy`);
    expect(mail.body).toContain(`aws iam put-user-policy --user-name ci-deploy --policy-name ${REVOKE_SESSIONS_POLICY_NAME} --policy-document`);
  });

  it('reads the user and the state before inside each branch, in parallel with the others: three calls to deactivate, four to revoke, three to quarantine', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    const of = (invocation: string) => output.apiCalls.filter((c) => c.invocation === invocation).map((c) => c.operation);
    expect(of('DeactivateKey').slice(0, 2).sort()).toEqual(['GetUser', 'ListAccessKeys']);
    expect(of('DeactivateKey').slice(2)).toEqual(['UpdateAccessKey']);
    expect(of('RevokeSessions').slice(0, 2).sort()).toEqual(['GetUser', 'GetUserPolicy']);
    expect(of('RevokeSessions').slice(2)).toEqual(['PutUserPolicy', 'GetUserPolicy']);
    expect(of('Quarantine').slice(0, 2).sort()).toEqual(['GetUser', 'ListAttachedUserPolicies']);
    expect(of('Quarantine').slice(2)).toEqual(['AttachUserPolicy']);
    expect(of('Verify')).toContain('GetUser');
  });
});

describe('protection checked where the change is made (GetUser), not only by the dispatcher', () => {
  it.each([
    ['its tag exposed-key-responder:protected=true', { tags: { 'exposed-key-responder:protected': 'true' } }, [], 'user ci-deploy carries the tag exposed-key-responder:protected=true'],
    ['its path under a /path/* entry', { path: '/breakglass/' }, ['/breakglass/*'], 'user ci-deploy has path /breakglass/, protected by the entry "/breakglass/*"'],
  ])('changes nothing for a user protected by %s', async (_how, facts, protectedUsers, reason) => {
    const scenario = twoKeyScenario();
    scenario.users![0] = { ...scenario.users![0], ...facts };

    const { output, drill: d } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, protectedUsers });

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.apiCalls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.account.users).toEqual(d.before.users);
    const gets = output.apiCalls.filter((c) => c.operation === 'GetUser').map((c) => c.invocation).sort();
    expect(gets).toEqual(expect.arrayContaining(['DeactivateKey', 'Quarantine', 'RevokeSessions', 'Verify']));
    expect(output.notifications[0].body).toContain(`${reason}: nothing was changed, a human must act`);
  });
});
