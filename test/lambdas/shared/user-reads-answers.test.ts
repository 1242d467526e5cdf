// What contain and verify read of a user, from each shape of IAM's answer, and the protection
// rules' own limits (a path entry's length, rule sets of the wrong kind).
import { GetUserCommand, GetUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseProtectedPrincipals, protectionCheck, protectionReason } from '../../../lambdas/shared/protection';
import { isNoSuchEntity, readRevocationTime, readUserFacts, userProtection } from '../../../lambdas/shared/user-reads';
import { awsError } from '../helpers';

const iam = mockClient(IAMClient);
const client = () => new IAMClient({});

beforeEach(() => iam.reset());

describe('readUserFacts: the shapes of GetUser\'s answer', () => {
  it('reads a user without tags or path as path / and no tags, under the name asked for when IAM gives none', async () => {
    iam.on(GetUserCommand).resolves({ User: { UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } as never });

    await expect(readUserFacts(client(), 'ci-deploy')).resolves.toEqual({ name: 'ci-deploy', path: '/', tags: {} });
  });

  it('keeps a tag without a value as an empty value, and drops a tag without a key', async () => {
    iam.on(GetUserCommand).resolves({
      User: { UserName: 'CI-Deploy', Path: '/ops/', Tags: [{ Key: 'exposed-key-responder:protected' } as never, { Value: 'true' } as never, { Key: 'team', Value: 'platform' }] } as never,
    });

    await expect(readUserFacts(client(), 'ci-deploy')).resolves.toEqual({
      name: 'CI-Deploy',
      path: '/ops/',
      tags: { 'exposed-key-responder:protected': '', team: 'platform' },
    });
  });
});

describe('userProtection: the rule applied to what IAM says now', () => {
  it('protects a user IAM shows tagged, and not the same user untagged', async () => {
    const rules = parseProtectedPrincipals([]);
    iam.on(GetUserCommand).resolvesOnce({ User: { UserName: 'ci-deploy', Tags: [{ Key: 'exposed-key-responder:protected', Value: 'True' }] } as never }).resolvesOnce({ User: { UserName: 'ci-deploy' } as never });

    await expect(userProtection(client(), 'ci-deploy', rules)).resolves.toBe('user ci-deploy carries the tag exposed-key-responder:protected=True');
    await expect(userProtection(client(), 'ci-deploy', rules)).resolves.toBeUndefined();
    expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'ci-deploy' });
  });

  it('protects by the path IAM gives, not the one the caller might assume', async () => {
    iam.on(GetUserCommand).resolves({ User: { UserName: 'ci-deploy', Path: '/breakglass/' } as never });

    await expect(userProtection(client(), 'ci-deploy', parseProtectedPrincipals(['/breakglass/*']))).resolves.toBe(
      'user ci-deploy has path /breakglass/, protected by the entry "/breakglass/*"',
    );
  });
});

describe('readRevocationTime: the call and its errors', () => {
  it('asks for the responder\'s revoke policy of the user by name', async () => {
    iam.on(GetUserPolicyCommand).resolves({});

    await expect(readRevocationTime(client(), 'ci-deploy')).resolves.toBeUndefined();
    expect(iam).toHaveReceivedCommandWith(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' });
  });

  it.each(['NoSuchEntity', 'NoSuchEntityException'])('reads %s as "no revoke policy"', async (code) => {
    iam.on(GetUserPolicyCommand).rejects(awsError(code, 'The user policy cannot be found.', 404));

    await expect(readRevocationTime(client(), 'ci-deploy')).resolves.toBeUndefined();
  });

  it.each([
    ['NoSuchEntity', true],
    ['NoSuchEntityException', true],
    ['AccessDenied', false],
    ['EntityTemporarilyUnmodifiable', false],
  ])('isNoSuchEntity(%s): %s', (code, expected) => {
    expect(isNoSuchEntity(awsError(code))).toBe(expected);
  });
});

describe('protection rules: their own limits', () => {
  it('accepts a path prefix of 512 characters (IAM\'s limit) and refuses one longer', () => {
    const longest = `/${'p'.repeat(510)}/`;
    const tooLong = `/${'p'.repeat(511)}/`;

    expect(protectionReason({ name: 'u', path: longest }, parseProtectedPrincipals([`${longest}*`]))).toBe(`user u has path ${longest}, protected by the entry "${longest}*"`);
    expect(() => parseProtectedPrincipals([`${tooLong}*`])).toThrow(`protected principal "${tooLong}*" is neither an IAM user name nor an IAM path prefix written /path/*`);
  });

  it.each([
    ['user rules twice', 'user', 'user'],
    ['role rules twice', 'role', 'role'],
  ] as const)('refuses %s', (_what, first, second) => {
    expect(() => protectionCheck(parseProtectedPrincipals([], first), parseProtectedPrincipals([], second))).toThrow(
      `protectionCheck: expected user rules then role rules, got ${first} and ${second}`,
    );
  });
});
