import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { REVOKE_SESSIONS_POLICY_NAME } from '../shared/policies';
import { ContainAction } from '../shared/steps';
import { isPolicyAttached, readInlinePolicy, readKeyStatus } from '../shared/user-reads';
import { IAMClient } from '@aws-sdk/client-iam';
import { iamCall } from './iam-call';

/**
 * What one containment action finds on the user before it changes anything: the facts the record
 * keeps so that `restore` undoes exactly what the responder changed.
 * - deactivate-key: the key's status (`Active`/`Inactive`);
 * - revoke-sessions: the revoke policy's document in place (JSON text), if any;
 * - quarantine: whether the stack's quarantine policy is attached already.
 */
export interface Before {
  readonly keyStatus?: 'Active' | 'Inactive';
  readonly revokeDocument?: string;
  readonly quarantineAttached?: boolean;
}

/**
 * Reads {@link Before} for `action`, in parallel with the protection check. The revoke policy's read
 * decides the time written (a revocation only moves later): its failure fails the action. The
 * other two only inform the record: a failed read never holds containment back, and the record then
 * says nothing of the state before (restore treats that as "the responder changed it").
 */
export async function readBefore(incident: Incident, action: ContainAction, quarantinePolicyArn: string, deps: { iam: IAMClient; logger: Log }): Promise<Before> {
  const unknown = (what: string) => (err: unknown): undefined => {
    deps.logger.warn(`could not read ${what} before containment: the record will not say it`, { error: (err as Error).name });
    return undefined;
  };
  switch (action) {
    case 'deactivate-key': {
      const status = await readKeyStatus(deps.iam, incident.userName, incident.accessKeyId).catch(unknown('the key status'));
      return status === 'Active' || status === 'Inactive' ? { keyStatus: status } : {};
    }
    case 'revoke-sessions': {
      const document = await iamCall(incident, 'GetUserPolicy', () => readInlinePolicy(deps.iam, incident.userName, REVOKE_SESSIONS_POLICY_NAME));
      return document === undefined ? {} : { revokeDocument: document };
    }
    case 'quarantine': {
      const attached = await isPolicyAttached(deps.iam, incident.userName, quarantinePolicyArn).catch(unknown('the attached policies'));
      return attached === undefined ? {} : { quarantineAttached: attached };
    }
  }
}
