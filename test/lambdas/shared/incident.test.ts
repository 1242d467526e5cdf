import { incidentIdFor, IncidentSchema, isRootUserName } from '../../../lambdas/shared/incident';
import { anIncident } from '../helpers';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

describe('incidentIdFor', () => {
  it('gives the same id for every report of one key on one UTC day', () => {
    const early = incidentIdFor(KEY, new Date('2026-11-20T00:00:00.000Z'));
    const late = incidentIdFor(KEY, new Date('2026-11-20T23:59:59.999Z'));

    expect(early).toBe('AKIAIOSFODNN7EXAMPLE-20261120');
    expect(late).toBe(early);
  });

  it('gives a new id on the next UTC day', () => {
    const today = incidentIdFor(KEY, new Date('2026-11-20T23:59:59.999Z'));
    const tomorrow = incidentIdFor(KEY, new Date('2026-11-21T00:00:00.000Z'));

    expect(tomorrow).toBe('AKIAIOSFODNN7EXAMPLE-20261121');
    expect(tomorrow).not.toBe(today);
  });

  it('counts the day in UTC, not in the local time of the report', () => {
    const eveningInNewYork = new Date('2026-11-20T20:30:00-05:00');

    expect(incidentIdFor(KEY, eveningInNewYork)).toBe('AKIAIOSFODNN7EXAMPLE-20261121');
  });

  it('gives different keys different ids on the same day', () => {
    const at = new Date('2026-11-20T10:00:00Z');

    expect(incidentIdFor('AKIAI44QH8DHBEXAMPLE', at)).not.toBe(incidentIdFor(KEY, at));
  });

  it.each([16, 20, 71, 72, 128])('is a valid execution name for a key of %i characters', (length) => {
    const key = 'A'.repeat(length);

    const id = incidentIdFor(key, new Date('2026-11-20T10:00:00Z'));

    expect(id).toMatch(EXECUTION_NAME);
    expect(id.length).toBeLessThanOrEqual(80);
  });

  it('keeps the day in the id of a key too long to fit whole, so a later report still starts a new response', () => {
    const key = `AKIA${'X'.repeat(124)}`;

    const today = incidentIdFor(key, new Date('2026-11-20T10:00:00Z'));
    const tomorrow = incidentIdFor(key, new Date('2026-11-21T10:00:00Z'));

    expect(tomorrow).not.toBe(today);
    expect(today.endsWith('-20261120')).toBe(true);
  });

  it('gives two long keys with the same first 80 characters different ids', () => {
    const prefix = `AKIA${'X'.repeat(90)}`;
    const at = new Date('2026-11-20T10:00:00Z');

    expect(incidentIdFor(`${prefix}A`, at)).not.toBe(incidentIdFor(`${prefix}B`, at));
  });
});

describe('isRootUserName', () => {
  it.each(['root', '<root>', '<root_account>', 'Root', ' <ROOT_ACCOUNT> '])('recognises %j as the root user', (name) => {
    expect(isRootUserName(name)).toBe(true);
  });

  it.each(['ci-deploy', 'rooted', 'root-admin', 'admin', ''])('does not take %j for the root user', (name) => {
    expect(isRootUserName(name)).toBe(false);
  });
});

describe('IncidentSchema', () => {
  it('accepts an incident whose id comes from incidentIdFor', () => {
    const incident = anIncident({ incidentId: incidentIdFor(KEY, new Date('2026-11-20T10:00:00Z')) });

    expect(IncidentSchema.parse(incident)).toEqual(incident);
  });

  it('rejects an incident id that is not a valid execution name', () => {
    const result = IncidentSchema.safeParse(anIncident({ incidentId: 'has spaces/and slashes' }));

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['incidentId']);
  });
});

describe('IncidentSchema: what the dispatcher adds', () => {
  it('accepts reportedUserName and reporterNote', () => {
    const incident = anIncident({ reportedUserName: 'alice', reporterNote: 'found in a pastebin' });

    expect(IncidentSchema.parse(incident)).toEqual(incident);
  });

  it('rejects a reporter note of more than 500 characters and a detail of more than 1000', () => {
    expect(IncidentSchema.safeParse(anIncident({ reporterNote: 'n'.repeat(501) })).success).toBe(false);
    expect(IncidentSchema.safeParse(anIncident({ detail: 'd'.repeat(1001) })).success).toBe(false);
    expect(IncidentSchema.safeParse(anIncident({ reporterNote: 'n'.repeat(500), detail: 'd'.repeat(1000) })).success).toBe(true);
  });
});

describe('incidentIdFor: the longest key kept whole, and the digest of a longer one', () => {
  it('keeps a key of 71 characters whole: the id is exactly 80 characters', () => {
    const key = 'A'.repeat(71);

    expect(incidentIdFor(key, new Date('2026-11-20T10:00:00Z'))).toBe(`${key}-20261120`);
  });

  it('cuts a key of 128 characters to 54, then the first 16 hex digits of its SHA-256, then the day', () => {
    // sha256('A' x 128) = b6ac3cc10386331c765f04f041c147d0f278f2aed8eaa021e2d0057fc6f6ff9e
    expect(incidentIdFor('A'.repeat(128), new Date('2026-11-20T10:00:00Z'))).toBe(`${'A'.repeat(54)}-b6ac3cc10386331c-20261120`);
  });
});

describe('IncidentSchema: the principal type and the refused lookup', () => {
  it('accepts the root user\'s incident', () => {
    const incident = anIncident({ userName: 'root', principalType: 'root' });

    expect(IncidentSchema.parse(incident)).toEqual(incident);
  });

  it.each(['AccessDenied', 'NoSuchEntity', 'E'.repeat(64)])('accepts the refused lookup %s', (code) => {
    expect(IncidentSchema.safeParse(anIncident({ ownerLookupError: code })).success).toBe(true);
  });

  it.each(['', 'Access Denied', ' AccessDenied', 'AccessDenied ', 'E'.repeat(65)])('rejects the refused lookup %j: one error code, nothing else', (code) => {
    expect(IncidentSchema.safeParse(anIncident({ ownerLookupError: code })).success).toBe(false);
  });
});

describe('IncidentSchema: the account a report by hand named', () => {
  it('accepts an account id of twelve digits', () => {
    const incident = anIncident({ reportedAccountId: '210987654321' });

    expect(IncidentSchema.parse(incident)).toEqual(incident);
  });

  it.each(['21098765432', '2109876543210', 'x210987654321', '210987654321x', 'abcdefghijkl', '2109 8765 4321'])(
    'rejects the account %j: twelve digits and nothing else',
    (account) => {
      expect(IncidentSchema.safeParse(anIncident({ reportedAccountId: account })).success).toBe(false);
    },
  );
});
