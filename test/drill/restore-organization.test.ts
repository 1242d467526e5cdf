// `--restore` in organization mode: the member account's incident, recorded centrally, restored in
// the member account through an operator role there (restore --member-role), as the command line does.
import { Drill } from '../../drill/run-drill';
import { restoreAll } from '../../drill/restore';
import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, DEFAULT_CONFIG, EXPOSED, OTHER, trustedAdvisorEvent, twoKeyScenario } from '../workflow/helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
/** The drill's central account (drill/simulated-sts.ts); the scenario's account is the member. */
const CENTRAL = '999988887777';
const MEMBER_QUARANTINE = `arn:aws:iam::${ACCOUNT}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`;

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ organizationId: ORGANIZATION.organizationId, memberOrganizationalUnits: ORGANIZATION.memberOrganizationalUnits.join(',') });
});

describe('restore round trip, organization mode', () => {
  it('reads the central record and restores the user in the member account through the operator\'s role there', async () => {
    const d = new Drill(twoKeyScenario(), rules, { ...DEFAULT_CONFIG, organization: ORGANIZATION });
    try {
      await d.deliver(trustedAdvisorEvent(EXPOSED, 'ci-deploy'));
      const ci = () => d.account.view().users.find((u) => u.userName === 'ci-deploy')!;
      expect(ci().attachedPolicyArns).toEqual([MEMBER_QUARANTINE]);
      const [incidentId] = d.deliveries[0].dispatch?.started.map((s) => s.incidentId) ?? [];

      const restored = await restoreAll(d, () => undefined);

      const session = `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityOperator/exposed-key-responder-restore-${incidentId}`;
      expect(restored.results).toEqual([expect.objectContaining({ status: 'restored', accountId: ACCOUNT, userName: 'ci-deploy', by: session })]);
      expect(ci().inlinePolicies).toEqual({});
      expect(ci().attachedPolicyArns).toEqual([]);
      expect(ci().accessKeys).toEqual([{ accessKeyId: EXPOSED, status: 'Inactive' }, { accessKeyId: OTHER, status: 'Active' }]);
      expect(d.organization!.assumptions.at(-1)).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/SecurityOperator` });
      // restore.json next to the record, in the central account's bucket.
      const written = JSON.parse(d.account.objects.get(`exposed-key-responder-incidents-${CENTRAL}/incidents/${incidentId}/restore.json`)?.body ?? '{}');
      expect(written).toMatchObject({ status: 'restored', accountId: ACCOUNT, by: session });
    } finally {
      d.close();
    }
  });
});
