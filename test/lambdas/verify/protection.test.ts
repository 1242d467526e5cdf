import { GetUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { verify } from '../../../lambdas/verify/verify';
import { anIncident, awsError, KEY_ID } from '../helpers';
import { account, deps, iam, NOW } from './account';

beforeEach(() => {
  iam.reset();
});

describe('verify: protected users and the root user are skipped, not failed', () => {
  it.each<[string, { principals: string[]; path?: string; tags?: Record<string, string> }]>([
    ['a name on the list (any case)', { principals: ['CI-DEPLOY'] }],
    ['a path under a protected prefix', { principals: ['/breakglass/*'], path: '/breakglass/' }],
    ['the protection tag', { principals: [], tags: { 'exposed-key-responder:protected': 'True' } }],
  ])('skips a user protected by %s, as IAM says now, instead of failing', async (_how, { principals, path, tags }) => {
    account({ keys: [[KEY_ID, 'Active']], inlineRevokedBefore: null, attached: [], path, tags });
    const d = deps({ protectedPrincipals: parseProtectedPrincipals(principals) });

    const result = await verify(anIncident({ protectedPrincipal: false }), d);

    expect(result).toEqual({ status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt: NOW.toISOString(), problems: [] });
    expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'ci-deploy' });
    expect(d.logger.warn).toHaveBeenCalledWith('verification skipped: the user is protected', { userName: 'ci-deploy', reason: expect.stringContaining('ci-deploy') });
  });

  it('skips a protected user even when its other reads fail', async () => {
    account({ tags: { 'exposed-key-responder:protected': 'true' } });
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'no', 403));

    const result = await verify(anIncident(), deps());

    expect(result.status).toBe('skipped');
  });

  it.each([
    ['the root user', { userName: 'root', principalType: 'root' as const }],
    ['a user the dispatcher found protected', { userName: 'break-glass', protectedPrincipal: true }],
  ])('skips %s without any IAM call', async (_who, overrides) => {
    const result = await verify(anIncident(overrides), deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt: NOW.toISOString(), problems: [] });
  });
});
