import { Validations } from 'aws-cdk-lib';
import { findFunction, responderStack, roleOf, Statement, statementsOfFunction } from './helpers';

const { app, template } = responderStack();

/** The reason acknowledged for one cdk-nag finding on the construct at `path`. */
function acknowledgedReason(path: string, id: string): unknown {
  const construct = app.node.findAll().find((c) => c.node.path === path);
  return construct?.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>))
    .find(([key]) => key.replace(/^annotation::/i, '') === id)?.[1];
}

describe('grantEvidence: the on-demand price of the instances the key launched', () => {
  it('lets the evidence role call pricing:GetProducts, on "*" (it has no resource-level permission), in a statement of its own', () => {
    const pricing = statementsOfFunction(template, 'evidence').filter((s) => s.Action.some((a) => a.startsWith('pricing:')));

    expect(pricing).toEqual([{ Sid: 'LookUpOnDemandPrices', Effect: 'Allow', Action: ['pricing:GetProducts'], Resource: '*' }]);
  });

  it('gives the Price List API to no other role of the stack', () => {
    const evidenceRole = roleOf(findFunction(template, 'evidence')[1]);
    const holders = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
      const statements = (p as { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: Array<{ Ref: string }> } }).Properties;
      const grants = statements.PolicyDocument.Statement.some((s) => JSON.stringify(s.Action).includes('pricing:'));
      return grants ? statements.Roles.map((r) => r.Ref) : [];
    });

    expect(holders).toEqual([evidenceRole]);
  });

  it('acknowledges the wildcard resource saying that GetProducts only reads the public price list', () => {
    const rolePath = app.node.findAll().find((c) => c.node.path.endsWith('/Role') && c.node.path.toLowerCase().includes('evidence'))?.node.path;

    const reason = acknowledgedReason(rolePath ?? '(no evidence role)', 'AwsSolutions-IAM5[Resource::*]');

    expect(String(reason)).toContain('pricing:GetProducts support no resource-level permission');
    expect(String(reason)).toContain('AWS\'s public price list');
  });
});
