import { synthesizeForDrill } from '../../lib/synth';
import { Resource } from './helpers';

describe('synthesizeForDrill', () => {
  const template = synthesizeForDrill();
  const resources = template.toJSON().Resources as Record<string, Resource & { Metadata?: Record<string, unknown> }>;

  it('gives the stack\'s four detection rules with their event patterns', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(4);
    for (const r of rules) expect(r.Properties.EventPattern).toEqual(expect.objectContaining({ source: expect.any(Array) }));
  });

  it('names each resource by its construct path, as cdk synth does', () => {
    const paths = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Metadata?.['aws:cdk:path']).sort();
    expect(paths).toEqual([
      'ExposedKeyResponder/DetectionRules/HealthRisk/Resource',
      'ExposedKeyResponder/DetectionRules/LegacyQuarantineInlinePolicy/Resource',
      'ExposedKeyResponder/DetectionRules/QuarantinePolicyAttached/Resource',
      'ExposedKeyResponder/DetectionRules/TrustedAdvisorExposedKeys/Resource',
    ]);
  });

  it('gives the report bus\'s rule too with -c reporters', () => {
    const withBus = synthesizeForDrill({ reporters: 'arn:aws:iam::123456789012:role/reporter' }).toJSON().Resources as Record<string, Resource & { Metadata?: Record<string, unknown> }>;
    const paths = Object.values(withBus).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Metadata?.['aws:cdk:path']);
    expect(paths).toContain('ExposedKeyResponder/ReportBus/ManualReport/Resource');
  });

  it('reads the configuration from the context it is given, as -c would', () => {
    const dry = synthesizeForDrill({ dryRun: 'true' }).toJSON().Resources as Record<string, Resource>;
    const contain = Object.values(dry).find((r) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'contain')!;
    expect(contain.Properties.Environment.Variables.DRY_RUN).toBe('true');
  });

  it('rejects invalid context like cdk synth does', () => {
    expect(() => synthesizeForDrill({ logLevel: 'LOUD' })).toThrow(/logLevel/);
  });
});
