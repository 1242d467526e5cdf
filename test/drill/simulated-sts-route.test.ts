import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { SimulatedOrganization } from '../../drill/simulated-sts';
import { ACCOUNT, EXPOSED, trustedAdvisorEvent } from '../workflow/helpers';

const CENTRAL = '999988887777';

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: 'ou-ab12-abcdefgh', reporters: `arn:aws:iam::${CENTRAL}:role/oncall` });
});

function reportByHand(account: string): Record<string, unknown> {
  return { version: '0', id: 'e', 'detail-type': 'Exposed Access Key Reported', source: 'exposed-key-responder', account, time: '2026-11-20T10:00:00Z', region: 'us-east-1', resources: [], detail: { accessKeyId: EXPOSED } };
}

describe('the drill\'s organization: which rules an event meets', () => {
  const organization = new SimulatedOrganization('o-a1b2c3d4e5', ACCOUNT);

  it('a report by hand of the central account meets the central report bus\'s rule only', () => {
    expect(organization.route(rules, reportByHand(CENTRAL))).toEqual(['ReportBus/ManualReport']);
  });

  it('a report by hand of the member account meets no rule: no member rule forwards one, and the report rule matches the central account only', () => {
    expect(organization.route(rules, reportByHand(ACCOUNT))).toEqual([]);
    expect(organization.route(rules, reportByHand(ACCOUNT), true)).toEqual([]);
  });

  it('an AWS signal of the member account goes through the member\'s rule to the central bus\'s, as before', () => {
    expect(organization.route(rules, trustedAdvisorEvent(EXPOSED, 'ci-deploy'))).toEqual(['member/TrustedAdvisorExposedKeys', 'Organization/TrustedAdvisorExposedKeys']);
  });
});
