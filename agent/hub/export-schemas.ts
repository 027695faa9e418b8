// Exports the hub payload schemas (core/hub/payloads.ts) as JSON Schema files for hub developers:
// packaging/schemas/hub-<name>.schema.json (status.schema.json there is `edge-agent status
// --json`, a different contract). Run after changing a payload schema:
//   node --import tsx agent/hub/export-schemas.ts
// test/unit/hub/schemas.test.ts fails while the committed files differ from this output.
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
// For zod's English messages, which this file passes on.
import '../core/zod.js';
import { HUB_SCHEMA_VERSION, exportedSchemas } from '../core/hub/payloads.js';

const titles: Record<keyof typeof exportedSchemas, string> = {
  status: 'edge-agent device status (<prefix>/<device>/status)',
  event: 'edge-agent event (<prefix>/<device>/events)',
  online: 'edge-agent online state (<prefix>/<device>/online)',
};

/** File name -> file content. */
export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(exportedSchemas) as [keyof typeof exportedSchemas, z.ZodMiniType][]) {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12' });
    const document = {
      ...json,
      $id: `https://edge-agent.invalid/schemas/v${HUB_SCHEMA_VERSION}/hub-${name}.schema.json`,
      title: titles[name],
    };
    files[`hub-${name}.schema.json`] = `${JSON.stringify(document, null, 2)}\n`;
  }
  return files;
}

export const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packaging', 'schemas');

async function writeSchemas(): Promise<void> {
  await mkdir(schemasDir, { recursive: true });
  for (const [name, text] of Object.entries(renderJsonSchemas())) await writeFile(join(schemasDir, name), text);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await writeSchemas();
