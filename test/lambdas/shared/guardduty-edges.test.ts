// GuardDuty findings at the parser's edges: absent and null fields, values of the wrong type, and
// the refusal of a finding that is not about an access key (lambdas/shared/guardduty.ts).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { parseDetection } from '../../../lambdas/shared/events';

const SAMPLE = path.join(__dirname, '..', '..', 'fixtures', 'guardduty', 'asia-instance-credential-exfiltration-outside-aws.json');
const asia = () => JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, any>;
const details = (e: Record<string, any>) => e.detail.resource.accessKeyDetails as Record<string, unknown>;

function refusal(event: unknown): Error {
  try {
    parseDetection(event);
  } catch (err) {
    return err as Error;
  }
  throw new Error('the finding was not refused');
}

describe('GuardDuty: what a finding without a field says', () => {
  it.each([
    ['absent', undefined],
    ['null', null],
  ])('an %s access key id names no value at all', (_why, value) => {
    const e = asia();
    details(e).accessKeyId = value;

    const d = parseDetection(e);

    expect(d.unusableKeys).toEqual([]);
    expect(d.accessKeyIds).toEqual([]);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
  ])('an %s role name of an assumed role names no role and notes nothing', (_why, value) => {
    const e = asia();
    details(e).userName = value;

    const d = parseDetection(e);

    expect(d.roles).toEqual([]);
    expect(d.ignored).toEqual([]);
  });

  it('a role name that is no string names no role, and says so', () => {
    const e = asia();
    details(e).userName = 12345;

    const d = parseDetection(e);

    expect(d.roles).toEqual([]);
    expect(d.ignored).toEqual(['role name "12345" is not an IAM role name: not used']);
  });

  it('a null title, a null finding ARN and no service section leave the detail without a title, no event ARN and no sample mark', () => {
    const e = asia();
    e.detail.title = null;
    e.detail.arn = null;
    delete e.detail.service;

    const d = parseDetection(e);

    expect(d.detail).toBe('GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS (severity 8)');
    expect(d).not.toHaveProperty('eventArn');
    expect(d).not.toHaveProperty('sample');
  });

  it('a service section without additional info is no sample', () => {
    const e = asia();
    e.detail.service = {};

    expect(parseDetection(e)).not.toHaveProperty('sample');
  });
});

describe('GuardDuty: what is refused', () => {
  it('a finding that is not about an access key, naming the types it accepts', () => {
    const e = asia();
    e.detail.type = 'Recon:EC2/PortProbeUnprotectedPort';

    const err = refusal(e);

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toBe(
      'GuardDuty finding type Recon:EC2/PortProbeUnprotectedPort is not one of the access key findings (UnauthorizedAccess:IAMUser/*, CredentialAccess:IAMUser/*, Impact:IAMUser/*, AttackSequence:IAM/*)',
    );
  });

  it.each(['1234567890123', 'a123456789012', '123456789012a'])('an account %s (twelve digits, nothing else)', (account) => {
    const e = asia();
    e.account = account;

    expect(refusal(e)).toBeInstanceOf(InvalidIncidentError);
  });

  it('a user type that is no string', () => {
    const e = asia();
    details(e).userType = 5;

    expect(refusal(e).message).toContain('detail.resource.accessKeyDetails.userType');
  });

  it('additional info that is no object', () => {
    const e = asia();
    e.detail.service = { additionalInfo: 'sample' };

    expect(refusal(e).message).toContain('detail.service.additionalInfo');
  });
});
