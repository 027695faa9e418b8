// Boot-record writer processes for the record-lock test and bench: start them (bundled by
// esbuild, so each starts in tens of milliseconds), send commands, wait for their answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { bundleHarnessProgram } from '../bundle.js';

export interface RecordWriter {
  proc: ChildProcess;
  lines: string[];
  send(line: string): void;
  /** Resolves with the first line (from index `from`) that starts with one of `prefixes`. */
  waitFor(prefixes: string[], from?: number, timeoutMs?: number): Promise<string>;
  exited: Promise<void>;
}

export async function startRecordWriter(root: string, dir: string, bootId: string): Promise<RecordWriter> {
  const program = await bundleHarnessProgram('test/harness/records/record-writer-child.ts', 'record-writer');
  const proc = spawn(process.execPath, [program, root, dir, bootId], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const writer: RecordWriter = {
    proc,
    lines,
    exited,
    send: (line) => proc.stdin?.write(`${line}\n`),
    waitFor(prefixes, from = 0, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.slice(from).find((l) => prefixes.some((p) => l.startsWith(p)));
          if (hit === undefined) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `writer ${proc.pid}: no ${prefixes.join('/')} within ${timeoutMs} ms (stdout: ${lines.join(' | ')}; stderr: ${stderr.slice(-500)})`,
            ),
          );
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`writer ${proc.pid} exited before ${prefixes.join('/')} (stderr: ${stderr.slice(-500)})`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          proc.off('exit', onExit);
        };
        listeners.add(check);
        proc.once('exit', onExit);
        check();
      });
    },
  };
  await writer.waitFor(['ready']);
  return writer;
}

/** Kill -9 and wait until the process is gone (so its pid no longer exists). */
export async function killWriter(writer: RecordWriter): Promise<void> {
  writer.proc.kill('SIGKILL');
  await writer.exited;
}

export interface StaleLockRound {
  expected: number;
  counter: number;
  /** Updates a writer confirmed that the record does not hold. */
  lost: number;
  errors: string[];
  ms: number;
}

/**
 * One round: a writer takes the record lock and is killed -9 while holding it (leaving a temp
 * file), then every writer in `writers` makes `perWriter` updates, all starting at once.
 */
export async function staleLockRound(opts: {
  root: string;
  dir: string;
  bootId: string;
  writers: RecordWriter[];
  perWriter: number;
  readCounter: () => Promise<number>;
}): Promise<StaleLockRound> {
  const started = performance.now();
  const before = await opts.readCounter();
  const holder = await startRecordWriter(opts.root, opts.dir, opts.bootId);
  holder.send('hold');
  await holder.waitFor(['held']);
  await killWriter(holder);
  const marks = opts.writers.map((w) => w.lines.length);
  for (const writer of opts.writers) writer.send(`inc ${opts.perWriter}`);
  const answers = await Promise.all(opts.writers.map((w, i) => w.waitFor(['done', 'error'], marks[i])));
  const errors = answers.filter((a) => a.startsWith('error'));
  const expected = before + opts.perWriter * (opts.writers.length - errors.length);
  const counter = await opts.readCounter();
  return { expected, counter, lost: expected - counter, errors, ms: performance.now() - started };
}
