import { parseProtectedPrincipals, protectionCheck, PROTECTED_TAG_KEY, protectionReason } from '../../../lambdas/shared/protection';

const rules = (...entries: string[]) => parseProtectedPrincipals(entries);

describe('parseProtectedPrincipals', () => {
  it('reads names and /path/* prefixes, ignoring blanks and surrounding spaces', () => {
    const parsed = rules(' break-glass ', '', '/admins/ops/*', 'svc@example.com');

    expect([...parsed.names.keys()]).toEqual(['break-glass', 'svc@example.com']);
    expect(parsed.pathPrefixes).toEqual([{ prefix: '/admins/ops/', entry: '/admins/ops/*' }]);
  });

  it('accepts an empty list: nobody is protected', () => {
    expect(protectionReason({ name: 'anyone', path: '/', tags: {} }, rules())).toBeUndefined();
  });

  it.each(['/admins/', '/admins', 'admins/*', 'two words', '/admins/*/more', 'x'.repeat(65)])('refuses the entry %s rather than protect nobody by mistake', (entry) => {
    expect(() => rules(entry)).toThrow(`protected principal "${entry}" is neither an IAM user name nor an IAM path prefix written /path/*`);
  });
});

describe('protectionReason', () => {
  it('matches a name regardless of case, as IAM user names are unique regardless of case', () => {
    expect(protectionReason({ name: 'Break-Glass' }, rules('break-glass'))).toBe('user Break-Glass is on the protected list (entry "break-glass")');
  });

  it('does not match a name that only starts like a protected one', () => {
    expect(protectionReason({ name: 'break-glass-2' }, rules('break-glass'))).toBeUndefined();
  });

  it.each([
    ['/breakglass/', true],
    ['/breakglass/ops/', true],
    ['/BreakGlass/', true],
    ['/breakglass-not/', false],
    ['/', false],
  ])('a /breakglass/* entry protects path %s: %s', (path, protectedUser) => {
    const reason = protectionReason({ name: 'u', path }, rules('/breakglass/*'));

    expect(reason).toBe(protectedUser ? `user u has path ${path}, protected by the entry "/breakglass/*"` : undefined);
  });

  it('takes a user without a path as path /', () => {
    expect(protectionReason({ name: 'u' }, rules('/*'))).toBe('user u has path /, protected by the entry "/*"');
  });

  it.each(['true', 'TRUE', 'True'])('protects a user tagged %s=%s', (value) => {
    expect(PROTECTED_TAG_KEY).toBe('exposed-key-responder:protected');
    expect(protectionReason({ name: 'u', tags: { 'exposed-key-responder:protected': value } }, rules())).toBe(`user u carries the tag exposed-key-responder:protected=${value}`);
  });

  it.each([
    ['a value other than true', { 'exposed-key-responder:protected': 'yes' }],
    ['an empty value', { 'exposed-key-responder:protected': '' }],
    ['a key in another case', { 'Exposed-Key-Responder:Protected': 'true' }],
    ['a value with spaces', { 'exposed-key-responder:protected': ' true ' }],
  ])('does not read %s as protection', (_what, tags) => {
    expect(protectionReason({ name: 'u', tags }, rules())).toBeUndefined();
  });
});

describe('protection of roles', () => {
  const roles = (...entries: string[]) => parseProtectedPrincipals(entries, 'role');

  it('says "role" in every reason given by a role list', () => {
    expect(protectionReason({ name: 'OrgAdmin' }, roles('orgadmin'))).toBe('role OrgAdmin is on the protected list (entry "orgadmin")');
    expect(protectionReason({ name: 'ops', path: '/breakglass/' }, roles('/breakglass/*'))).toBe('role ops has path /breakglass/, protected by the entry "/breakglass/*"');
    expect(protectionReason({ name: 'ops', tags: { [PROTECTED_TAG_KEY]: 'true' } }, roles())).toBe('role ops carries the tag exposed-key-responder:protected=true');
  });

  it('refuses an entry that is neither a role name nor a /path/* prefix, naming roles', () => {
    expect(() => roles('/admins/')).toThrow('protected principal "/admins/" is neither an IAM role name nor an IAM path prefix written /path/*');
  });

  it('judges each principal by the list of its kind only', () => {
    const check = protectionCheck(parseProtectedPrincipals(['deploy']), roles('/breakglass/*'));

    expect(check({ kind: 'user', name: 'deploy' })).toBe('user deploy is on the protected list (entry "deploy")');
    expect(check({ kind: 'role', name: 'deploy' })).toBeUndefined();
    expect(check({ kind: 'role', name: 'ops', path: '/breakglass/' })).toBe('role ops has path /breakglass/, protected by the entry "/breakglass/*"');
    expect(check({ kind: 'user', name: 'ops', path: '/breakglass/' })).toBeUndefined();
    expect(check({ kind: 'role', name: 'x', tags: { [PROTECTED_TAG_KEY]: 'TRUE' } })).toBe('role x carries the tag exposed-key-responder:protected=TRUE');
  });

  it('refuses rule sets given in the wrong order', () => {
    expect(() => protectionCheck(roles(), parseProtectedPrincipals([]))).toThrow('protectionCheck: expected user rules then role rules, got role and user');
  });
});
