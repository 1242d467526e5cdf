// One Lambda execution environment for the wire check (test/aws-compat/lambda-runtime.ts): a Node
// process with the function's environment that imports its bundle once (the cold start) and runs
// each invocation it is sent, as the Lambda runtime does. It exits when its parent goes.
import { pathToFileURL } from 'node:url';

const [entry, handlerExport] = process.argv.slice(2);
let module;
process.on('disconnect', () => process.exit(0));
process.on('message', async ({ id, event, context }) => {
  try {
    module ??= await import(pathToFileURL(entry).href);
    const handler = module[handlerExport];
    if (typeof handler !== 'function') throw new Error(`${entry} exports no function ${handlerExport}`);
    const result = await handler(event, { ...context, getRemainingTimeInMillis: () => context.deadlineMs - Date.now() });
    process.send({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ id, ok: false, errorType: err?.name ?? 'Error', errorMessage: String(err?.message ?? err) });
  }
});
