// `npm run demo`: runs the demo (test/harness/demo.ts) with tsx on the newest supported Node.js
// line (fetched by scripts/node-runtimes.mjs; the device sees it as its system Node). Needs root:
// the virtual edge device boots real systemd in new namespaces.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, supportedMajors } from './node-runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid?.() !== 0) {
  process.stderr.write('demo: the virtual edge device needs root: run `sudo npm run demo`\n');
  process.exit(1);
}
const bin = join(ensureRuntime(supportedMajors.at(-1)), 'bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
const result = spawnSync(join(bin, 'node'), ['--import', 'tsx', join(root, 'test/harness/demo.ts')], {
  cwd: root,
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
