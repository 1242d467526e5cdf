import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_DEFINITION_PATH, placeholdersOf, ResponseWorkflow, ResponseWorkflowProps } from '../../lib/response-workflow';
import { Resource, statementsOfRole, stubFunction, testStack } from './helpers';

function synth(props: Partial<ResponseWorkflowProps> = {}) {
  const stack = testStack();
  const fns = {
    containFunction: stubFunction(stack, 'Contain'),
    verifyFunction: stubFunction(stack, 'Verify'),
    notifyFunction: stubFunction(stack, 'Notify'),
  };
  const ids = Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, stack.getLogicalId(fn.node.defaultChild as never)]));
  new ResponseWorkflow(stack, 'Workflow', { ...fns, ...props });
  const template = Template.fromStack(stack);
  const [[smId, sm]] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')) as Array<[string, Resource]>;
  return { stack, template, ids, smId, sm };
}

/** What CloudFormation does with DefinitionSubstitutions; a `Fn::GetAtt` value is shown as `<LogicalId.Arn>`. */
function substitute(definition: string, substitutions: Record<string, { 'Fn::GetAtt': [string, string] }>): string {
  return definition.replace(/\$\{([^}]*)\}/g, (whole, name: string) =>
    name in substitutions ? `<${substitutions[name]['Fn::GetAtt'].join('.')}>` : whole);
}

/** The Resource of every Task state, branches included. */
function taskResources(states: Record<string, any>): string[] {
  return Object.values(states).flatMap((state) => [
    ...(state.Type === 'Task' ? [state.Resource as string] : []),
    ...(state.Branches ?? []).flatMap((b: { States: Record<string, unknown> }) => taskResources(b.States)),
  ]);
}

const asl = readFileSync(DEFAULT_DEFINITION_PATH, 'utf8');
const { template, ids, sm } = synth();

describe('ResponseWorkflow', () => {
  it('is a Standard state machine defined inline by the ASL file, as it is', () => {
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.DefinitionS3Location).toBeUndefined();
    expect(sm.Properties.DefinitionString).toBe(asl);
  });

  it('substitutes each Lambda placeholder with that function\'s ARN', () => {
    expect(sm.Properties.DefinitionSubstitutions).toEqual({
      ContainFunctionArn: { 'Fn::GetAtt': [ids.containFunction, 'Arn'] },
      VerifyFunctionArn: { 'Fn::GetAtt': [ids.verifyFunction, 'Arn'] },
      NotifyFunctionArn: { 'Fn::GetAtt': [ids.notifyFunction, 'Arn'] },
    });
  });

  it('has a substitution for every ${...} placeholder of the ASL file, so none is left after deployment', () => {
    const placeholders = placeholdersOf(asl);
    expect(placeholders.sort()).toEqual(['ContainFunctionArn', 'NotifyFunctionArn', 'VerifyFunctionArn']);
    for (const p of placeholders) expect(sm.Properties.DefinitionSubstitutions).toHaveProperty([p]);
    const deployed = substitute(sm.Properties.DefinitionString, sm.Properties.DefinitionSubstitutions);
    expect(deployed).not.toContain('${');
    const resources = new Set(taskResources(JSON.parse(deployed).States));
    expect([...resources].sort()).toEqual(
      [ids.containFunction, ids.verifyFunction, ids.notifyFunction].map((id) => `<${id}.Arn>`).sort(),
    );
  });

  it('refuses an ASL file with a placeholder it cannot substitute', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asl-'));
    try {
      const file = path.join(dir, 'bad.asl.json');
      writeFileSync(file, asl.replace('${VerifyFunctionArn}', '${VerifyFunctionArnTypo}'));
      expect(() => synth({ definitionPath: file })).toThrow(/no substitution for \$\{VerifyFunctionArnTypo\}/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs every event with execution data to its log group, kept 365 days by default, and traces with X-Ray', () => {
    const [[groupId, group]] = Object.entries(template.findResources('AWS::Logs::LogGroup')) as Array<[string, Resource]>;
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(sm.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [groupId, 'Arn'] } } }],
    });
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('takes log retention and execution data from props', () => {
    const { template: t, sm: s } = synth({ logRetention: RetentionDays.THREE_MONTHS, includeExecutionData: false });
    expect((Object.values(t.findResources('AWS::Logs::LogGroup'))[0] as Resource).Properties.RetentionInDays).toBe(90);
    expect(s.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
  });

  it('may invoke its three Lambdas (and their versions) and no other function', () => {
    const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const invoke = statementsOfRole(template, roleId).filter((s) => s.Action.some((a) => a.startsWith('lambda:')));
    expect(invoke.flatMap((s) => s.Action)).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunction', 'lambda:InvokeFunction']);
    const resources = invoke.flatMap((s) => s.Resource as unknown[]);
    for (const id of Object.values(ids)) {
      expect(resources).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      expect(resources).toContainEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, ':*']] });
    }
    expect(resources).toHaveLength(6);
  });
});
