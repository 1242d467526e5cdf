// Organization mode with securityHub=true: the finding of a member account's incident is imported
// by the central workflow, so it belongs to the central account and names the member account.
import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, DEFAULT_CONFIG, drill, EXPOSED, trustedAdvisorEvent, twoKeyScenario } from './helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
/** The drill's central account (drill/simulated-sts.ts); the scenario's account is the member. */
const CENTRAL = '999988887777';

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ organizationId: ORGANIZATION.organizationId, memberOrganizationalUnits: ORGANIZATION.memberOrganizationalUnits.join(',') });
});

describe('organization mode: the Security Hub finding of a member account\'s incident', () => {
  it('is imported into the central account\'s own product (AwsAccountId: the importing account), its key and title naming the member account', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, organization: ORGANIZATION, securityHub: true }, rules);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const imports = d.account.signals.imports;
    expect(imports).toHaveLength(2);
    for (const f of imports as Array<Record<string, any>>) {
      expect(f.AwsAccountId).toBe(CENTRAL);
      expect(f.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${CENTRAL}:product/${CENTRAL}/default`);
      expect(f.Id).toBe(`exposed-key-responder/${ACCOUNT}/${output.incident!.incidentId}`);
      expect(f.Title).toBe(`Exposed access key ${EXPOSED} of ci-deploy in account ${ACCOUNT}`);
      expect(f.ProductFields['exposed-key-responder/incidentAccountId']).toBe(ACCOUNT);
      expect(f.Resources[0].Details.AwsIamAccessKey.AccountId).toBe(ACCOUNT);
    }
  });
});
