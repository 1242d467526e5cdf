import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { matchingRules } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';

const DIR = path.join(__dirname, '..', 'fixtures', 'guardduty');
const finding = (name: string) => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Record<string, any>;
const ACCOUNT = '123456789012';

describe('the GuardDuty rule (guardDutyMinSeverity)', () => {
  const rules = synthesizedRules({ guardDutyMinSeverity: '7' });
  const matched = (event: unknown) => matchingRules(rules, event, { accountId: ACCOUNT });

  it('is not in the stack unless guardDutyMinSeverity is set', () => {
    expect(synthesizedRules({}).map((r) => r.name).filter((n) => n.startsWith('GuardDuty'))).toEqual([]);
  });

  it('matches a long-term key finding at severity 8', () => {
    expect(matched(finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json'))).toEqual(['GuardDutyCredentialFindings/Rule']);
  });

  it('matches the instance credential exfiltration finding (ASIA): the dispatcher decides what it means', () => {
    expect(matched(finding('asia-instance-credential-exfiltration-outside-aws.json'))).toEqual(['GuardDutyCredentialFindings/Rule']);
  });

  it('does not match the same finding below the threshold (severity 5 against 7)', () => {
    expect(matched(finding('akia-unauthorizedaccess-maliciousipcaller-severity-5.json'))).toEqual([]);
  });

  it('matches at exactly the threshold', () => {
    const event = finding('akia-unauthorizedaccess-maliciousipcaller-severity-5.json');
    event.detail.severity = 7;
    expect(matched(event)).toEqual(['GuardDutyCredentialFindings/Rule']);
  });

  it('does not match a type it does not listen to (the published Recon sample), even at a high severity', () => {
    const event = finding('sample-recon-maliciousipcaller-custom.json');
    event.detail.severity = 8;
    expect(matched(event)).toEqual([]);
  });

  it.each([
    ['CredentialAccess:IAMUser/AnomalousBehavior', true],
    ['Impact:IAMUser/AnomalousBehavior', true],
    ['AttackSequence:IAM/CompromisedCredentials', true],
    ['UnauthorizedAccess:EC2/SSHBruteForce', false],
    ['Discovery:IAMUser/AnomalousBehavior', false],
  ])('type %s matched by prefix: %s', (type, matches) => {
    const event = finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json');
    event.detail.type = type;
    expect(matched(event)).toEqual(matches ? ['GuardDutyCredentialFindings/Rule'] : []);
  });

  it('does not match a finding whose resource is not an access key, nor one of another account', () => {
    const instance = finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json');
    instance.detail.resource.resourceType = 'Instance';
    expect(matched(instance)).toEqual([]);
    expect(matched({ ...finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json'), account: '444455556666' })).toEqual([]);
  });
});
