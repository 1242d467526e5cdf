import { planRestore } from '../../cli/restore/plan';
import { IncidentRecord } from '../../cli/incidents';
import { QUARANTINE } from './harness';
import { aRecord } from './record';

const ROOT_KEY = 'AKIAROOTKEY000000001';
const MEMBER = '111122223333';

describe('the restore plan of a member root key the responder DELETED', () => {
  it('refuses it, saying the key cannot be restored, and plans nothing', () => {
    const base = aRecord();
    const record = {
      ...base,
      incident: { ...base.incident, accountId: MEMBER, accessKeyId: ROOT_KEY, userName: 'root', principalType: 'root' },
      containment: [{
        action: 'deactivate-key',
        status: 'done',
        detail: `DELETED root access key ${ROOT_KEY} of member account ${MEMBER}`,
        changes: [{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, before: 'Active', restorable: false }],
      }],
    } as unknown as IncidentRecord;

    const plan = planRestore(record, new Map(), { reactivateKey: true, quarantinePolicyArn: QUARANTINE });

    expect(plan).toEqual({
      steps: [],
      kept: [],
      refusals: [`root access key ${ROOT_KEY} of account ${MEMBER} was DELETED by the responder (centralized root access): a deleted key cannot be restored; only the root user of ${MEMBER} can create a new one, and AWS advises against root access keys`],
    });
  });
});
