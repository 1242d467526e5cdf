import { ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * moto's server (`python3 -m moto.server`), an independent implementation of AWS's wire protocols,
 * on 127.0.0.1 and a port the system picks (`-p 0`: no race for a free port).
 *
 * The server is started with its standard input on a pipe from this process and exits as soon as
 * that pipe closes: when this process ends in any way (even killed), moto goes with it.
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** The python interpreter (`EKR_PYTHON` to use another). */
export const PYTHON = process.env.EKR_PYTHON ?? 'python3';

/** Why moto cannot run here (no python3, or no moto in it), or undefined when it can. */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import moto.server, flask, werkzeug; print(__import__("moto").__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} is not installed`;
  if (probe.status !== 0) return `${PYTHON} has no moto server (pip install 'moto[server]')`;
  return undefined;
}

/** The installed moto's version. */
export function motoVersion(): string {
  return spawnSync(PYTHON, ['-c', 'print(__import__("moto").__version__)'], { encoding: 'utf8' }).stdout.trim();
}

// Runs `moto.server` as `python3 -m moto.server` would, after starting a thread that exits the
// process when stdin closes (the parent is gone).
const LAUNCHER = [
  'import os, runpy, sys, threading',
  'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()',
  "sys.argv = ['moto.server', '-H', '127.0.0.1', '-p', '0']",
  "runpy.run_module('moto.server', run_name='__main__', alter_sys=True)",
].join('\n');

const STARTUP_TIMEOUT_MS = 60_000;

/** Starts moto and resolves once it answers on its port. */
export async function startMoto(): Promise<MotoServer> {
  const child = spawn(PYTHON, ['-c', LAUNCHER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`moto did not start within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`moto exited (${code}) before it started:\n${output}`)));
  });
  // Its request log is not read past the start; keep the pipes drained.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return { url, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
