// `npm run demo`: runs the demo (test/harness/demo.ts) with tsx. Needs root: the virtual edge
// device boots real systemd in new namespaces.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid?.() !== 0) {
  process.stderr.write('demo: the virtual edge device needs root: run `sudo npm run demo`\n');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/harness/demo.ts')], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
