// Server-side printing: the `meta.k8s.io/v1` Table a client gets when it asks for one.
//
// What it simulates: content negotiation on Accept (kubectl and oc `get` send
// `application/json;as=Table;v=v1;g=meta.k8s.io, …, application/json`; the first acceptable
// entry wins, v1beta1 is answered as v1beta1), `includeObject=None|Metadata|Object` for each row
// (default Metadata: a PartialObjectMetadata, from which `kubectl get -A` takes the NAMESPACE),
// and one-row Tables in watch events, with the column definitions only in the first event as
// the apiserver sends them. What it leaves out: protobuf, `as=PartialObjectMetadata(List)`
// answers (a client asking only for those gets plain JSON here, which clients accept).
import { columnsOf } from './table-columns.js';
import { cellsOf } from './table-rows.js';
import type { KubeObject, Resource } from './world.js';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The Table version the Accept header prefers, or `undefined` when plain JSON is wanted. */
export function tableRequested(accept: string | undefined): TableVersion | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const [type, ...params] = entry.split(';').map((part) => part.trim());
    const p = Object.fromEntries(params.map((param) => param.split('=').map((s) => s.trim()) as [string, string]));
    if (type === 'application/json' && p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1'))
      return p.v;
    // Any other JSON entry (plain, or a kind this server does not print) ends the search.
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return undefined;
  }
  return undefined;
}

export function includeObjectOf(param: string | null): IncludeObject {
  return param === 'None' || param === 'Object' ? param : 'Metadata';
}

interface TableOptions {
  version: TableVersion;
  includeObject: IncludeObject;
  resourceVersion: string;
  now: number;
  /** Column definitions are left out of every watch event but the first. */
  withColumns?: boolean;
}

export function renderTable(resource: Resource, objects: KubeObject[], options: TableOptions): Record<string, unknown> {
  const apiVersion = `meta.k8s.io/${options.version}`;
  const rows = objects.map((object) => {
    const row: Record<string, unknown> = { cells: cellsOf(resource, object, options.now) };
    if (options.includeObject === 'Object') row.object = object;
    if (options.includeObject === 'Metadata')
      row.object = { kind: 'PartialObjectMetadata', apiVersion, metadata: object.metadata };
    return row;
  });
  return {
    kind: 'Table',
    apiVersion,
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: options.withColumns === false ? null : columnsOf[resource],
    rows,
  };
}
