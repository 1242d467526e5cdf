import { protectedEntriesFor, protectionByAccount } from '../../../lambdas/shared/account-protection';
import { protectionReason } from '../../../lambdas/shared/protection';

const ENTRIES = ['break-glass', '111122223333:ci-deploy', '111122223333:/admins/*', '444455556666:alice'];

describe('protected users of one account', () => {
  it('keeps the entries of every account and those of the account, without their account', () => {
    expect(protectedEntriesFor(ENTRIES, '111122223333')).toEqual(['break-glass', 'ci-deploy', '/admins/*']);
    expect(protectedEntriesFor(ENTRIES, '444455556666')).toEqual(['break-glass', 'alice']);
    expect(protectedEntriesFor(ENTRIES, '777788889999')).toEqual(['break-glass']);
  });

  it('protects a user named for its account there only, and an entry of no account everywhere', () => {
    const protectionIn = protectionByAccount(ENTRIES);

    expect(protectionReason({ name: 'CI-Deploy' }, protectionIn('111122223333'))).toBe('user CI-Deploy is on the protected list (entry "ci-deploy")');
    expect(protectionReason({ name: 'ci-deploy' }, protectionIn('444455556666'))).toBeUndefined();
    expect(protectionReason({ name: 'ops', path: '/admins/eu/' }, protectionIn('111122223333'))).toBe('user ops has path /admins/eu/, protected by the entry "/admins/*"');
    expect(protectionReason({ name: 'ops', path: '/admins/eu/' }, protectionIn('777788889999'))).toBeUndefined();
    expect(protectionReason({ name: 'break-glass' }, protectionIn('777788889999'))).toBe('user break-glass is on the protected list (entry "break-glass")');
  });

  it.each(['111122223333:not a name', '111122223333:', '12345:alice', 'alice:bob'])('fails the cold start on %p, whichever account it names', (entry) => {
    expect(() => protectionByAccount(['break-glass', entry])).toThrow(/is neither an IAM user name nor an IAM path prefix/);
  });
});
