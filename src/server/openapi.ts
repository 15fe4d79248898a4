/**
 * OpenAPI v3 as kube-apiserver publishes it: /openapi/v3 lists one document per group/version, each
 * with the paths and operations of its resources (tagged with x-kubernetes-group-version-kind and
 * x-kubernetes-action) and the kinds' schemas under components.schemas.
 *
 * What kubectl reads from it:
 *  - `apply`/`create` check that the PATCH operation of the kind takes the `fieldValidation` parameter:
 *    then validation happens on the server (fieldValidation=Strict) with the simulation's rules.
 *  - `apply` computes a strategic merge patch from the document only when the PATCH operation accepts
 *    application/strategic-merge-patch+json; we do not list it there, so kubectl uses its built-in
 *    knowledge of the kinds (the same merge keys as upstream) — the server still accepts SMP.
 *  - `explain` walks the kind's schema (from the manifest engineer's schemas/, when given).
 * /openapi/v2 is only served as protobuf upstream; we answer 404 and kubectl falls back.
 */
import { groupVersions, resourcesIn, type ServedResource } from './catalog';
import { KUBERNETES_VERSION } from './discovery';

/** JSON Schemas of kinds (draft-07 with `definitions`), keyed by "apiVersion/Kind", e.g. "apps/v1/Deployment". */
export type KindSchemas = Record<string, Record<string, unknown>>;

type Json = Record<string, unknown>;

const COMMON_PARAMS = {
  dryRun: { name: 'dryRun', in: 'query', description: 'When present, indicates that modifications should not be persisted.', schema: { type: 'string', uniqueItems: true } },
  fieldManager: { name: 'fieldManager', in: 'query', description: 'fieldManager is a name associated with the actor or entity that is making these changes.', schema: { type: 'string', uniqueItems: true } },
  fieldValidation: {
    name: 'fieldValidation', in: 'query',
    description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
    schema: { type: 'string', uniqueItems: true },
  },
  force: { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests.', schema: { type: 'boolean', uniqueItems: true } },
  pretty: { name: 'pretty', in: 'query', description: "If 'true', then the output is pretty printed.", schema: { type: 'string', uniqueItems: true } },
} as const;

const PATH_PARAM = (name: string, description: string) => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });

/** Component name of a kind, as upstream names it: io.k8s.api.core.v1.Pod, io.k8s.api.apps.v1.Deployment. */
export function componentName(r: ServedResource): string {
  const group = r.def.group === '' ? 'core' : r.def.group.replace(/\.k8s\.io$/, '');
  return `io.k8s.api.${group}.${r.def.version}.${r.def.kind}`;
}

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function operation(r: ServedResource, action: string, verb: string, extra: Json = {}): Json {
  const gvk = { group: r.def.group, version: r.def.version, kind: r.def.kind };
  return {
    tags: [r.def.group ? `${r.def.group.split('.')[0]}_${r.def.version}` : `core_${r.def.version}`],
    description: `${verb} ${r.def.kind}`,
    operationId: `${verb}${r.def.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', content: jsonContent(ref(componentName(r))) }, '401': { description: 'Unauthorized' } },
    ...extra,
  };
}

function writeParams(): Json[] {
  return [COMMON_PARAMS.dryRun, COMMON_PARAMS.fieldManager, COMMON_PARAMS.fieldValidation];
}

function pathsFor(r: ServedResource, root: string): Record<string, Json> {
  const collection = r.def.namespaced ? `${root}/namespaces/{namespace}/${r.def.resource}` : `${root}/${r.def.resource}`;
  const item = `${collection}/{name}`;
  const nsParams = r.def.namespaced ? [PATH_PARAM('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const body = { content: jsonContent(ref(componentName(r))), required: true };
  const patchBody = {
    content: Object.fromEntries(
      ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'].map((t) => [t, { schema: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch') }]),
    ),
    required: true,
  };
  return {
    [collection]: {
      get: operation(r, 'list', 'list'),
      post: operation(r, 'post', 'create', { parameters: writeParams(), requestBody: body }),
      delete: operation(r, 'deletecollection', 'deletecollection'),
      parameters: [...nsParams, COMMON_PARAMS.pretty],
    },
    [item]: {
      get: operation(r, 'get', 'read'),
      put: operation(r, 'put', 'replace', { parameters: writeParams(), requestBody: body }),
      patch: operation(r, 'patch', 'patch', { parameters: [...writeParams(), COMMON_PARAMS.force], requestBody: patchBody }),
      delete: operation(r, 'delete', 'delete'),
      parameters: [PATH_PARAM('name', `name of the ${r.def.kind}`), ...nsParams, COMMON_PARAMS.pretty],
    },
  };
}

/**
 * Rewrites draft-07 JSON Schema into OpenAPI 3.0: `#/definitions/X` references become
 * `#/components/schemas/X` (wrapped in allOf when the field has a description of its own), and a list of types (`["string", "null"]`, as the editor's schemas allow
 * null) becomes one type with `nullable: true` — OpenAPI 3.0's `type` is a single string, and
 * kubectl explain's templates fail on anything else.
 */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$schema' || k === '$id' || k === 'definitions') continue;
      if (k === 'type' && Array.isArray(v)) {
        const types = v.filter((t) => t !== 'null');
        if (types.length === 1) out.type = types[0];
        if (types.length < v.length) out.nullable = true;
        continue;
      }
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/') ? `#/components/schemas/${componentOf(v.slice('#/definitions/'.length))}` : rewriteRefs(v);
    }
    // OpenAPI 3.0 ignores a $ref's siblings: a field's own description goes beside `allOf: [{ $ref }]`,
    // as the API server publishes it (and kubectl explain prints it in the field list).
    if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
      const { $ref, ...rest } = out;
      return { ...rest, allOf: [{ $ref }] };
    }
    return out;
  }
  return value;
}

/**
 * The component a definition of the editor's schemas is published as: "V1ServicePort" as
 * "v1.ServicePort", "CoreV1ResourceClaim" as "corev1.ResourceClaim". kubectl explain names a type by
 * what follows the last dot, so it prints `<[]ServicePort>` as it does against a real API server.
 */
function componentOf(definition: string): string {
  const m = /^((?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(definition);
  return m ? `${m[1].toLowerCase()}.${m[2]}` : definition;
}

function kindSchema(r: ServedResource, schemas: KindSchemas | undefined): { root: Json; definitions: Json } {
  const given = schemas?.[`${r.def.apiVersion}/${r.def.kind}`];
  const gvk = [{ group: r.def.group, version: r.def.version, kind: r.def.kind }];
  if (!given) {
    return {
      root: {
        description: `${r.def.kind} (${r.def.apiVersion})`,
        type: 'object',
        properties: {
          apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
          kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
          metadata: { type: 'object', description: "Standard object's metadata." },
        },
        'x-kubernetes-group-version-kind': gvk,
      },
      definitions: {},
    };
  }
  const root = rewriteRefs(given) as Json;
  delete root.title;
  root['x-kubernetes-group-version-kind'] = gvk;
  const definitions: Json = {};
  for (const [name, schema] of Object.entries((given.definitions as Json | undefined) ?? {})) definitions[componentOf(name)] = rewriteRefs(schema);
  return { root, definitions };
}

/** The OpenAPI v3 document of one group/version, or undefined if it is not served. */
export function openApiDocument(apiVersion: string, schemas?: KindSchemas): Json | undefined {
  const served = resourcesIn(apiVersion);
  if (!served) return undefined;
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const paths: Record<string, Json> = {};
  const components: Record<string, Json> = { 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' } };
  for (const r of served) {
    Object.assign(paths, pathsFor(r, root));
    const { root: schema, definitions } = kindSchema(r, schemas);
    Object.assign(components, definitions);
    components[componentName(r)] = schema;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: { schemas: components, securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } },
    security: [{ BearerToken: [] }],
  };
}

/** A short, stable content hash (FNV-1a, 64 bits as hex) for the discovery URLs' ?hash= parameter. */
export function contentHash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).toUpperCase();
}

/** The OpenAPI v3 discovery document: one entry per group/version with its URL and hash. */
export class OpenApiV3 {
  private readonly documents = new Map<string, string>();
  private readonly hashes = new Map<string, string>();

  constructor(private readonly schemas?: KindSchemas) {}

  /** The serialized document of a group/version (built once). */
  document(apiVersion: string): string | undefined {
    let text = this.documents.get(apiVersion);
    if (text === undefined) {
      const doc = openApiDocument(apiVersion, this.schemas);
      if (!doc) return undefined;
      text = JSON.stringify(doc);
      this.documents.set(apiVersion, text);
      this.hashes.set(apiVersion, contentHash(text));
    }
    return text;
  }

  root(): Json {
    const paths: Record<string, Json> = {};
    for (const gv of groupVersions()) {
      this.document(gv);
      const key = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.hashes.get(gv)}` };
    }
    return { paths };
  }
}
