import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configFromContext } from './config';
import { ExposedKeyResponderStack, STACK_ID, STACK_REGION } from './exposed-key-responder-stack';

/**
 * The stack's template as `cdk synth` would write it for this context (`-c key=value`), without
 * bundling the Lambdas, without CloudFormation validation and without cdk-nag: cheap enough for
 * the fire drill, which reads the rules' event patterns out of it. Resources carry their construct
 * path (`aws:cdk:path` metadata), as under the CLI.
 */
export function synthesizeForDrill(context: Record<string, unknown> = {}): Template {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, ...context },
    builtinCloudFormationValidation: false,
    analyticsReporting: false,
  });
  const stack = new ExposedKeyResponderStack(app, STACK_ID, {
    env: { region: STACK_REGION },
    config: configFromContext(app),
  });
  // Synthesized into a temporary directory (no outdir): read the template, then remove it.
  const assembly = app.synth();
  try {
    return Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  } finally {
    rmSync(assembly.directory, { recursive: true, force: true });
  }
}
