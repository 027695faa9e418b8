// `crictl images -o json` read into the tags and digests the offline-readiness comparison needs.
import { describe, expect, it } from 'vitest';
import { createCrio } from '../../agent/host/crio.js';
import { createHostFs } from '../../agent/host/fs.js';
import { FakeExec } from '../fakes/exec.js';

const crio = (exec: FakeExec) => createCrio({ exec, fs: createHostFs('/nonexistent') });

describe('crio.images', () => {
  it('keeps tags and digests, an untagged image and fields of the wrong type as empty lists', async () => {
    const stdout = JSON.stringify({
      images: [
        { id: 'a', repoTags: ['quay.io/x:v1'], repoDigests: ['quay.io/x@sha256:1'], size: '1', pinned: false },
        { id: 'b', repoTags: null, repoDigests: ['quay.io/y@sha256:2'] },
        { id: 'c', repoTags: 'oops' },
      ],
    });
    const exec = new FakeExec().on('crictl', { stdout });
    expect(await crio(exec).images()).toEqual([
      { repoTags: ['quay.io/x:v1'], repoDigests: ['quay.io/x@sha256:1'] },
      { repoTags: [], repoDigests: ['quay.io/y@sha256:2'] },
      { repoTags: [], repoDigests: [] },
    ]);
    expect(exec.ran[0]).toMatch(/^crictl -r unix:\/\/\/var\/run\/crio\/crio\.sock -t \d+ms images -o json$/);
  });

  it("reports CRI-O down as a retryable host error with crictl's own message", async () => {
    const stderr =
      'time="2026-12-04T20:00:00Z" level=fatal msg="validate service connection: validate CRI v1 image API for endpoint \\"unix:///var/run/crio/crio.sock\\": rpc error: code = Unavailable desc = connection error"\n';
    const exec = new FakeExec().on('crictl', { exitCode: 1, stderr });
    await expect(crio(exec).images()).rejects.toMatchObject({
      code: 'crio-unavailable',
      retryable: true,
      message: expect.stringMatching(/^crictl images: validate service connection: .*code = Unavailable/),
    });
  });

  it('refuses output that is not JSON, naming the command', async () => {
    const exec = new FakeExec().on('crictl', { stdout: 'IMAGE TAG' });
    await expect(crio(exec).images()).rejects.toThrow('crictl images: output is not JSON: IMAGE TAG');
  });
});
