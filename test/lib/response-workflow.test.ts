import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DEFAULT_DEFINITION_PATH,
  FUNCTION_PLACEHOLDERS,
  FunctionPlaceholder,
  placeholdersOf,
  ResponseWorkflow,
  ResponseWorkflowProps,
  UNUSED_FUNCTION_WARNING,
  VALUE_PLACEHOLDERS,
} from '../../lib/response-workflow';
import { Resource, statementsOfRole, stubFunction, testStack } from './helpers';

function synth(props: Partial<ResponseWorkflowProps> = {}) {
  const stack = testStack();
  const fns = {
    containFunction: stubFunction(stack, 'Contain'),
    verifyFunction: stubFunction(stack, 'Verify'),
    investigateFunction: stubFunction(stack, 'Investigate'),
    footholdsFunction: stubFunction(stack, 'Footholds'),
    evidenceFunction: stubFunction(stack, 'Evidence'),
    reportFunction: stubFunction(stack, 'Report'),
    notifyFunction: stubFunction(stack, 'Notify'),
    supportFunction: stubFunction(stack, 'Support'),
    slackFunction: stubFunction(stack, 'Slack'),
    signalsFunction: stubFunction(stack, 'Signals'),
  };
  const ids = Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, stack.getLogicalId(fn.node.defaultChild as never)])) as Record<keyof typeof fns, string>;
  const workflow = new ResponseWorkflow(stack, 'Workflow', { ...fns, ...props });
  const template = Template.fromStack(stack);
  const [[smId, sm]] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')) as Array<[string, Resource]>;
  /** The logical id of the function a placeholder stands for. */
  const idOf = (p: FunctionPlaceholder) => ids[FUNCTION_PLACEHOLDERS[p]];
  return { stack, template, ids, idOf, smId, sm, fns, workflow };
}

/** Writes `definition` to a temporary ASL file and synthesizes the workflow with it. */
function synthWith(definition: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'asl-'));
  try {
    const file = path.join(dir, 'test.asl.json');
    writeFileSync(file, definition);
    return synth({ definitionPath: file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A valid ASL document: one Task state per placeholder, in a chain. */
function chainOf(placeholders: string[]): string {
  const states = Object.fromEntries(placeholders.map((p, i) => [
    `S${i}`,
    { Type: 'Task', Resource: '${' + p + '}', ...(i === placeholders.length - 1 ? { End: true } : { Next: `S${i + 1}` }) },
  ]));
  return JSON.stringify({ StartAt: 'S0', States: states }, null, 2);
}

/** The Lambda ARNs (with and without `:*`) the state machine's role may invoke. */
function invocable(template: Template, sm: Resource): unknown[] {
  const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
  const invoke = statementsOfRole(template, roleId).filter((s) => s.Action.some((a) => a.startsWith('lambda:')));
  for (const s of invoke) expect(s.Action).toEqual(['lambda:InvokeFunction']);
  return invoke.flatMap((s) => s.Resource as unknown[]);
}
const invokeResources = (id: string) => [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, ':*']] }];

/** What CloudFormation does with DefinitionSubstitutions; a `Fn::GetAtt` value is shown as `<LogicalId.Arn>`. */
function substitute(definition: string, substitutions: Record<string, { 'Fn::GetAtt': [string, string] } | string>): string {
  return definition.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) return whole;
    return typeof value === 'string' ? value : `<${value['Fn::GetAtt'].join('.')}>`;
  });
}

/** The Resource of every Task state, branches included. */
function taskResources(states: Record<string, any>): string[] {
  return Object.values(states).flatMap((state) => [
    ...(state.Type === 'Task' ? [state.Resource as string] : []),
    ...(state.Branches ?? []).flatMap((b: { States: Record<string, unknown> }) => taskResources(b.States)),
  ]);
}

const asl = readFileSync(DEFAULT_DEFINITION_PATH, 'utf8');
const { template, idOf, sm, stack, workflow, fns } = synth();
// The Lambdas the definition references; its value placeholders (the second look's seconds) are tested apart.
const aslPlaceholders = placeholdersOf(asl).filter((p) => Object.hasOwn(FUNCTION_PLACEHOLDERS, p)) as FunctionPlaceholder[];
const ALL = Object.keys(FUNCTION_PLACEHOLDERS) as FunctionPlaceholder[];

describe('ResponseWorkflow', () => {
  it('is a Standard state machine defined inline by the ASL file, as it is', () => {
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.DefinitionS3Location).toBeUndefined();
    expect(sm.Properties.DefinitionString).toBe(asl);
  });

  it('knows the ten Lambda placeholders, one per function prop', () => {
    expect(FUNCTION_PLACEHOLDERS).toEqual({
      ContainFunctionArn: 'containFunction',
      VerifyFunctionArn: 'verifyFunction',
      InvestigateFunctionArn: 'investigateFunction',
      FootholdsFunctionArn: 'footholdsFunction',
      EvidenceFunctionArn: 'evidenceFunction',
      ReportFunctionArn: 'reportFunction',
      NotifyFunctionArn: 'notifyFunction',
      SupportFunctionArn: 'supportFunction',
      SlackFunctionArn: 'slackFunction',
      SignalsFunctionArn: 'signalsFunction',
    });
  });

  it('substitutes each Lambda placeholder of the ASL file with that function\'s ARN, and only those', () => {
    expect(aslPlaceholders.length).toBeGreaterThan(0);
    expect(sm.Properties.DefinitionSubstitutions).toEqual({
      ...Object.fromEntries(aslPlaceholders.map((p) => [p, { 'Fn::GetAtt': [idOf(p), 'Arn'] }])),
      SecondLookSeconds: '1200',
    });
    expect(workflow.invokedFunctions).toEqual(aslPlaceholders.map((p) => fns[FUNCTION_PLACEHOLDERS[p]]));
  });

  it('has a substitution for every ${...} placeholder of the ASL file, so none is left after deployment', () => {
    for (const p of aslPlaceholders) expect(ALL).toContain(p);
    const deployed = substitute(sm.Properties.DefinitionString, sm.Properties.DefinitionSubstitutions);
    expect(deployed).not.toContain('${');
    // Service integrations (the completion event's PutEvents) are Step Functions' own ARNs, not placeholders.
    const resources = new Set(taskResources(JSON.parse(deployed).States).filter((r) => !r.startsWith('arn:aws:states:::')));
    expect([...resources].sort()).toEqual(aslPlaceholders.map((p) => `<${idOf(p)}.Arn>`).sort());
  });

  it('with a definition referencing all ten Lambdas: substitutes all ten and may invoke all ten, without warning', () => {
    const all = synthWith(chainOf(ALL));
    expect(all.sm.Properties.DefinitionSubstitutions).toEqual(
      Object.fromEntries(ALL.map((p) => [p, { 'Fn::GetAtt': [all.idOf(p), 'Arn'] }])),
    );
    const resources = invocable(all.template, all.sm);
    expect(resources).toHaveLength(2 * ALL.length);
    expect(ALL).toHaveLength(10);
    for (const p of ALL) expect(resources).toEqual(expect.arrayContaining(invokeResources(all.idOf(p))));
    Annotations.fromStack(all.stack).hasNoWarning('*', Match.anyValue());
  });

  it('with a definition that does not reference a Lambda: neither substitutes it nor lets the state machine invoke it, and warns', () => {
    const partial = synthWith(chainOf(['ContainFunctionArn', 'VerifyFunctionArn', 'NotifyFunctionArn']));
    expect(Object.keys(partial.sm.Properties.DefinitionSubstitutions).sort()).toEqual(['ContainFunctionArn', 'NotifyFunctionArn', 'VerifyFunctionArn']);
    expect(partial.workflow.invokedFunctions).toEqual([partial.fns.containFunction, partial.fns.verifyFunction, partial.fns.notifyFunction]);
    const resources = JSON.stringify(invocable(partial.template, partial.sm));
    for (const p of ['InvestigateFunctionArn', 'FootholdsFunctionArn', 'EvidenceFunctionArn', 'ReportFunctionArn', 'SupportFunctionArn', 'SlackFunctionArn'] as const) {
      expect(resources).not.toContain(partial.idOf(p));
    }
    Annotations.fromStack(partial.stack).hasWarning(
      '/Test/Workflow',
      Match.stringLikeRegexp(
        'does not reference \\$\\{InvestigateFunctionArn\\}, \\$\\{FootholdsFunctionArn\\}, \\$\\{EvidenceFunctionArn\\}, \\$\\{ReportFunctionArn\\}, \\$\\{SupportFunctionArn\\}, \\$\\{SlackFunctionArn\\}, \\$\\{SignalsFunctionArn\\}: .*\\[ack: ' + UNUSED_FUNCTION_WARNING + '\\]',
      ),
    );
  });

  it('warns about unreferenced Lambdas of the default ASL file only when there are some', () => {
    const unused = ALL.filter((p) => !aslPlaceholders.includes(p));
    if (unused.length === 0) Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    else Annotations.fromStack(stack).hasWarning('/Test/Workflow', Match.stringLikeRegexp(UNUSED_FUNCTION_WARNING));
  });

  it('refuses an ASL file with a placeholder it cannot substitute', () => {
    expect(() => synthWith(asl.replace('${VerifyFunctionArn}', '${VerifyFunctionArnTypo}'))).toThrow(/no substitution for \$\{VerifyFunctionArnTypo\}/);
    expect(() => synthWith(chainOf(['ContainFunctionArn', 'toString']))).toThrow(/no substitution for \$\{toString\}/);
  });

  it('logs every event without execution data to its log group, kept 365 days by default, and traces with X-Ray', () => {
    const [[groupId, group]] = Object.entries(template.findResources('AWS::Logs::LogGroup')) as Array<[string, Resource]>;
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(sm.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [groupId, 'Arn'] } } }],
    });
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('takes log retention and execution data from props', () => {
    const { template: t, sm: s } = synth({ logRetention: RetentionDays.THREE_MONTHS, includeExecutionData: true });
    expect((Object.values(t.findResources('AWS::Logs::LogGroup'))[0] as Resource).Properties.RetentionInDays).toBe(90);
    expect(s.Properties.LoggingConfiguration.IncludeExecutionData).toBe(true);
  });

  it('substitutes the second look\'s wait in seconds: secondLookMinutes x 60, 20 minutes by default', () => {
    expect(VALUE_PLACEHOLDERS).toEqual(['SecondLookSeconds']);
    expect(placeholdersOf(asl)).toContain('SecondLookSeconds');
    const deployed = JSON.parse(substitute(sm.Properties.DefinitionString, sm.Properties.DefinitionSubstitutions));
    expect(deployed.States.SecondLookAfterVerification.Parameters['seconds.$']).toBe("States.StringToJson('1200')");
    expect(synth({ secondLookMinutes: 5 }).sm.Properties.DefinitionSubstitutions.SecondLookSeconds).toBe('300');
  });

  it('may invoke the Lambdas of its definition (and their versions) and no other function', () => {
    const resources = invocable(template, sm);
    for (const p of aslPlaceholders) expect(resources).toEqual(expect.arrayContaining(invokeResources(idOf(p))));
    expect(resources).toHaveLength(2 * aslPlaceholders.length);
  });
});
