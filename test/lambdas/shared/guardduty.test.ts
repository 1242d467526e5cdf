import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDetection } from '../../../lambdas/shared/events';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'guardduty');
const finding = (name: string) => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Record<string, any>;

describe('parseDetection: GuardDuty access key findings', () => {
  it('a long-term key (AKIA): the key to contain, the user named as a hint only, the finding as the detail', () => {
    const d = parseDetection(finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json'));

    expect(d).toMatchObject({
      source: 'guardduty',
      accountId: '123456789012',
      detectedAt: '2022-01-13T00:00:47Z',
      eventCode: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      accessKeyIds: ['AKIAEXPOSEDKEY000001'],
      unusableKeys: [],
      userName: 'ci-deploy',
      roles: [],
      kind: 'keys',
      detail: 'GuardDuty UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (severity 8): API GeneratedFindingAPIName was invoked from an IP address on a custom threat list.',
      eventArn: 'arn:aws:guardduty:us-east-1:123456789012:detector/123456789012/finding/30bf285e52a1e405084ff6ec28e06e17',
    });
    expect(d.sample).toBe(true);
    expect(d.ignored).toEqual([]);
  });

  it('temporary credentials (ASIA) of an instance role: no key to contain; the session id and the role are named to people', () => {
    const d = parseDetection(finding('asia-instance-credential-exfiltration-outside-aws.json'));

    expect(d.accessKeyIds).toEqual([]);
    expect(d.kind).toBe('nothing');
    expect(d.unusableKeys).toEqual([{ value: 'ASIAEXAMPLESESSION01', reason: 'temporary-credentials' }]);
    expect(d.roles).toEqual(['arn:aws:iam::123456789012:role/app-server-role']);
    expect(d.userName).toBeUndefined();
  });

  it('GuardDuty\'s own sample key (GeneratedFindingAccessKeyId) is no key IAM issued: named, never contained', () => {
    const event = finding('sample-recon-maliciousipcaller-custom.json');
    event.detail.type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom';

    const d = parseDetection(event);

    expect(d.accessKeyIds).toEqual([]);
    expect(d.unusableKeys).toEqual([{ value: 'GeneratedFindingAccessKeyId', reason: 'lower-case' }]);
  });

  it('refuses a finding type that is not an access key finding (the published Recon sample), naming the type', () => {
    expect(() => parseDetection(finding('sample-recon-maliciousipcaller-custom.json'))).toThrow(
      expect.objectContaining({ name: 'InvalidIncidentError', message: expect.stringContaining('Recon:IAMUser/MaliciousIPCaller.Custom is not one of the access key findings') }),
    );
  });

  it.each([
    ['a resource that is not an access key', (e: Record<string, any>) => { e.detail.resource.resourceType = 'Instance'; }],
    ['no severity', (e: Record<string, any>) => { delete e.detail.severity; }],
    ['a severity that is not a number', (e: Record<string, any>) => { e.detail.severity = 'HIGH'; }],
    ['no accessKeyDetails', (e: Record<string, any>) => { delete e.detail.resource.accessKeyDetails; }],
    ['an account that is not 12 digits', (e: Record<string, any>) => { e.account = '12345'; }],
  ])('refuses %s as an event that can never be an incident', (_what, spoil) => {
    const event = finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json');
    spoil(event);

    expect(() => parseDetection(event)).toThrow(expect.objectContaining({ name: 'InvalidIncidentError' }));
  });

  it('does not take a hostile role name for a role', () => {
    const event = finding('asia-instance-credential-exfiltration-outside-aws.json');
    event.detail.resource.accessKeyDetails.userName = 'app/../../admin role';

    const d = parseDetection(event);

    expect(d.roles).toEqual([]);
    expect(d.ignored).toContain('role name "app/../../admin role" is not an IAM role name: not used');
  });
});
