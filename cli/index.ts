// The process entry of `exposed-key-responder` (bin/exposed-key-responder.js loads it).
import { createInterface } from 'node:readline/promises';
import { awsClients } from './context';
import { runCli } from './main';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Asks on the terminal; without one (a pipe, CI) nobody can answer: no. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

runCli(process.argv.slice(2), {
  clients: awsClients,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  confirm,
}).then((code) => {
  process.exitCode = code;
});
