// `npm test`: lint, type-check, build, then every vitest tier (unit, host, integration) under each
// supported Node.js line (22 and 24, fetched by scripts/node-runtimes.mjs whatever Node runs this
// script), and a closing line `N passed, N failed` counting each stage and each test of each run.
// EDGE_AGENT_TEST_NODE=22 (or 24) runs the suites under one line only, for a quicker local loop.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, supportedMajors } from './node-runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid?.() !== 0 || !existsSync('/usr/bin/unshare')) {
  // One clear message instead of every device test failing on its own.
  process.stderr.write(
    'npm test: the virtual edge device tests boot real systemd in new namespaces and need root and unshare (util-linux): run `sudo npm test` on Linux\n',
  );
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}
const filters = process.argv.slice(2);
let passed = 0;
/** What did not pass, a line each, printed again at the end. */
const notPassed = [];
const firstLine = (text) =>
  String(text ?? '')
    .split('\n')[0]
    .slice(0, 300);
let failed = 0;

function stage(name, command, args) {
  process.stdout.write(`\n== ${name}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) passed += 1;
  else {
    failed += 1;
    notPassed.push(`stage ${name}: exit ${result.status ?? result.signal}`);
    process.stdout.write(`== ${name} FAILED (exit ${result.status ?? result.signal})\n`);
  }
}

if (filters.length === 0) {
  stage('lint', 'npx', ['eslint', '.']);
  stage('format', 'npx', ['prettier', '--check', '.']);
  stage('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
}
stage('build', 'node', ['packaging/build.mjs']);

const only = process.env.EDGE_AGENT_TEST_NODE;
const majors = only ? [Number(only)] : supportedMajors;
for (const major of majors) {
  let runtime;
  try {
    runtime = ensureRuntime(major);
  } catch (error) {
    failed += 1;
    process.stdout.write(`\n== tests (Node ${major}): cannot get the runtime: ${error.message}\n`);
    continue;
  }
  runVitest(major, join(runtime, 'bin'));
}

/** One vitest run with `node` on PATH (and so in every child and virtual device) being `major`. */
function runVitest(major, binDir) {
  const report = join(root, 'build', `vitest-report-node${major}.json`);
  mkdirSync(dirname(report), { recursive: true });
  rmSync(report, { force: true });
  const node = join(binDir, 'node');
  const vitestEntry = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [vitestEntry, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...filters];
  process.stdout.write(`\n== tests (Node ${major}, ${node}): vitest run\n`);
  const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };
  const vitest = spawnSync(node, args, { cwd: root, stdio: 'inherit', env });
  try {
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests;
    // Skipped or pending tests count as failures: in CI a missing tool must be installed, not skipped.
    failed += results.numFailedTests + results.numPendingTests + results.numTodoTests;
    // A test file that failed to load has no tests to count: count the file.
    failed += results.testResults.filter(
      (file) => file.status === 'failed' && file.assertionResults.length === 0,
    ).length;
    if (results.numTotalTests === 0) failed += 1;
    process.stdout.write(
      `== tests (Node ${major}): ${results.numPassedTests} passed, ${results.numTotalTests - results.numPassedTests} not passed\n`,
    );
    for (const file of results.testResults) {
      const where = relative(root, file.name);
      if (file.status === 'failed' && file.assertionResults.length === 0)
        notPassed.push(`Node ${major}: ${where}: ${firstLine(file.message)}`);
      for (const test of file.assertionResults) {
        if (test.status !== 'passed')
          notPassed.push(
            `Node ${major}: ${where} > ${test.fullName}: ${test.status} ${firstLine(test.failureMessages?.[0])}`,
          );
      }
    }
  } catch {
    failed += 1;
    process.stdout.write(`vitest under Node ${major} produced no report (exit ${vitest.status ?? vitest.signal})\n`);
  }
}
// The tail of a CI log is what gets read: name what did not pass right above the closing line.
if (notPassed.length > 0) process.stdout.write(`\nnot passed:\n${notPassed.map((line) => `  ${line}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
