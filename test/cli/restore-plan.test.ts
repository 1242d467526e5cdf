import { planRestore } from '../../cli/restore/plan';
import { IncidentRecord } from '../../cli/incidents';
import { QUARANTINE } from './harness';
import { aRecord, KEY, REVOKE_DOC } from './record';

const EARLIER = REVOKE_DOC.replace('2026-11-20T10:05:00.000Z', '2026-11-19T08:00:00.000Z');
const OPTIONS = { reactivateKey: false, quarantinePolicyArn: QUARANTINE };

function recordWith(changes: unknown[]): IncidentRecord {
  return { ...aRecord(), containment: [{ action: 'revoke-sessions', status: 'done', detail: '', changes }] } as unknown as IncidentRecord;
}

describe('the restore plan', () => {
  it('puts back the revoke policy an earlier response left, rather than deleting it', () => {
    const record = recordWith([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', before: EARLIER, after: REVOKE_DOC }]);

    const plan = planRestore(record, new Map([['inline ci-deploy ExposedKeyResponder-RevokeOlderSessions', REVOKE_DOC]]), OPTIONS);

    expect(plan).toEqual({ steps: [{ kind: 'put-user-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', document: EARLIER, what: 'put back inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy as it was before the response (an earlier response\'s)' }], kept: [], refusals: [] });
  });

  it('never puts back a document that is not the responder\'s, whatever the record says (an Allow in "before")', () => {
    const allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const record = recordWith([{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', before: allow, after: REVOKE_DOC }]);

    const plan = planRestore(record, new Map([['inline ci-deploy ExposedKeyResponder-RevokeOlderSessions', REVOKE_DOC]]), OPTIONS);

    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toEqual(['inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy is not a policy the responder writes (name or document): refused']);
  });

  it('refuses a change the record names on another user, or a policy of another name or ARN', () => {
    const record = recordWith([
      { kind: 'inline-policy', userName: 'alice', policyName: 'ExposedKeyResponder-RevokeOlderSessions', after: REVOKE_DOC },
      { kind: 'inline-policy', userName: 'ci-deploy', policyName: 'Admin', after: REVOKE_DOC },
      { kind: 'managed-policy', userName: 'ci-deploy', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', attachedBefore: false },
    ]);

    const plan = planRestore(record, new Map(), OPTIONS);

    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toHaveLength(3);
  });

  it('leaves a key that was already Inactive before the response, even with --reactivate-key', () => {
    const record = recordWith([{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY, before: 'Inactive', after: 'Inactive' }]);

    const plan = planRestore(record, new Map([[`key ci-deploy ${KEY}`, 'Inactive']]), { ...OPTIONS, reactivateKey: true });

    expect(plan.steps).toEqual([]);
    expect(plan.kept).toEqual([`access key ${KEY} of user ci-deploy was already Inactive before the response: it stays Inactive`]);
  });

  it('changes nothing after a dry run', () => {
    expect(planRestore({ ...aRecord(), dryRun: true } as unknown as IncidentRecord, new Map(), OPTIONS)).toEqual({ steps: [], kept: ['the response was a dry run: it changed nothing'], refusals: [] });
  });
});
