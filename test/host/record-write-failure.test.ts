import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateWriteError } from '../../agent/errors.js';
import { createHostFs, type HostFs } from '../../agent/host/fs.js';
import {
  noteRecordWriteFailure,
  readRecordWriteFailure,
  RECORD_WRITE_FAILURE_PATH,
} from '../../agent/host/record-write-failure.js';

let root: string;
let fs: HostFs;
const AT = Date.parse('2026-12-04T20:00:00Z');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'record-write-failure-'));
  fs = createHostFs(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const enospc = (path: string) =>
  Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), {
    code: 'ENOSPC',
    path,
  });

describe('the note of a failed record write', () => {
  it('names the file meant, not the temp file beside it, and the errno', async () => {
    const error = new StateWriteError(
      'state-write-enospc',
      'cannot write /var/lib/edge-agent/boots/abc.json: no space left on device',
      { cause: enospc('/var/lib/edge-agent/boots/.abc.json.1234.tmp') },
    );
    await noteRecordWriteFailure(fs, 'record this run', error, AT, () => undefined);
    expect(await readRecordWriteFailure(fs)).toEqual({
      what: 'record this run',
      file: '/var/lib/edge-agent/boots/abc.json',
      errno: 'ENOSPC',
      at: '2026-12-04T20:00:00.000Z',
    });
  });

  it('takes the errno and path of a plain Node error, and says EIO when there is none', async () => {
    await noteRecordWriteFailure(fs, 'open', enospc('/var/x.lock'), AT, () => undefined);
    expect(await readRecordWriteFailure(fs)).toMatchObject({ file: '/var/x.lock', errno: 'ENOSPC' });
    await noteRecordWriteFailure(fs, 'open', new Error('odd'), AT, () => undefined);
    const note = await readRecordWriteFailure(fs);
    expect(note).toMatchObject({ errno: 'EIO' });
    expect(note?.file).toBeUndefined();
  });

  it('ignores a note that is missing, not JSON or not shaped like one', async () => {
    expect(await readRecordWriteFailure(fs)).toBeUndefined();
    await mkdir(join(root, 'run/edge-agent-notes'), { recursive: true });
    await writeFile(join(root, RECORD_WRITE_FAILURE_PATH), '{not json');
    expect(await readRecordWriteFailure(fs)).toBeUndefined();
    await writeFile(join(root, RECORD_WRITE_FAILURE_PATH), JSON.stringify({ what: 'x', errno: 5 }));
    expect(await readRecordWriteFailure(fs)).toBeUndefined();
  });

  it('warns, and does not throw, when the note cannot be written either', async () => {
    await writeFile(join(root, 'run'), 'a file where the directory should be');
    const warnings: string[] = [];
    await noteRecordWriteFailure(fs, 'open', enospc('/var/x'), AT, (m) => warnings.push(m));
    expect(warnings).toEqual([
      expect.stringContaining(`could not leave a note of the failed write in ${RECORD_WRITE_FAILURE_PATH}`),
    ]);
  });
});
