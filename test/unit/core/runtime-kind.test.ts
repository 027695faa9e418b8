// Naming the Node.js edge-agent runs on, from the binary's path.
import { describe, expect, it } from 'vitest';
import { describeRuntime, runtimeInfo } from '../../../agent/core/runtime-kind.js';

describe('runtimeInfo', () => {
  it('names edge-agent-runtime by its install directory', () => {
    expect(runtimeInfo('/usr/libexec/edge-agent/runtime/node', 'v24.22.3')).toEqual({
      kind: 'edge-agent-runtime',
      path: '/usr/libexec/edge-agent/runtime/node',
      version: 'v24.22.3',
    });
  });

  it.each(['/usr/bin/node', '/usr/bin/node-22', '/opt/node/bin/node', '/usr/libexec/edge-agent/runtime-old/node'])(
    'names %s a system nodejs',
    (path) => {
      expect(runtimeInfo(path, 'v22.23.5').kind).toBe('system nodejs');
    },
  );

  it('describes it on one line with version, kind and path', () => {
    expect(describeRuntime(runtimeInfo('/usr/bin/node', 'v22.23.5'))).toBe(
      'Node.js v22.23.5 (system nodejs, /usr/bin/node)',
    );
  });
});
