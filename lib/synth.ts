import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from './config-context';
import { ExposedKeyResponderStack, STACK_ID, STACK_REGION } from './exposed-key-responder-stack';

/**
 * The stack's template as `cdk synth` would write it for this context (`-c key=value`), without
 * bundling the Lambdas, without CloudFormation validation and without cdk-nag: cheap enough for
 * the fire drill, which reads the rules' event patterns out of it. Resources carry their construct
 * path (`aws:cdk:path` metadata), as under the CLI.
 */
export function synthesizeForDrill(context: Record<string, unknown> = {}): Template {
  // The App's output directory exists from its construction on: removed whatever happens next
  // (an invalid context throws before any synth).
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk.out-drill-'));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, ...context },
      builtinCloudFormationValidation: false,
      analyticsReporting: false,
    });
    const stack = new ExposedKeyResponderStack(app, STACK_ID, {
      env: { region: STACK_REGION },
      config: configFromContext(app),
    });
    return Template.fromJSON(app.synth().getStackArtifact(stack.artifactId).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
