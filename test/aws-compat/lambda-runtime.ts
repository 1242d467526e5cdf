import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { LambdaName } from '../../lib/bundling';
import { SynthesizedFunction } from './synthesized-stack';

const RUNNER = path.join(__dirname, 'lambda-runner.mjs');

/** A Lambda's error as the runtime reports it: Step Functions matches its `name` (errorType). */
export class LambdaInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** One invocation, for the printout. */
export interface Invocation {
  readonly lambda: LambdaName;
  readonly ms: number;
  readonly error?: string;
}

/**
 * Runs the bundled Lambdas as the Lambda runtime would: one Node process per function (its
 * execution environment: the bundle is imported once, then reused), with the function's
 * environment from the template plus what Lambda itself sets (region, credentials), and the
 * template's timeout (`Sandbox.Timedout`, the environment is then discarded).
 */
export class LambdaRuntime {
  readonly invocations: Invocation[] = [];
  private readonly processes = new Map<LambdaName, ChildProcess>();
  private readonly output = new Map<LambdaName, string[]>();
  private next = 0;

  constructor(
    private readonly functions: Readonly<Record<LambdaName, SynthesizedFunction>>,
    private readonly environment: Readonly<Record<LambdaName, Record<string, string>>>,
    /** What Lambda sets in every environment (AWS_REGION, credentials) and the endpoint. */
    private readonly platform: Record<string, string>,
  ) {}

  async invoke(name: LambdaName, event: unknown): Promise<unknown> {
    const fn = this.functions[name];
    const child = this.processFor(name);
    const id = ++this.next;
    const started = Date.now();
    const deadlineMs = started + fn.timeoutSeconds * 1000;
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.discard(name);
          reject(new LambdaInvocationError('Sandbox.Timedout', `${name} timed out after ${fn.timeoutSeconds} s`));
        }, fn.timeoutSeconds * 1000);
        const onMessage = (m: { id: number; ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }) => {
          if (m.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (m.ok) resolve(m.result);
          else reject(new LambdaInvocationError(m.errorType ?? 'Error', m.errorMessage ?? ''));
        };
        const onExit = (code: number | null) => {
          clearTimeout(timer);
          this.processes.delete(name);
          reject(new LambdaInvocationError('Runtime.ExitError', `${name} exited (${code}):\n${this.logTail(name)}`));
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ id, event, context: { functionName: fn.logicalId, awsRequestId: `req-${id}`, deadlineMs } });
      });
      this.invocations.push({ lambda: name, ms: Date.now() - started });
      return result;
    } catch (err) {
      this.invocations.push({ lambda: name, ms: Date.now() - started, error: (err as Error).name });
      throw err;
    }
  }

  /** The last lines a function wrote (its structured logs), for a failure's message. */
  logTail(name: LambdaName, lines = 30): string {
    return (this.output.get(name) ?? []).slice(-lines).join('');
  }

  /** Ends every execution environment and waits for each to exit. */
  async close(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.discard(name)));
  }

  private processFor(name: LambdaName): ChildProcess {
    const running = this.processes.get(name);
    if (running) return running;
    const fn = this.functions[name];
    const child = fork(RUNNER, [fn.entry, fn.handlerExport], {
      // What the Lambda runtime itself sets (UTC clock, the runtime's name), then the platform's and the function's own.
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', ...this.platform, ...this.environment[name], AWS_LAMBDA_FUNCTION_NAME: fn.logicalId },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const log = this.output.get(name) ?? [];
    this.output.set(name, log);
    const keep = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (log.length > 200) log.splice(0, log.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.processes.set(name, child);
    return child;
  }

  private async discard(name: LambdaName): Promise<void> {
    const child = this.processes.get(name);
    this.processes.delete(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
