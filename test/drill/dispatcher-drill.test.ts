import { ACCOUNT, drill, EXPOSED, keyStatus, OTHER, stackRules, trustedAdvisorEvent, twoKeyScenario } from '../workflow/helpers';

beforeAll(() => {
  stackRules();
});

const SLACK = { dryRun: false, protectedUsers: [], lookbackDays: 14, slackWebhookSecret: 'exposed-key-responder/slack-webhook' };

describe('fire drill: the right principal', () => {
  it('contains the real owner when Trusted Advisor names another user, and leaves that user as it was', async () => {
    // Arrange: the key is ci-deploy's; the report names alice.
    const scenario = twoKeyScenario();

    // Act
    const { output, drill: d } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'alice')]);

    // Assert
    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.incident).toMatchObject({ accessKeyId: EXPOSED, userName: 'ci-deploy' });
    expect(d.deliveries[0].dispatch?.started[0].incident.reportedUserName).toBe('alice');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(keyStatus(output, 'ci-deploy', OTHER)).toBe('Active');
    const alice = (u: { userName: string }) => u.userName === 'alice';
    expect(output.account.users.find(alice)).toEqual(d.before.users.find(alice));
    const writes = output.apiCalls.filter((c) => c.service === 'iam' && /^(Update|Put|Attach|Create|Delete)/.test(c.operation));
    expect(writes.map((c) => c.invocation)).not.toContain('dispatcher');
  });
});

describe('fire drill: nothing dropped in silence', () => {
  it('tells people by email and Slack about a key of another account, changing nothing', async () => {
    const foreignKey = 'AKIAY34FZKBOKMUTVV7A'; // encodes account 609629065308

    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(foreignKey, 'ci-deploy')], SLACK);

    expect(output.account).toEqual(d.before);
    expect(output.execution?.status).toBe('SKIPPED');
    expect(output.notifications.map((n) => [n.channel, n.subject])).toEqual([
      ['email', `[UNRESOLVED] exposed-key report in ${ACCOUNT} names no key the responder can contain`],
      ['slack', `[UNRESOLVED] exposed-key report in ${ACCOUNT} names no key the responder can contain`],
    ]);
    expect(output.notifications[0].body).toContain(`access key ${foreignKey}: STS says this key belongs to account 609629065308, not to this one`);
  });

  // The rules match this account only (the dispatcher's refusal, with its message, is unit-tested):
  // whether or not a rule lets it through, an event of another account changes nothing here.
  it('changes nothing for an event of another account', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy', '999988887777')]);

    expect(output.account).toEqual(d.before);
    expect(output.incidents).toEqual([]);
    for (const n of output.notifications) expect(n.subject).toMatch(/^\[REFUSED\] /);
  });
});

describe('fire drill: notices reach Slack through the topic\'s subscription', () => {
  const foreignKey = 'AKIAY34FZKBOKMUTVV7A'; // encodes account 609629065308
  const unresolved = `[UNRESOLVED] exposed-key report in ${ACCOUNT} names no key the responder can contain`;

  it('asks STS through its SDK client, from the dispatcher, and invokes no Lambda', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(foreignKey, 'ci-deploy')], SLACK);

    const calls = output.apiCalls.map((c) => [c.invocation, c.service, c.operation]);
    expect(calls).toContainEqual(['dispatcher', 'sts', 'GetAccessKeyInfo']);
    expect(calls.filter(([, service]) => service === 'lambda')).toEqual([]);
    expect(calls.filter(([invocation]) => invocation === 'slack-notice')).toEqual([
      ['slack-notice', 'secretsmanager', 'GetSecretValue'],
      ['slack-notice', 'slack', 'PostMessage'],
    ]);
  });

  it('posts no notice to Slack when no webhook secret is configured (there is no subscription): the email stands', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(foreignKey, 'ci-deploy')]);

    expect(output.notifications.map((n) => [n.channel, n.subject])).toEqual([['email', unresolved]]);
  });

  it('runs the slack Lambda again when its post fails, as Lambda retries an asynchronous invocation', async () => {
    const faults = [{ operation: 'slack:PostMessage', error: 'ServiceUnavailable', times: 1 }];

    const { output } = await drill(twoKeyScenario({ faults }), [trustedAdvisorEvent(foreignKey, 'ci-deploy')], SLACK);

    expect(output.notifications.map((n) => [n.channel, n.subject])).toEqual([
      ['email', unresolved],
      ['slack', unresolved],
    ]);
  });

  it('drops the Slack notice after Lambda\'s three attempts of three posts each, and the email stands', async () => {
    const faults = [{ operation: 'slack:PostMessage', error: 'ServiceUnavailable', times: 9 }];

    const { output } = await drill(twoKeyScenario({ faults }), [trustedAdvisorEvent(foreignKey, 'ci-deploy')], SLACK);

    expect(output.notifications.map((n) => [n.channel, n.subject])).toEqual([['email', unresolved]]);
    expect(output.apiCalls.filter((c) => c.service === 'slack').map((c) => c.error)).toEqual(Array(9).fill('ServiceUnavailable'));
  });

  it('posts the Slack notice when Slack refuses only the first posts of the first attempt', async () => {
    const faults = [{ operation: 'slack:PostMessage', error: 'ServiceUnavailable', times: 2 }];

    const { output } = await drill(twoKeyScenario({ faults }), [trustedAdvisorEvent(foreignKey, 'ci-deploy')], SLACK);

    expect(output.notifications.map((n) => [n.channel, n.subject])).toEqual([['email', unresolved], ['slack', unresolved]]);
    expect(output.apiCalls.filter((c) => c.service === 'slack').map((c) => c.error ?? 'ok')).toEqual(['ServiceUnavailable', 'ServiceUnavailable', 'ok']);
  });

  it('keeps the workflow\'s own messages out of Slack: the workflow posts its summary once, itself', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], SLACK);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.notifications.filter((n) => n.channel === 'email').length).toBeGreaterThan(0);
    expect(output.notifications.filter((n) => n.channel === 'slack')).toHaveLength(1);
    expect(output.apiCalls.filter((c) => c.invocation === 'slack-notice')).toEqual([]);
  });
});
