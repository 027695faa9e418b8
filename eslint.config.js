// Lint rules for the whole tree. The one house rule that matters most: agent/core/ decides,
// it never does I/O, so it may not import Node built-ins or any client library.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbiddenInCore = {
  patterns: [
    { group: ['node:*'], message: 'agent/core/ is pure: take a port from agent/host/ instead.' },
    {
      group: ['fs', 'fs/*', 'child_process', 'net', 'os', 'path', 'http', 'https', 'tls', 'crypto'],
      message: 'agent/core/ is pure: no Node built-ins.',
    },
    {
      group: ['execa', 'dbus-next', '@kubernetes/client-node', 'mqtt', 'mqtt/*', 'pino', 'node-cron'],
      message: 'agent/core/ is pure: client libraries live in agent/host/ or agent/hub/.',
    },
    { group: ['**/host/*', '**/hub/*', '**/commands/*'], message: 'agent/core/ may import only core/ and types.' },
  ],
};

// The floor plan (README "Layout"): imports point down, never up. cli.ts -> main.ts -> commands/ ->
// core/, host/, hub/, config/; host/ holds adapters only, so it never reaches into a command or
// the hub; config/ reads files through a port of its own and needs no adapter.
const upward = (from, groups) => ({
  patterns: [
    ...groups.map((group) => ({
      group: [group],
      message: `${from} may not import ${group}: see the layout in README.md.`,
    })),
    devOnly,
  ],
});

// Test tools, not part of the product (devDependencies): the bundle would carry them and their
// cost again (host/exec.ts and host/microshift-api.ts say why they were replaced).
const devOnly = {
  group: ['execa', '@kubernetes/client-node'],
  message: 'a test tool (devDependencies): the product uses host/exec.ts and host/microshift-api.ts.',
};

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The bundle's CommonJS stand-ins for modules dependencies load (packaging/stubs/): CommonJS
  // because what they replace is, so they take what they hand on (a built-in) with require().
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        Buffer: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['agent/**/*.ts'],
    ignores: ['agent/cli.ts', 'agent/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only agent/cli.ts and agent/main.ts call process.exit.' },
        {
          property: 'localeCompare',
          message: 'compareCodeUnits (core/compare.ts): localeCompare maps ICU collation data, ~5 MB RSS.',
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'performance',
          message: 'monotonicMs (host/clock.ts): the performance global loads perf_hooks, ~0.5 MB RSS.',
        },
        { name: 'navigator', message: 'The bundle defines navigator as undefined (packaging/build-options.mjs).' },
      ],
    },
  },
  {
    files: ['agent/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward('agent/host/', ['**/commands/**', '**/hub/**', '**/main.js', '**/cli.js']),
      ],
    },
  },
  {
    files: ['agent/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        upward('agent/config/', ['**/host/**', '**/commands/**', '**/hub/**', '**/main.js', '**/cli.js']),
      ],
    },
  },
  {
    files: ['agent/hub/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', upward('agent/hub/', ['**/commands/**', '**/main.js', '**/cli.js'])] },
  },
  {
    files: ['agent/commands/**/*.ts', 'agent/main.ts'],
    rules: { 'no-restricted-imports': ['error', upward('a command', ['**/cli.js'])] },
  },
  {
    files: ['agent/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', forbiddenInCore],
      'no-console': 'error',
      'no-restricted-globals': ['error', { name: 'process', message: 'agent/core/ is pure: pass values in.' }],
      // Formatting a given time is fine; reading the current time is not (use the clock port).
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'agent/core/ takes time from the clock port.',
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'agent/core/ takes time from the clock port.',
        },
        {
          selector: "MemberExpression[object.name='performance']",
          message: 'agent/core/ takes time from the clock port.',
        },
      ],
    },
  },
);
