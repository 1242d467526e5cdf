// The investigation's second look: CloudTrail again since the first pass, by what it found; new
// footholds, and whether containment held.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Footholds, Proof } from '../../../lambdas/footholds/contract';
import { InvestigateInputSchema } from '../../../lambdas/investigate/contract';
import { investigate } from '../../../lambdas/investigate/investigate';
import { anIncident, KEY_ID, REVOKE_BEFORE } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';
import { BUCKET, deps, INCIDENT_ID, resetAccount, s3 } from './harness';

const SINCE = '2026-11-20T10:00:30.000Z';
const CONTAINED_AT = '2026-11-20T10:00:20.000Z';
const SESSION = 'ASIAFIRSTPASSSESSION';
const BACKDOOR_KEY = 'AKIA3BACKDOORKEY0001';

const proof = (eventId: string, eventName: string): Proof => ({ eventId, eventTime: '2026-11-20T09:30:00.000Z', eventName, region: 'us-east-1', callerKeyId: KEY_ID });

/** What the first pass found: a session, a user with a key. */
const FIRST: Footholds = {
  footholds: [
    { kind: 'user', userName: 'support-admin', proof: proof('e1', 'CreateUser') },
    { kind: 'access-key', userName: 'support-admin', accessKeyId: BACKDOOR_KEY, proof: proof('e2', 'CreateAccessKey') },
  ],
  sessions: [{ accessKeyId: SESSION, via: 'GetSessionToken', proof: proof('e0', 'GetSessionToken') }],
  records: { read: 3, unreadable: 0, tied: 3 },
  truncated: [],
  gaps: [],
};

function secondLook() {
  return investigate(anIncident(), deps(), { revokeBefore: REVOKE_BEFORE, secondLook: { since: SINCE, containedAt: CONTAINED_AT, first: FIRST } });
}

const keysWritten = () => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: the second look', () => {
  it('searches from 15 minutes before the first pass stopped (CloudTrail is late), by the key, its sessions, the keys and users it created', async () => {
    const result = await secondLook();

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([
      [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }],
      [{ AttributeKey: 'AccessKeyId', AttributeValue: SESSION }],
      [{ AttributeKey: 'AccessKeyId', AttributeValue: BACKDOOR_KEY }],
      [{ AttributeKey: 'Username', AttributeValue: 'ci-deploy' }],
      [{ AttributeKey: 'Username', AttributeValue: 'support-admin' }],
    ]);
    for (const { input } of trail.calls) expect(input.StartTime).toEqual(new Date('2026-11-20T09:45:30.000Z'));
    expect(result.lookback.from).toBe('2026-11-20T09:45:30.000Z');
    expect(result.afterContainment).toEqual({ held: true, used: [], usedCount: 0, denied: [], deniedCount: 0, unreadable: 0 });
  });

  it('says containment did not hold when a key the attacker created was used after it, and finds a late foothold', async () => {
    trail.add(
      // Found by the first pass already: not listed again.
      aRecord({ eventId: 'e1', eventTime: '2026-11-20T09:30:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'support-admin' } }),
      // Shown by CloudTrail after the first pass, though made before it ended.
      aRecord({ eventId: 'late-user', eventTime: '2026-11-20T10:00:10Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'second-backdoor' } }),
      aRecord({ eventId: 'used', eventTime: '2026-11-20T10:03:00Z', eventName: 'RunInstances', accessKeyId: BACKDOOR_KEY, userName: 'support-admin', sourceIPAddress: '198.51.100.23' }),
    );

    const result = await secondLook();

    expect(result.afterContainment).toMatchObject({
      held: false,
      usedCount: 1,
      used: [{ eventId: 'used', eventName: 'RunInstances', by: `access key ${BACKDOOR_KEY} it created for user support-admin`, sourceIp: '198.51.100.23' }],
    });
    expect(result.footholds!.footholds).toEqual([expect.objectContaining({ kind: 'user', userName: 'second-backdoor' })]);
    expect(result.footholds!.sessions.map((s) => s.accessKeyId)).toEqual([SESSION]);
  });

  it('counts a call that containment stopped as denied, not used', async () => {
    trail.add(aRecord({ eventId: 'denied', eventTime: '2026-11-20T10:04:00Z', eventName: 'ListUsers', eventSource: 'iam.amazonaws.com', errorCode: 'AccessDenied' }));

    const result = await secondLook();

    expect(result.afterContainment).toMatchObject({ held: true, deniedCount: 1, denied: [{ eventId: 'denied', errorCode: 'AccessDenied', by: `the leaked key ${KEY_ID}` }] });
  });

  it('saves its own activity and footholds, never over the first pass\'s', async () => {
    const result = await secondLook();

    expect(keysWritten()).toEqual([`incidents/${INCIDENT_ID}/second-look-activity.jsonl`, `incidents/${INCIDENT_ID}/second-look-footholds.json`]);
    expect(result.activityObject).toBe(`s3://${BUCKET}/incidents/${INCIDENT_ID}/second-look-activity.jsonl`);
  });

  it('is refused at the step\'s input when what it needs does not fit', () => {
    const parsed = InvestigateInputSchema.safeParse({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, secondLook: { since: 'soon', containedAt: CONTAINED_AT, first: FIRST } });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['secondLook.since']);
  });
});
