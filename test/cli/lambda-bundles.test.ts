import * as esbuild from 'esbuild';
import { esbuildOptions, LAMBDA_NAMES, lambdaEntry } from '../../lib/bundling';

// The command line's clients (CloudFormation, EventBridge, SQS) and its code are for operators:
// no Lambda bundle may carry them (size, cold start, and nothing of the CLI in the responder's path).
describe('the Lambda bundles', () => {
  it.each(LAMBDA_NAMES)('%s holds none of the command line\'s code or clients', async (name) => {
    const built = await esbuild.build({ ...esbuildOptions(name), entryPoints: [lambdaEntry(name)], write: false, metafile: true, logLevel: 'silent' });

    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.filter((i) => /@aws-sdk\/(client-cloudformation|client-eventbridge|client-sqs|middleware-sdk-sqs)\/|(^|\/)cli\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes(`lambdas/${name}/`))).toBe(true);
  });
});
