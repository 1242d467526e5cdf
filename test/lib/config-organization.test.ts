import { configFromValues } from '../../lib/config-context';

describe('organization mode context (organizationId, memberOrganizationalUnits)', () => {
  it('is off without organizationId: one account, as before', () => {
    expect(configFromValues({}).organization).toBeUndefined();
    expect(configFromValues({ organizationId: '' }).organization).toBeUndefined();
  });

  it('reads the organization and its units, trimmed, each unit once', () => {
    expect(configFromValues({ organizationId: ' o-a1b2c3d4e5 ', memberOrganizationalUnits: 'ou-ab12-abcdefgh, ou-ab12-ijklmnop,ou-ab12-abcdefgh' }).organization).toEqual({
      organizationId: 'o-a1b2c3d4e5',
      memberOrganizationalUnits: ['ou-ab12-abcdefgh', 'ou-ab12-ijklmnop'],
      deleteMemberRootKeys: false,
    });
  });

  it('accepts the units as a list from cdk.json', () => {
    expect(configFromValues({ organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] }).organization?.memberOrganizationalUnits).toEqual(['ou-ab12-abcdefgh']);
  });

  it.each(['o-short', 'O-A1B2C3D4E5', 'a1b2c3d4e5', 'o-a1b2c3d4e5; rm -rf', 'r-ab12', 42])('refuses organizationId %p, naming the key', (organizationId) => {
    expect(() => configFromValues({ organizationId, memberOrganizationalUnits: 'ou-ab12-abcdefgh' })).toThrow(/Invalid context "organizationId": expected an organization id/);
  });

  it.each(['ou-ab12', 'r-ab12', 'ou-AB12-abcdefgh', 'o-a1b2c3d4e5', '123456789012'])('refuses unit %p, naming the key', (unit) => {
    expect(() => configFromValues({ organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: unit })).toThrow(/Invalid context "memberOrganizationalUnits": expected organizational unit ids.*/);
  });

  it('refuses an organization without units, and units without an organization', () => {
    expect(() => configFromValues({ organizationId: 'o-a1b2c3d4e5' })).toThrow('Invalid context "organizationId": needs memberOrganizationalUnits');
    expect(() => configFromValues({ memberOrganizationalUnits: 'ou-ab12-abcdefgh' })).toThrow('Invalid context "memberOrganizationalUnits": needs organizationId');
  });
});

describe('deleteMemberRootKeys (organization mode only)', () => {
  const ORG = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: 'ou-ab12-abcdefgh' };

  it('is false unless set: a member\'s root key escalates to people', () => {
    expect(configFromValues(ORG).organization?.deleteMemberRootKeys).toBe(false);
    expect(configFromValues({ ...ORG, deleteMemberRootKeys: 'false' }).organization?.deleteMemberRootKeys).toBe(false);
  });

  it.each([true, 'true'])('is on with %p', (value) => {
    expect(configFromValues({ ...ORG, deleteMemberRootKeys: value }).organization?.deleteMemberRootKeys).toBe(true);
  });

  it.each(['yes', 'TRUE ', 1, 'delete'])('refuses %p, naming the key', (value) => {
    expect(() => configFromValues({ ...ORG, deleteMemberRootKeys: value })).toThrow(/Invalid context "deleteMemberRootKeys": expected true or false/);
  });

  it('refuses true without organization mode (AssumeRoot reaches member accounts only); false alone is accepted', () => {
    expect(() => configFromValues({ deleteMemberRootKeys: 'true' })).toThrow('Invalid context "deleteMemberRootKeys": needs organization mode');
    expect(configFromValues({ deleteMemberRootKeys: 'false' }).organization).toBeUndefined();
  });
});

describe('protectedUsers entries of one account (organization mode)', () => {
  it('accepts a name or a path prefix after a 12-digit account id and a colon', () => {
    expect(configFromValues({ protectedUsers: '111122223333:break-glass, 111122223333:/admins/*, ops' }).protectedUsers)
      .toEqual(['111122223333:break-glass', '111122223333:/admins/*', 'ops']);
  });

  it.each(['111122223333:', '1111:break-glass', '111122223333:not a name', '111122223333:/*'])('refuses %p, naming the key', (entry) => {
    expect(() => configFromValues({ protectedUsers: entry })).toThrow(/Invalid context "protectedUsers": expected IAM user names/);
  });

  it('does not take an account part in protectedRoles', () => {
    expect(() => configFromValues({ protectedRoles: '111122223333:OrgAdmin' })).toThrow(/Invalid context "protectedRoles"/);
  });
});
