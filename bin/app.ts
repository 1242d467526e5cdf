import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../lib/config-context';
import { ExposedKeyResponderStack, STACK_ID, STACK_REGION } from '../lib/exposed-key-responder-stack';

const app = new App();
// cdk-nag 3: a validation plugin (an unacknowledged finding fails synth), not an Aspect.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new ExposedKeyResponderStack(app, STACK_ID, {
  // No account needed to synthesize: ARNs use the AWS::AccountId pseudo parameter when it is unknown.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: STACK_REGION },
  config: configFromContext(app),
});
