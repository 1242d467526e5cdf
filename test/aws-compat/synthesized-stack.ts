import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_NAMES, LambdaName, PROJECT_ROOT } from '../../lib/bundling';

/** Where `cdk synth` (`npm run synth`, the last step of `npm test`) writes the cloud assembly. */
export const CDK_OUT = path.join(PROJECT_ROOT, 'cdk.out');

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }> };

/** One Lambda of the stack as `cdk synth` wrote it: its bundle and its configuration. */
export interface SynthesizedFunction {
  readonly name: LambdaName;
  readonly logicalId: string;
  /** The bundle's entry file (`cdk.out/asset.<hash>/index.mjs`). */
  readonly entry: string;
  /** The exported handler's name (`handler` of `index.handler`). */
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  /** Environment variables as the template has them (values may be intrinsics). */
  readonly environment: Record<string, unknown>;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: Template;
  readonly functions: Readonly<Record<LambdaName, SynthesizedFunction>>;
}

/**
 * The responder's stack in a cloud assembly: the stack artifact whose template has the Lambdas.
 * Each function is named by its `POWERTOOLS_SERVICE_NAME` (the Lambda's folder); its bundle is the
 * asset the function's `aws:asset:path` metadata names.
 */
export function loadSynthesizedStack(cdkOut: string = CDK_OUT): SynthesizedStack {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`no cloud assembly at ${cdkOut}: run npm run synth first`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  for (const [stackName, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(readFileSync(path.join(cdkOut, artifact.properties.templateFile), 'utf8')) as Template;
    const functions = functionsOf(template, cdkOut);
    if (Object.keys(functions).length > 0) return { stackName, template, functions: complete(functions, stackName) };
  }
  throw new Error(`no stack with Lambda functions in ${cdkOut}`);
}

function functionsOf(template: Template, cdkOut: string): Partial<Record<LambdaName, SynthesizedFunction>> {
  const found: Partial<Record<LambdaName, SynthesizedFunction>> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const environment = (props.Environment?.Variables ?? {}) as Record<string, unknown>;
    const name = environment.POWERTOOLS_SERVICE_NAME as LambdaName;
    const asset = resource.Metadata?.['aws:asset:path'] as string | undefined;
    if (!LAMBDA_NAMES.includes(name) || !asset) continue;
    const [file, handlerExport] = String(props.Handler).split('.');
    const entry = path.join(cdkOut, asset, `${file}.mjs`);
    if (!existsSync(entry)) throw new Error(`the bundle of ${name} is missing: ${entry}`);
    found[name] = { name, logicalId, entry, handlerExport, timeoutSeconds: Number(props.Timeout ?? 3), environment };
  }
  return found;
}

function complete(found: Partial<Record<LambdaName, SynthesizedFunction>>, stackName: string): Record<LambdaName, SynthesizedFunction> {
  const missing = LAMBDA_NAMES.filter((n) => !found[n]);
  if (missing.length > 0) throw new Error(`stack ${stackName} has no function for ${missing.join(', ')}`);
  return found as Record<LambdaName, SynthesizedFunction>;
}

/** What Ref and Fn::GetAtt of each resource stand for, once it exists (in moto or only by name). */
export interface ResolveContext {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  /** Ref of a logical id (a name or an ARN, as CloudFormation gives for the type). */
  ref(logicalId: string): string;
  /** Fn::GetAtt of a logical id. */
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * Resolves the intrinsics a template's values use (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split and the pseudo parameters). Anything else is an error: nothing is guessed.
 */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1 || !(entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, ctx)]));
  }
  const [fn, arg] = entries[0];
  switch (fn) {
    case 'Ref':
      return pseudo(String(arg), ctx) ?? ctx.ref(String(arg));
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return ctx.getAtt(String(id), String(attribute));
    }
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return (resolveValue(parts, ctx) as unknown[]).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      return (resolveValue(list, ctx) as unknown[])[Number(resolveValue(index, ctx))];
    }
    case 'Fn::Split': {
      const [sep, text] = arg as [string, unknown];
      return String(resolveValue(text, ctx)).split(sep);
    }
    case 'Fn::Sub': {
      const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolveValue(vars[name], ctx));
        const [id, attribute] = name.split('.');
        return attribute ? ctx.getAtt(id, attribute) : (pseudo(id, ctx) ?? ctx.ref(id));
      });
    }
    default:
      throw new Error(`the template uses ${fn}, which this check does not resolve`);
  }
}

function pseudo(name: string, ctx: ResolveContext): string | undefined {
  const values: Record<string, string> = {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': ctx.stackName,
    'AWS::NoValue': '',
  };
  return values[name];
}
