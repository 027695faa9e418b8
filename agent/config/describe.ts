// Render the config schema as the fully commented default /etc/edge-agent/config.yaml the RPM
// ships. Conventions of the output (a test holds them):
//   `# text`     a description or an example: stays a comment;
//   `#key: val`  a default: removing the `#` (and nothing else) gives valid YAML, and removing
//                it from every such line gives exactly the default config.
// Keys without a default (hub, waitTimeoutSec) are shown as `# ` examples, so uncommenting the
// defaults never switches them on by accident.
import { stringify } from 'yaml';
import { safeParse } from 'zod/mini';
import { ConfigSchema, defaultConfig } from './schema.js';
import {
  inspectField,
  isRecord,
  listElement,
  literalValues,
  objectFields,
  unionOptions,
  type AnySchema,
} from './schema-walk.js';

// Examples for keys without a default and for lists that are empty by default, by dotted path.
const examples: Record<string, unknown> = {
  'microshift.waitTimeoutSec': 900,
  'hub.url': 'mqtts://hub.example.com:8883',
  'hub.ca': '/etc/edge-agent/hub/ca.crt',
  'hub.cert': '/etc/edge-agent/hub/device.crt',
  'hub.key': '/etc/edge-agent/hub/device.key',
  'hub.deviceId': 'store-0042',
  'hubService.url': 'https://hub.example.com:8787',
  'hubService.tokenFile': '/etc/edge-agent/hub/api-token',
  'hubService.ca': '/etc/edge-agent/hub/ca.crt',
  checks: [
    { id: 'my-app', kind: 'unit', unit: 'my-app.service' },
    { id: 'my-app-http', kind: 'http', url: 'http://127.0.0.1:8080/healthz', class: 'wanted' },
  ],
  disabledChecks: ['my-app-http'],
  'preRollback.hooks': [{ name: 'stop-my-app', command: ['systemctl', 'stop', 'my-app.service'] }],
};

const header = [
  '# edge-agent configuration.',
  '#',
  '# Every key is shown with its default value, commented out: remove the leading "#" of a key to',
  '# change it. Files in /etc/edge-agent/config.d/*.yaml are merged over this file in name order',
  '# (mappings merge key by key, lists replace). An empty value means the default.',
  '# Check your changes with: edge-agent config validate',
];

/** The shipped /etc/edge-agent/config.yaml: every key, its description and its default. */
export function describeConfig(): string {
  const lines = [...header];
  const defaults = defaultConfig() as Record<string, unknown>;
  for (const [key, schema] of objectFields(ConfigSchema) ?? []) {
    lines.push('');
    renderKey(lines, key, key, schema, defaults[key], '');
  }
  return `${lines.join('\n')}\n`;
}

interface Writer {
  describe(text: string): void;
  entry(text: string): void;
  item(text: string): void;
}

// Defaults put `#` right before the YAML text; examples put `# ` at column 0 before it.
function writer(lines: string[], indent: string, example: boolean): Writer {
  if (example)
    return {
      describe: (t) => lines.push(`# ${indent}# ${t}`),
      entry: (t) => lines.push(`# ${indent}${t}`),
      item: (t) => lines.push(`# ${indent}  - ${t}`),
    };
  return {
    describe: (t) => lines.push(`${indent}# ${t}`),
    entry: (t) => lines.push(`${indent}#${t}`),
    item: (t) => lines.push(`${indent}  #- ${t}`),
  };
}

function renderKey(
  lines: string[],
  key: string,
  path: string,
  schema: AnySchema,
  value: unknown,
  indent: string,
  example = false,
): void {
  const out = writer(lines, indent, example);
  const field = inspectField(schema);
  const children = objectFields(field.inner);
  out.describe(field.description);
  describeItems(out, field.inner);
  if (!example && Array.isArray(value) && value.length === 0 && examples[path]) {
    out.describe('Example:');
    out.describe(`  ${key}:`);
    for (const item of examples[path] as unknown[]) out.describe(`    - ${inline(item)}`);
  }
  if (value === undefined && !example) {
    // No default: an example that uncommenting the defaults leaves alone.
    out.describe('Example:');
    if (!children) return void out.describe(`${key}: ${inline(examples[path])}`);
    writer(lines, indent, true).entry(`${key}:`);
    for (const [childKey, childSchema] of children)
      renderKey(lines, childKey, `${path}.${childKey}`, childSchema, undefined, `${indent}  `, true);
    return;
  }
  const shown = value ?? examples[path] ?? defaultOf(schema);
  if (children) {
    out.entry(`${key}:`);
    for (const [childKey, childSchema] of children)
      renderKey(
        lines,
        childKey,
        `${path}.${childKey}`,
        childSchema,
        isRecord(shown) ? shown[childKey] : undefined,
        `${indent}  `,
        example,
      );
  } else if (Array.isArray(shown) && shown.some(isRecord)) {
    out.entry(`${key}:`);
    for (const item of shown) out.item(inline(item));
  } else out.entry(shown === undefined ? `${key}:` : `${key}: ${inline(shown)}`);
}

// For lists of mappings, the keys of each item, described (check kinds: per kind).
function describeItems({ describe }: Writer, inner: AnySchema): void {
  const element = listElement(inner);
  if (!element) return;
  const variants = unionOptions(element);
  if (!variants) {
    const fields = objectFields(element);
    if (fields) {
      describe('Each item has:');
      for (const [key, schema] of fields) describe(`  ${key}: ${inspectField(schema).description}`);
    }
    return;
  }
  const keysOf = (variant: AnySchema) => objectFields(variant) ?? [];
  const shared = keysOf(variants[0]!).filter(
    ([key]) => key !== 'kind' && variants.every((v) => keysOf(v).some(([k]) => k === key)),
  );
  describe('Every item has a kind and:');
  for (const [key, schema] of shared) describe(`  ${key}: ${inspectField(schema).description}`);
  for (const variant of variants) {
    const kindField = keysOf(variant).find(([key]) => key === 'kind')?.[1];
    const kind = kindField ? inspectField(kindField) : undefined;
    const values = kind && literalValues(kind.inner);
    const name = values ? String(values[0]) : '?';
    describe(`kind ${name}: ${kind?.description ?? ''}`);
    const rest = keysOf(variant).filter(([key]) => key !== 'kind');
    for (const [key, schema] of rest.filter(([k]) => !shared.some(([s]) => s === k)))
      describe(`  ${key}: ${inspectField(schema).description}`);
  }
}

function defaultOf(schema: AnySchema): unknown {
  const result = safeParse(schema, undefined);
  return result.success ? result.data : undefined;
}

// One-line YAML for a value: flow style for lists and mappings.
function inline(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}
