// The subprocess port against real processes: exit codes as data, output as a shell reads it,
// input, environment, and every way a tool can fail to give an answer (missing, too slow, ignoring
// SIGTERM, aborted, far too talkative), each bounded.
import { describe, expect, it } from 'vitest';
import { HostError } from '../../agent/errors.js';
import { createExec, KILL_AFTER_MS } from '../../agent/host/exec.js';

const exec = createExec();
const sh = (script: string, request = {}) => exec.run('/bin/sh', ['-c', script], request);

describe('createExec', () => {
  it('returns a non-zero exit as data, with stdout and stderr without their final line break', async () => {
    const result = await sh('printf "a\\nb\\n"; printf "oops\\r\\n" >&2; exit 3');
    expect(result).toEqual({ exitCode: 3, stdout: 'a\nb', stderr: 'oops', timedOut: false });
  });

  it('keeps inner line breaks and output without a final one as it is', async () => {
    expect((await sh('printf "x\\n\\n"')).stdout).toBe('x\n');
    expect((await sh('printf "no newline"')).stdout).toBe('no newline');
  });

  it('gives the tool its input on stdin, and no stdin at all otherwise', async () => {
    expect((await exec.run('/bin/cat', [], { input: 'line one\nline two' })).stdout).toBe('line one\nline two');
    // stdin is /dev/null: cat ends at once instead of waiting for a terminal.
    expect(await exec.run('/bin/cat', [], { timeoutMs: 30_000 })).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it("adds env to this process's environment instead of replacing it", async () => {
    const result = await sh('echo "$EDGE_AGENT_EXEC_TEST:$PATH"', { env: { EDGE_AGENT_EXEC_TEST: 'set' } });
    expect(result.stdout).toBe(`set:${process.env.PATH}`);
  });

  it('throws, naming the tool, only when it cannot be started', async () => {
    const error = await exec.run('/nonexistent/tool', ['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe('exec-failed');
    expect((error as HostError).message).toBe('cannot run /nonexistent/tool: ENOENT');
  });

  it('ends a tool at its time limit and says so', async () => {
    const started = Date.now();
    const result = await sh('sleep 60', { timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: 128, timedOut: true });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('kills a tool that ignores SIGTERM once the grace after its time limit is over', async () => {
    const started = Date.now();
    // The shell ignores TERM, and so does its sleep (ignored signals are inherited).
    const result = await sh('trap "" TERM; sleep 60', { timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: 128, timedOut: true });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(KILL_AFTER_MS);
    expect(took).toBeLessThan(KILL_AFTER_MS + 30_000);
  });

  it("ends a tool when the caller's signal aborts, before or while it runs", async () => {
    const controller = new AbortController();
    const running = sh('sleep 60', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await running).toMatchObject({ exitCode: 128, timedOut: false });
    expect(await sh('sleep 60', { signal: AbortSignal.abort() })).toMatchObject({ exitCode: 128 });
  });

  it('a tool that exits without reading its input is not an error of ours', async () => {
    const result = await exec.run('/bin/true', [], { input: 'x'.repeat(1024 * 1024) });
    expect(result.exitCode).toBe(0);
  });

  it('ends a tool whose output never stops, with an error instead of unbounded memory', async () => {
    const error = await exec.run('/usr/bin/yes', [], { timeoutMs: 120_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/^cannot run \/usr\/bin\/yes: its output was larger than \d+ bytes$/);
  });
});
