import { CliContext } from './context';
import { Options, parseCommand } from './args';

/** What a command prints: `json` with --json, else `text`; `exitCode` 1 when it ran but found a failure (doctor). */
export interface CommandOutput {
  readonly json: unknown;
  readonly text: string;
  readonly exitCode?: number;
}

export type Parsed<O extends Options> = ReturnType<typeof parseCommand<O>>;

export interface Command<O extends Options = Options> {
  readonly name: string;
  readonly summary: string;
  /** The usage line and the command's own options (the common ones are added). */
  readonly usage: string;
  readonly options: O;
  /** How many positional arguments it takes. */
  readonly positionals: number;
  readonly run: (parsed: Parsed<O>, ctx: CliContext) => Promise<CommandOutput>;
}

export function defineCommand<O extends Options>(command: Command<O>): Command {
  return command as unknown as Command;
}

/** Rows as aligned text columns. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
