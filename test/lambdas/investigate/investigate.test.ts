// The investigation as a whole: its output with nothing found, and the full activity saved.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import { anIncident, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';
import {
  ACTIVITY_KEY,
  activityLines,
  FOOTHOLDS_KEY,
  BUCKET,
  cloudtrailStub,
  deps,
  enabledRegions,
  resetAccount,
  run,
  s3,
  SESSION_KEY,
} from './harness';

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: the answer', () => {
  it('reports no activity, without firstSeen or lastSeen, when the key did nothing', async () => {
    const result = await run();

    expect(result.eventCount).toBe(0);
    expect(result).not.toHaveProperty('firstSeen');
    expect(result).not.toHaveProperty('lastSeen');
    expect(result.notable).toEqual([]);
  });
});

describe('investigate: the full activity', () => {
  /** The activity object's text when LookupEvents by key returns these CloudTrailEvent texts (in us-east-1). */
  async function bodyFor(...texts: string[]): Promise<string> {
    cloudtrailStub.reset();
    cloudtrailStub.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }] }).resolves({
      Events: texts.map((CloudTrailEvent, i) => ({ EventId: `evt-${i}`, EventName: 'ListUsers', CloudTrailEvent })),
    });
    cloudtrailStub.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'ci-deploy' }] }).resolves({ Events: [] });
    await run();
    return String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body);
  }

  it('writes CloudTrail\'s own text of each event with the region added, one line each', async () => {
    const body = await bodyFor(
      '{"eventID":"evt-0","eventTime":"2026-11-20T09:00:01Z","eventName":"ListUsers","sourceIPAddress":"203.0.113.7"}',
      '{\n  "eventID": "evt-1",\n  "eventTime": "2026-11-20T09:00:02Z"\n}',
      '{"eventID":"evt-2","eventTime":"2026-11-20T09:00:03Z","region":"its-own"}',
    );

    expect(body).toBe(
      '{"eventID":"evt-0","eventTime":"2026-11-20T09:00:01Z","eventName":"ListUsers","sourceIPAddress":"203.0.113.7","region":"us-east-1"}\n' +
        '{"eventID":"evt-1","eventTime":"2026-11-20T09:00:02Z","region":"us-east-1"}\n' +
        '{"eventID":"evt-2","eventTime":"2026-11-20T09:00:03Z","region":"us-east-1"}\n',
    );
  });

  it('writes an empty, non-object or unreadable CloudTrailEvent as a record of its own, still one line each', async () => {
    const body = await bodyFor('{}', 'null', '[1]', '{"eventID": "evt-3", "eventName": "Cut sh');

    const lines = body.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.region === 'us-east-1')).toBe(true);
    expect(lines.filter((l) => l.eventID).map((l) => l.eventID).sort()).toEqual(['evt-1', 'evt-2', 'evt-3']); // from the lookup's own fields
  });

  it('writes every event as one JSON line, with its region, to incidents/<incidentId>/activity.jsonl', async () => {
    enabledRegions('us-east-1', 'eu-west-1');
    trail.add(
      aRecord({ eventId: 'a', region: 'eu-west-1', eventTime: '2026-11-20T09:00:02Z' }),
      aRecord({ eventId: 'b', region: 'us-east-1', eventTime: '2026-11-20T09:00:01Z' }),
      aRecord({ eventId: 'c', region: 'us-east-1', eventTime: '2026-11-20T09:00:03Z', accessKeyId: SESSION_KEY }),
    );

    const result = await run();

    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([ACTIVITY_KEY, FOOTHOLDS_KEY]);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: ACTIVITY_KEY, ContentType: 'application/x-ndjson' });
    const body = String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body);
    expect(body.endsWith('\n')).toBe(true);
    expect(body.trimEnd().split('\n')).toHaveLength(3);
    expect(activityLines().map((l) => [l.eventID, l.region, l.awsRegion, l.userIdentity.accessKeyId])).toEqual([
      ['b', 'us-east-1', 'us-east-1', KEY_ID],
      ['a', 'eu-west-1', 'eu-west-1', KEY_ID],
      ['c', 'us-east-1', 'us-east-1', SESSION_KEY],
    ]);
    expect(result.activityObject).toBe(`s3://${BUCKET}/${ACTIVITY_KEY}`);
  });

  it('records S3 failures (the activity, the footholds) and still returns the investigation', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }));
    trail.add(aRecord());

    const result = await run();

    expect(result).not.toHaveProperty('activityObject');
    expect(result.failures).toEqual([
      { what: `s3:PutObject s3://${BUCKET}/${ACTIVITY_KEY}`, error: 'AccessDenied: Access Denied: the full activity (1 event(s)) was not saved' },
      { what: `s3:PutObject s3://${BUCKET}/${FOOTHOLDS_KEY}`, error: 'AccessDenied: Access Denied: the whole list of footholds (0) was not saved' },
    ]);
    expect(result.eventCount).toBe(1);
    expect(result.footholds).not.toHaveProperty('object');
  });

  it('says dryRun and behaves the same: it only reads, and saves the activity', async () => {
    trail.add(aRecord());

    const result = await run(anIncident(), deps({ dryRun: true }));

    expect(result.dryRun).toBe(true);
    expect(result.eventCount).toBe(1);
    expect(s3).toHaveReceivedCommand(PutObjectCommand);
  });
});
