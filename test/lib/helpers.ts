import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_CONFIG, ResponderConfig } from '../../lib/config';
import { ExposedKeyResponderStack } from '../../lib/exposed-key-responder-stack';

/** The output directories of this test file's Apps, removed after its tests. */
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An App that never bundles (fast) and skips the CloudFormation validator (~4 s a synth). It
 * synthesizes into a temporary directory of its own, removed after the test file's tests (an
 * App without `outdir` would leave a `cdk.out*` folder in the OS temp directory at every synth).
 */
export function testApp(context: Record<string, unknown> = {}): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk.out-test-'));
  outdirs.push(outdir);
  return new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
    analyticsReporting: false,
  });
}

/** A bare stack in us-east-1 (of `account`, when given) to test one construct in. */
export function testStack(app: App = testApp(), account?: string): Stack {
  return new Stack(app, 'Test', { env: { region: 'us-east-1', account } });
}

/** A stand-in function with inline code: no bundling, no entry file. */
export function stubFunction(scope: Stack, id: string): LambdaFunction {
  return new LambdaFunction(scope, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
  });
}

/** The whole stack, synthesized without bundling. */
export function responderStack(config: Partial<ResponderConfig> = {}, env: Environment = { region: 'us-east-1' }) {
  const app = testApp();
  const stack = new ExposedKeyResponderStack(app, 'Responder', { env, config: { ...DEFAULT_CONFIG, ...config } });
  return { app, stack, template: Template.fromStack(stack) };
}

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
export type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** The responder Lambda whose POWERTOOLS_SERVICE_NAME is `name`: [logicalId, resource]. */
export function findFunction(template: Template, name: string): [string, Resource] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, r]) => (r as Resource).Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name,
  );
  if (found.length !== 1) throw new Error(`expected one function ${name}, found ${found.length}`);
  return found[0] as [string, Resource];
}

/** The logical id of the role a function runs with. */
export function roleOf(fn: Resource): string {
  const role = fn.Properties.Role;
  if (!role?.['Fn::GetAtt']) throw new Error(`function role is not a role of the stack: ${JSON.stringify(role)}`);
  return role['Fn::GetAtt'][0];
}

/** Every statement of every AWS::IAM::Policy attached to the role, with Action always a list. */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<Statement & { Action: string[] }> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p as Resource).Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .flatMap((p) => (p as Resource).Properties.PolicyDocument.Statement as Statement[])
    .map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action) }));
}

/** The statements of a responder Lambda's role. */
export function statementsOfFunction(template: Template, name: string) {
  return statementsOfRole(template, roleOf(findFunction(template, name)[1]));
}

/** Allowed actions of a set of statements, sorted, each once. */
export function allowedActions(statements: Array<Statement & { Action: string[] }>): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action))].sort();
}

/** `arn:<partition>:iam::<account>:user/*` as CDK renders it with an unresolved account. */
export const ANY_USER_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':user/*']] };
