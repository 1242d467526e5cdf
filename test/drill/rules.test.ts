import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { matchingRules, resolvePattern, rulesOfTemplate } from '../../drill/rules';
import { Drill } from '../../drill/run-drill';
import { synthesizedRules } from '../../drill/stack-rules';

const HEALTH = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'drill', 'events', 'builtin-health.json'), 'utf8')) as Record<string, unknown>;
const SCENARIO_ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const rules = synthesizedRules({});

describe('the drill\'s rules (the synthesized stack\'s patterns)', () => {
  it('carry the deployment account as a reference, as the template does when the account is unknown at synth', () => {
    for (const r of rules) expect(r.pattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });

  it('match an event of the scenario\'s account', () => {
    expect(matchingRules(rules, HEALTH, { accountId: SCENARIO_ACCOUNT })).toEqual(['DetectionRules/HealthRisk']);
  });

  it('do not match the same event in another account, nor without an account', () => {
    expect(matchingRules(rules, { ...HEALTH, account: OTHER_ACCOUNT }, { accountId: SCENARIO_ACCOUNT })).toEqual([]);
    const { account: _account, ...withoutAccount } = HEALTH;
    expect(matchingRules(rules, withoutAccount, { accountId: SCENARIO_ACCOUNT })).toEqual([]);
  });

  it('include the report bus\'s rule with -c reporters, matching a report of the scenario\'s account only', () => {
    const withBus = synthesizedRules({ reporters: `arn:aws:iam::${SCENARIO_ACCOUNT}:role/reporter` });
    const report = { source: 'exposed-key-responder', 'detail-type': 'Exposed Access Key Reported', detail: { accessKeyId: 'AKIA3EXPOSEDCIKEY001' } };
    expect(matchingRules(withBus, { ...report, account: SCENARIO_ACCOUNT }, { accountId: SCENARIO_ACCOUNT })).toEqual(['ReportBus/ManualReport']);
    expect(matchingRules(withBus, { ...report, account: OTHER_ACCOUNT }, { accountId: SCENARIO_ACCOUNT })).toEqual([]);
    expect(matchingRules(rules, { ...report, account: SCENARIO_ACCOUNT }, { accountId: SCENARIO_ACCOUNT })).toEqual([]);
  });
});

describe('resolvePattern', () => {
  it('replaces the account reference, at any depth, and leaves the rest as it is', () => {
    expect(resolvePattern({ account: [{ Ref: 'AWS::AccountId' }], detail: { a: [{ prefix: 'x' }], n: [{ numeric: ['>', 0] }] } }, { accountId: '123456789012' }))
      .toEqual({ account: ['123456789012'], detail: { a: [{ prefix: 'x' }], n: [{ numeric: ['>', 0] }] } });
  });

  it.each([
    [{ Ref: 'AWS::Region' }],
    [{ Ref: 'SomeParameter' }],
    [{ 'Fn::Join': ['', ['a', 'b']] }],
    [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }],
  ])('throws on %p instead of guessing', (value) => {
    expect(() => resolvePattern({ resources: [value] }, { accountId: '123456789012' })).toThrow(/cannot resolve/);
  });

  it('reads the rules of a template, by construct path', () => {
    const template = {
      Resources: {
        R1: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['a'] } }, Metadata: { 'aws:cdk:path': 'Stack/Rules/A/Resource' } },
        Q: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    expect(rulesOfTemplate(template)).toEqual([{ name: 'Rules/A', pattern: { source: ['a'] } }]);
  });
});

describe('a drill', () => {
  it('takes an event of another account to no rule: not an incident, nothing changed', async () => {
    const scenario = { accountId: SCENARIO_ACCOUNT, users: [{ userName: 'ci', accessKeys: [{ accessKeyId: 'AKIA3EXPOSEDCIKEY001' }] }] };
    const drill = new Drill(scenario, rules, { dryRun: false, protectedUsers: [], lookbackDays: 14 });
    try {
      const delivery = await drill.deliver({ ...HEALTH, account: OTHER_ACCOUNT });
      expect(delivery).toEqual({ matchedRules: [], executions: [] });
      expect(drill.account.view()).toEqual(drill.before);
    } finally {
      drill.close();
    }
  });
});
