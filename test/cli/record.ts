import { ACCOUNT, QUARANTINE } from './harness';

export const KEY = 'AKIAIOSFODNN7EXAMPLE';
export const INCIDENT = `${KEY}-20261120`;
export const REVOKE_DOC = '{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-20T10:05:00.000Z"}}}]}';

/** report.json as the workflow writes it (the fields the command line reads, and a few more). */
export function aRecord(overrides: Record<string, unknown> = {}) {
  return {
    reportVersion: 2,
    incidentId: INCIDENT,
    generatedAt: '2026-11-20T10:00:09.000Z',
    outcome: 'contained',
    complete: true,
    headline: 'Key contained',
    dryRun: false,
    incident: {
      incidentId: INCIDENT, source: 'trusted-advisor', accountId: ACCOUNT, accessKeyId: KEY, userName: 'ci-deploy', principalType: 'user',
      protectedPrincipal: false, detectedAt: '2026-11-20T09:59:58.000Z', dispatchedAt: '2026-11-20T10:00:00.000Z', detail: 'Trusted Advisor',
    },
    containment: [
      { action: 'deactivate-key', status: 'done', detail: `set access key ${KEY} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.500Z',
        changes: [{ kind: 'access-key-status', userName: 'ci-deploy', accessKeyId: KEY, before: 'Active', after: 'Inactive' }] },
      { action: 'revoke-sessions', status: 'done', detail: 'deny every session', at: '2026-11-20T10:00:01.600Z',
        changes: [{ kind: 'inline-policy', userName: 'ci-deploy', policyName: 'ExposedKeyResponder-RevokeOlderSessions', after: REVOKE_DOC }] },
      { action: 'quarantine', status: 'done', detail: 'attach quarantine policy', at: '2026-11-20T10:00:01.700Z',
        changes: [{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: QUARANTINE, attachedBefore: false }] },
    ],
    failures: [],
    ...overrides,
  };
}
