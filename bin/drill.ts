// The fire drill's command-line entry: `npm start` (built-in drill), `npm run drill -- --event ...`.
// stdout carries only the result (JSON with --json); progress and logs go to stderr.
import '../drill/cli-env';
import { parseArgs, runCli, UsageError } from '../drill/cli';
import { synthesizedRules } from '../drill/stack-rules';

async function main(): Promise<number> {
  try {
    const args = parseArgs(process.argv.slice(2));
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const { output, text } = await runCli(args, synthesizedRules, progress);
    process.stdout.write(args.json ? `${JSON.stringify(output, null, 2)}\n` : `${text}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`drill: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`drill: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
