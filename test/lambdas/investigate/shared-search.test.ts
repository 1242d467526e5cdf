import { GetObjectCommand, PutObjectCommand, PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Footholds } from '../../../lambdas/footholds/contract';
import { investigate } from '../../../lambdas/investigate/investigate';
import { POLL_MS, SHARED_MAX_PAGES } from '../../../lambdas/investigate/shared-search';
import { anIncident, KEY_ID } from '../helpers';
import { aRecord } from './fake-cloudtrail';
import { deps, NOW, resetAccount, s3 } from './harness';

const OTHER_KEY = 'AKIAOTHERKEYWAVE0002';
const other = anIncident({ incidentId: `${OTHER_KEY}-20261120`, accessKeyId: OTHER_KEY, userName: 'wave-2' });
const PREFIX = 'shared-searches/123456789012/us-east-1/';

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** The incident bucket in memory, with S3's conditional writes (If-None-Match *, If-Match). */
function bucket() {
  const objects = new Map<string, { body: string; etag: string }>();
  let n = 0;
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    const existing = objects.get(input.Key!);
    if (input.IfNoneMatch === '*' && existing) throw named('PreconditionFailed');
    if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) throw named('PreconditionFailed');
    const etag = `"etag-${++n}"`;
    objects.set(input.Key!, { body: String(input.Body), etag });
    return { ETag: etag };
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const o = objects.get(input.Key);
    if (!o) throw named('NoSuchKey');
    return { Body: { transformToString: async () => o.body }, ETag: o.etag };
  });
  return objects;
}

const shared = (extra = {}) => deps({ sharedSearch: true, ...extra });
const keysOf = (objects: Map<string, { body: string }>, id: string) =>
  objects.get(`incidents/${id}/activity.jsonl`)!.body.trim().split('\n').map((l) => (JSON.parse(l) as { userIdentity: { accessKeyId: string } }).userIdentity.accessKeyId);

describe('investigate with shared searches (a wave)', () => {
  it('pages the region once for the whole account, publishes it, and keeps only its own key\'s activity', async () => {
    const trail = resetAccount().add(aRecord(), aRecord({ accessKeyId: OTHER_KEY, userName: 'wave-2' }));
    const objects = bucket();

    const result = await investigate(anIncident(), shared());

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([undefined]);
    expect(result.pages).toBe(1);
    expect(keysOf(objects, anIncident().incidentId)).toEqual([KEY_ID]);
    expect(JSON.parse(objects.get(`${PREFIX}latest.json`)!.body)).toMatchObject({ to: NOW.toISOString(), searchedAt: NOW.toISOString(), pages: 1 });
  });

  it('lets the next incident of the account read that search: no LookupEvents call, its own key\'s events only', async () => {
    const trail = resetAccount().add(aRecord(), aRecord({ accessKeyId: OTHER_KEY, userName: 'wave-2' }));
    const objects = bucket();
    await investigate(anIncident(), shared());

    const second = await investigate(other, shared());

    expect(trail.calls).toHaveLength(1);
    expect(second.pages).toBe(0);
    expect(second.eventCount).toBe(1);
    expect(keysOf(objects, other.incidentId)).toEqual([OTHER_KEY]);
  });

  it('serves an incident whose window began up to 10 minutes before the search\'s own', async () => {
    const trail = resetAccount().add(aRecord({ accessKeyId: OTHER_KEY, userName: 'wave-2' }));
    bucket();
    await investigate(anIncident(), shared());

    const began5MinutesEarlier = await investigate(other, { ...shared(), now: () => new Date(NOW.getTime() - 5 * 60_000) });

    expect(trail.calls).toHaveLength(1);
    expect(began5MinutesEarlier.eventCount).toBe(1);
  });

  it('keeps only its own window\'s events of a search that began earlier', async () => {
    const trail = resetAccount().add(aRecord({ eventTime: '2026-11-20T09:35:00Z' }));
    const objects = bucket();

    const result = await investigate(anIncident(), { ...shared({ lookbackDays: 1 }), now: () => new Date('2026-11-21T09:40:00Z') });

    expect(trail.calls.map((c) => c.input.StartTime)).toEqual([new Date('2026-11-20T09:30:00Z')]);
    expect(JSON.parse(objects.get(`${PREFIX}${JSON.parse(objects.get(`${PREFIX}latest.json`)!.body).object.slice(PREFIX.length)}`)!.body)).toHaveLength(1);
    expect(result.eventCount).toBe(0);
  });

  it('waits for the investigation holding the lease rather than paging too, then reads its result', async () => {
    const held = aRecord({ accessKeyId: OTHER_KEY, userName: 'wave-2' });
    const trail = resetAccount().add(held);
    const objects = bucket();
    objects.set(`${PREFIX}lease.json`, { body: JSON.stringify({ holder: 'first', expiresAt: new Date(NOW.getTime() + 60_000).toISOString() }), etag: '"held"' });
    const d = shared();
    // While this investigation waits, the holder publishes its search.
    d.sleep.mockImplementationOnce(async () => {
      const events = [held].map((r) => ({ eventId: r.eventId, eventTime: r.eventTime, eventSource: r.eventSource, eventName: r.eventName, accessKeyId: r.accessKeyId, username: r.userName, record: { eventID: r.eventId, userIdentity: { accessKeyId: r.accessKeyId } } }));
      objects.set(`${PREFIX}events-first.json`, { body: JSON.stringify(events), etag: '"e"' });
      objects.set(`${PREFIX}latest.json`, { body: JSON.stringify({ from: '2026-08-22T10:05:00.000Z', to: NOW.toISOString(), searchedAt: NOW.toISOString(), object: `${PREFIX}events-first.json`, pages: 1 }), etag: '"p"' });
    });

    const result = await investigate(other, d);

    expect(d.sleep).toHaveBeenCalledWith(POLL_MS);
    expect(trail.calls).toHaveLength(0);
    expect(result.eventCount).toBe(1);
  });

  it('takes over a lease whose holder is gone (expired)', async () => {
    const trail = resetAccount().add(aRecord());
    const objects = bucket();
    objects.set(`${PREFIX}lease.json`, { body: JSON.stringify({ holder: 'gone', expiresAt: new Date(NOW.getTime() - 1).toISOString() }), etag: '"old"' });

    const result = await investigate(anIncident(), shared());

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([undefined]);
    expect(result.eventCount).toBe(1);
    expect(JSON.parse(objects.get(`${PREFIX}lease.json`)!.body)).toEqual({ holder: anIncident().incidentId, expiresAt: new Date(0).toISOString() });
  });

  it('searches key by key when the account is too busy to page whole, and tells the others so (tooBusy)', async () => {
    const busy = Array.from({ length: SHARED_MAX_PAGES * 50 + 1 }, (_, i) => aRecord({ eventId: `busy-${i}`, accessKeyId: OTHER_KEY, userName: 'wave-2' }));
    const trail = resetAccount().add(aRecord(), ...busy);
    const objects = bucket();

    const result = await investigate(anIncident(), shared());

    const byKey = trail.calls.filter((c) => c.input.LookupAttributes !== undefined);
    expect(trail.calls.length - byKey.length).toBe(SHARED_MAX_PAGES);
    expect(byKey.map((c) => c.input.LookupAttributes?.[0].AttributeKey)).toEqual(['AccessKeyId', 'Username']);
    expect(result.eventCount).toBe(1);
    expect(JSON.parse(objects.get(`${PREFIX}latest.json`)!.body)).toMatchObject({ tooBusy: true, pages: SHARED_MAX_PAGES });
  });

  it('searches key by key, as alone, when the bucket cannot be read: nothing reported missing, the shared search\'s error said per region', async () => {
    const trail = resetAccount().add(aRecord());
    s3.on(GetObjectCommand).rejects(named('AccessDenied', 'Access Denied'));

    const result = await investigate(anIncident(), shared());

    expect(trail.calls.map((c) => c.input.LookupAttributes?.[0].AttributeKey)).toEqual(['AccessKeyId', 'Username']);
    expect(result.eventCount).toBe(1);
    expect(result.failures).toEqual([]);
    expect(result.sharedSearchProblems).toEqual([{ region: 'us-east-1', searchedAlone: true, error: 's3:GetObject: AccessDenied: Access Denied' }]);
  });

  it('tries a throttled read of the shared search again (the investigation\'s back-off), then uses it: no problem said', async () => {
    const trail = resetAccount().add(aRecord());
    const objects = bucket();
    await investigate(other, shared());
    trail.calls.length = 0;
    let reads = 0;
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (++reads <= 2) throw Object.assign(named('SlowDown', 'Please reduce your request rate.'), { $metadata: { httpStatusCode: 503 } });
      const o = objects.get(input.Key)!;
      return { Body: { transformToString: async () => o.body }, ETag: o.etag };
    });

    const result = await investigate(anIncident(), shared());

    expect(trail.calls).toEqual([]);
    expect(result.eventCount).toBe(1);
    expect(result.sharedSearchProblems).toBeUndefined();
  });

  it('keeps its own search when it cannot publish it (no second search key by key), and says the others could not share it', async () => {
    const trail = resetAccount().add(aRecord());
    const objects = bucket();
    // The lease is taken and released; the search's object cannot be written.
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      if (input.Key!.includes('/events-')) throw named('AccessDenied', 'Access Denied');
      const etag = `"etag-${objects.size + 1}"`;
      objects.set(input.Key!, { body: String(input.Body), etag });
      return { ETag: etag };
    });

    const result = await investigate(anIncident(), shared());

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([undefined]);
    expect(result.eventCount).toBe(1);
    expect(result.failures).toEqual([]);
    expect(result.sharedSearchProblems).toEqual([{ region: 'us-east-1', searchedAlone: false, error: 's3:PutObject: AccessDenied: Access Denied' }]);
    expect(objects.has(`${PREFIX}latest.json`)).toBe(false);
  });

  it('gives the second look a search begun 15 minutes after the first pass, never an older one', async () => {
    const trail = resetAccount().add(aRecord({ eventTime: '2026-11-20T09:58:00Z' }));
    const objects = bucket();
    const firstPassAt = new Date(NOW.getTime() - 5 * 60_000);
    objects.set(`${PREFIX}events-old.json`, { body: '[]', etag: '"o"' });
    objects.set(`${PREFIX}latest.json`, { body: JSON.stringify({ from: '2026-08-22T10:00:00.000Z', to: firstPassAt.toISOString(), searchedAt: firstPassAt.toISOString(), object: `${PREFIX}events-old.json`, pages: 1 }), etag: '"p"' });

    const first: Footholds = { footholds: [], sessions: [], records: { read: 0, unreadable: 0, tied: 0 }, truncated: [], gaps: [] };

    const result = await investigate(anIncident(), shared(), { secondLook: { since: firstPassAt.toISOString(), containedAt: firstPassAt.toISOString(), first } });

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([undefined]);
    expect(result.eventCount).toBe(1);
  });
});
