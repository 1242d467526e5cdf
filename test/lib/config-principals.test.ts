import { parseProtectedPrincipals, protectionReason } from '../../lambdas/shared/protection';
import { configFromContext } from '../../lib/config-context';
import { testApp } from './helpers';

const fromContext = (context: Record<string, unknown>) => configFromContext(testApp(context));

describe('protectedUsers', () => {
  it('splits a comma-separated list of IAM user names', () => {
    expect(fromContext({ protectedUsers: 'break-glass, admin@corp,ci.deploy' }).protectedUsers)
      .toEqual(['break-glass', 'admin@corp', 'ci.deploy']);
  });

  it('accepts IAM path prefixes written /path/*, nested paths included, next to names', () => {
    expect(fromContext({ protectedUsers: '/breakglass/*, root-admin, /org/security/*' }).protectedUsers)
      .toEqual(['/breakglass/*', 'root-admin', '/org/security/*']);
  });

  it('gives entries the Lambdas read the same way (lambdas/shared/protection.ts): names in any case, paths by prefix', () => {
    const entries = fromContext({ protectedUsers: 'break-glass,/breakglass/*,/org/security/*' }).protectedUsers;
    const rules = parseProtectedPrincipals(entries);
    expect(protectionReason({ name: 'Break-Glass' }, rules)).toMatch(/protected list/);
    expect(protectionReason({ name: 'ops', path: '/breakglass/eu/' }, rules)).toMatch(/\/breakglass\/\*/);
    expect(protectionReason({ name: 'ops', path: '/org/security/' }, rules)).toMatch(/\/org\/security\/\*/);
    expect(protectionReason({ name: 'ops', path: '/org/' }, rules)).toBeUndefined();
  });

  it.each(['has space', 'slash/name', 'x'.repeat(65), 'star*'])('rejects %p, which is not an IAM user name', (value) => {
    expect(() => fromContext({ protectedUsers: value })).toThrow(/Invalid context "protectedUsers"/);
  });

  it.each([
    '/*', // every user: the responder would contain nobody
    '/breakglass/', // a path without the /* that makes it a prefix
    '/breakglass*',
    'breakglass/*',
    '/break*glass/*', // a wildcard inside the path would widen the Deny
    '/break?/*',
    '//*',
    `/${'p'.repeat(512)}/*`,
    '/caf\u00e9/*',
  ])('rejects the path prefix %p', (value) => {
    expect(() => fromContext({ protectedUsers: value })).toThrow(/Invalid context "protectedUsers"/);
  });
});

describe('reporters', () => {
  it('accepts role (with a path), user and root ARNs, each once', () => {
    expect(fromContext({
      reporters: 'arn:aws:iam::123456789012:role/security/reporter, arn:aws:iam::123456789012:user/alice,arn:aws:iam::123456789012:root,arn:aws:iam::123456789012:user/alice',
    }).reporters).toEqual([
      'arn:aws:iam::123456789012:role/security/reporter',
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:iam::123456789012:root',
    ]);
  });

  it('accepts a list from cdk.json', () => {
    expect(fromContext({ reporters: ['arn:aws-us-gov:iam::123456789012:role/r'] }).reporters).toEqual(['arn:aws-us-gov:iam::123456789012:role/r']);
  });

  it.each([
    '*',
    'arn:aws:iam::123456789012:role/*',
    'arn:aws:iam::*:root',
    'arn:aws:iam::12345:root',
    'arn:aws:iam::123456789012:group/admins',
    'arn:aws:s3:::bucket',
    'alice',
    'arn:aws:iam::123456789012:role/',
  ])('rejects %p, which is not exactly one IAM role, user or root', (value) => {
    expect(() => fromContext({ reporters: value })).toThrow(/Invalid context "reporters"/);
  });

  it('says to give the role ARN for an assumed-role session ARN', () => {
    expect(() => fromContext({ reporters: 'arn:aws:sts::123456789012:assumed-role/reporter/alice' })).toThrow(/session ARN: give the role ARN/);
  });
});

describe('incidentReaders', () => {
  it('accepts exact ARNs and wildcards in the role or user part', () => {
    expect(fromContext({ incidentReaders: 'arn:aws:iam::123456789012:role/security-*,arn:aws:iam::123456789012:user/aud?tor' }).incidentReaders)
      .toEqual(['arn:aws:iam::123456789012:role/security-*', 'arn:aws:iam::123456789012:user/aud?tor']);
  });

  it.each(['*', 'arn:aws:iam::*:role/x', 'arn:*:iam::123456789012:role/x', 'arn:aws:iam::123456789012:*', 'security-team'])(
    'rejects %p (a wildcard may not reach another account or principal type)',
    (value) => {
      expect(() => fromContext({ incidentReaders: value })).toThrow(/Invalid context "incidentReaders"/);
    },
  );
});

describe('protectedRoles', () => {
  it('is empty unless set: only tagged roles are protected', () => {
    expect(fromContext({}).protectedRoles).toEqual([]);
  });

  it('reads role names and /path/* prefixes, each once', () => {
    expect(fromContext({ protectedRoles: 'OrgAdmin, /breakglass/*,OrgAdmin' }).protectedRoles).toEqual(['OrgAdmin', '/breakglass/*']);
  });

  it.each(['/*', '/breakglass/', 'two words'])('rejects %p naming the key and roles', (value) => {
    expect(() => fromContext({ protectedRoles: value })).toThrow(/Invalid context "protectedRoles": expected IAM role names/);
  });
});
