// The paged reads contain and verify make of a user: one key's status, whether a managed policy
// is attached (lambdas/shared/user-reads.ts), read through every page IAM gives.
import { IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { isPolicyAttached, readKeyStatus, revocationTimeOf } from '../../../lambdas/shared/user-reads';

const iam = mockClient(IAMClient);
const client = new IAMClient({});
const QUARANTINE = 'arn:aws:iam::123456789012:policy/Quarantine';

beforeEach(() => iam.reset());

describe('readKeyStatus', () => {
  it('finds the key on a later page, asking for each page with the marker IAM gave', async () => {
    iam.on(ListAccessKeysCommand, { UserName: 'alice' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAOTHER00000000001', Status: 'Active' }], IsTruncated: true, Marker: 'm1' });
    iam.on(ListAccessKeysCommand, { UserName: 'alice', Marker: 'm1' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' }], IsTruncated: false });

    await expect(readKeyStatus(client, 'alice', 'AKIAALICE00000000001')).resolves.toBe('Inactive');
    expect(iam).toHaveReceivedNthCommandWith(1, ListAccessKeysCommand, { UserName: 'alice' });
    expect(iam).toHaveReceivedNthCommandWith(2, ListAccessKeysCommand, { UserName: 'alice', Marker: 'm1' });
  });

  it('says undefined for a key the user does not have, after the last page', async () => {
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAOTHER00000000001', Status: 'Active' }], IsTruncated: false });

    await expect(readKeyStatus(client, 'alice', 'AKIAALICE00000000001')).resolves.toBeUndefined();
    expect(iam).toHaveReceivedCommandTimes(ListAccessKeysCommand, 1);
  });

  it('reads an answer without a key list as no key', async () => {
    iam.on(ListAccessKeysCommand).resolves({});

    await expect(readKeyStatus(client, 'alice', 'AKIAALICE00000000001')).resolves.toBeUndefined();
  });
});

describe('isPolicyAttached', () => {
  it('finds the policy on a later page', async () => {
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'alice' }).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], IsTruncated: true, Marker: 'm1' });
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'alice', Marker: 'm1' }).resolves({ AttachedPolicies: [{ PolicyArn: QUARANTINE }], IsTruncated: false });

    await expect(isPolicyAttached(client, 'alice', QUARANTINE)).resolves.toBe(true);
    expect(iam).toHaveReceivedNthCommandWith(2, ListAttachedUserPoliciesCommand, { UserName: 'alice', Marker: 'm1' });
  });

  it('is false when only other policies are attached, or none', async () => {
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'alice' }).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { PolicyArn: `${QUARANTINE}-old` }] });
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'bob' }).resolves({});

    await expect(isPolicyAttached(client, 'alice', QUARANTINE)).resolves.toBe(false);
    await expect(isPolicyAttached(client, 'bob', QUARANTINE)).resolves.toBe(false);
    expect(iam).toHaveReceivedCommandTimes(ListAttachedUserPoliciesCommand, 2);
  });
});

describe('revocationTimeOf', () => {
  it('reads the time of a revocation, and nothing from no document or text that is not JSON', () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-20T10:05:00.000Z' } } }] });

    expect(revocationTimeOf(doc)).toBe('2026-11-20T10:05:00.000Z');
    expect(revocationTimeOf(undefined)).toBeUndefined();
    expect(revocationTimeOf('{not json')).toBeUndefined();
  });
});
