// Generates JSON Schemas (draft-07) for the kinds the lab validates, from the official Kubernetes API models that
// @kubernetes/client-node ships (dist/gen/models/*.d.ts carry descriptions, types and required markers; the
// matching .js files carry each field's OpenAPI format, e.g. int32). Both are read as data with the TypeScript
// compiler API — nothing from the package is loaded. The client's generator drops the description of a field whose
// type is another model (PodSpec.affinity, ObjectMeta of every kind's metadata ...); those come from the same
// API's descriptions as kubernetes-types' declarations carry them (read the same way).
//
//   node scripts/generate-schemas.mjs          (npm run schemas)
//
// Output, in schemas/:
//   <kind>.json            one self-contained schema per kind (definitions included), strict like kubectl:
//                          additionalProperties false except where the API has maps
//   kubernetes-lab.json    every definition once, dispatching on `kind` (for yaml-language-server / Red Hat YAML,
//                          and for the editor's hover and completion)
import ts from 'typescript';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'node_modules/@kubernetes/client-node');
const modelsDir = join(pkgDir, 'dist/gen/models');
const typesDir = join(root, 'node_modules/kubernetes-types');
const outDir = join(root, 'schemas');

/** The kinds the lab validates: file name, model class, group/version. */
export const KINDS = [
  { file: 'pod.json', kind: 'Pod', model: 'V1Pod', apiVersion: 'v1' },
  { file: 'deployment.json', kind: 'Deployment', model: 'V1Deployment', apiVersion: 'apps/v1' },
  { file: 'replicaset.json', kind: 'ReplicaSet', model: 'V1ReplicaSet', apiVersion: 'apps/v1' },
  { file: 'service.json', kind: 'Service', model: 'V1Service', apiVersion: 'v1' },
  { file: 'namespace.json', kind: 'Namespace', model: 'V1Namespace', apiVersion: 'v1' },
  { file: 'configmap.json', kind: 'ConfigMap', model: 'V1ConfigMap', apiVersion: 'v1' },
  { file: 'secret.json', kind: 'Secret', model: 'V1Secret', apiVersion: 'v1' },
  { file: 'job.json', kind: 'Job', model: 'V1Job', apiVersion: 'batch/v1' },
  { file: 'cronjob.json', kind: 'CronJob', model: 'V1CronJob', apiVersion: 'batch/v1' },
  { file: 'daemonset.json', kind: 'DaemonSet', model: 'V1DaemonSet', apiVersion: 'apps/v1' },
];

/**
 * Fields whose upstream OpenAPI type is resource.Quantity (or a map of them, a ResourceList). The generated client
 * types them as plain strings; a quantity may be written as a string or a number, so they are overridden here.
 */
const QUANTITY_FIELDS = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1PodSpec: ['overhead'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1ResourceFieldSelector: ['divisor'],
  V1ContainerStatus: ['allocatedResources'],
  V1PersistentVolumeClaimStatus: ['allocatedResources', 'capacity'],
};

const QUANTITY = {
  type: ['string', 'number'],
  'x-kubernetes-quantity': true,
};

function readModel(name) {
  const dts = ts.createSourceFile(`${name}.d.ts`, readFileSync(join(modelsDir, `${name}.d.ts`), 'utf8'), ts.ScriptTarget.Latest, true);
  const js = ts.createSourceFile(`${name}.js`, readFileSync(join(modelsDir, `${name}.js`), 'utf8'), ts.ScriptTarget.Latest, true);
  const cls = dts.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === name);
  if (!cls) throw new Error(`generate-schemas: no class ${name} in ${name}.d.ts`);
  return { dts, cls, formats: readFormats(js) };
}

/** The `format` of each attribute, from the attributeTypeMap array literal in the model's .js file. */
function readFormats(js) {
  const formats = new Map();
  const visit = (node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const prop = (key) => {
        const p = node.properties.find((q) => ts.isPropertyAssignment(q) && q.name.getText(js).replace(/"/g, '') === key);
        return p && ts.isStringLiteral(p.initializer) ? p.initializer.text : undefined;
      };
      const baseName = prop('baseName');
      if (baseName !== undefined) formats.set(baseName, prop('format') ?? '');
    }
    ts.forEachChild(node, visit);
  };
  visit(js);
  return formats;
}

function jsDocText(node) {
  // Only the comment right above the declaration (a class also picks up the file's header comment).
  const doc = (node.jsDoc ?? []).at(-1);
  const text = typeof doc?.comment === 'string' ? doc.comment.trim() : '';
  return text.replace(/\\(['"])/g, '$1');
}

/**
 * Field descriptions from kubernetes-types: "<group>/<version>.d.ts" declares one interface per API type, with each
 * field's description as its JSDoc. By type name and version ("PodSpec v1"): the candidates' field docs (a name may
 * exist in several groups, e.g. Condition).
 */
let fieldDocsIndex;
function fieldDocs(model) {
  if (!fieldDocsIndex) {
    fieldDocsIndex = new Map();
    for (const group of readdirSync(typesDir, { withFileTypes: true })) {
      if (!group.isDirectory()) continue;
      for (const file of readdirSync(join(typesDir, group.name))) {
        const version = /^(v\d+(?:alpha\d+|beta\d+)?)\.d\.ts$/.exec(file)?.[1];
        if (!version) continue;
        const sf = ts.createSourceFile(file, readFileSync(join(typesDir, group.name, file), 'utf8'), ts.ScriptTarget.Latest, true);
        for (const st of sf.statements) {
          if (!ts.isInterfaceDeclaration(st)) continue;
          const docs = new Map();
          for (const m of st.members) if (ts.isPropertySignature(m) && m.name) docs.set(m.name.getText(sf).replace(/^['"]|['"]$/g, ''), jsDocText(m));
          const key = `${st.name.text} ${version}`;
          fieldDocsIndex.set(key, [...(fieldDocsIndex.get(key) ?? []), docs]);
        }
      }
    }
  }
  // "V1PodSpec" → PodSpec v1; "CoreV1ResourceClaim" → ResourceClaim v1; "V1beta1X" → X v1beta1.
  const m = /^(?:[A-Z][a-z]+)?V(\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(model);
  if (!m) return undefined;
  return fieldDocsIndex.get(`${m[2]} v${m[1]}`);
}

/** The description kubernetes-types gives `model`'s field `key`, choosing among same-named types the one with the most fields in common. */
function supplementaryDescription(model, fieldNames, key) {
  const candidates = fieldDocs(model);
  if (!candidates?.length) return '';
  const overlap = (docs) => fieldNames.filter((f) => docs.has(f)).length;
  const best = candidates.reduce((a, b) => (overlap(b) > overlap(a) ? b : a));
  return best.get(key) ?? '';
}

/** The Kubernetes API release the models were generated from ("OpenAPI spec version: release-1.36"). */
function apiRelease() {
  const head = readFileSync(join(modelsDir, 'V1Pod.d.ts'), 'utf8');
  const match = /OpenAPI spec version: release-(\d+\.\d+)/.exec(head);
  if (!match) throw new Error('generate-schemas: cannot find the OpenAPI spec version in V1Pod.d.ts');
  return match[1];
}

function nullable(schema) {
  if (schema.$ref || !schema.type) return schema;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('null') ? schema : { ...schema, type: [...types, 'null'] };
}

/** Converts a property's type node to a schema; queues referenced models. */
function typeSchema(typeNode, sf, format, queue) {
  const text = typeNode.getText(sf);
  switch (typeNode.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: format === 'int32' || format === 'int64' ? 'integer' : 'number' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return {};
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeSchema(typeNode.elementType, sf, format, queue) };
    case ts.SyntaxKind.TypeLiteral: {
      const index = typeNode.members.find((m) => ts.isIndexSignatureDeclaration(m));
      if (!index) throw new Error(`generate-schemas: unsupported type literal ${text}`);
      return { type: 'object', additionalProperties: typeSchema(index.type, sf, format, queue) };
    }
    case ts.SyntaxKind.TypeReference: {
      const name = typeNode.typeName.getText(sf);
      if (name === 'Array') return { type: 'array', items: typeSchema(typeNode.typeArguments[0], sf, format, queue) };
      if (name === 'IntOrString') return { type: ['integer', 'string'], 'x-kubernetes-int-or-string': true };
      if (name === 'Date') return { type: 'string', format: 'date-time' };
      if (name === 'V1MicroTime') return { type: 'string', format: 'date-time' };
      queue.add(name);
      return { $ref: `#/definitions/${name}` };
    }
    default:
      throw new Error(`generate-schemas: unsupported type ${text} (${ts.SyntaxKind[typeNode.kind]})`);
  }
}

function modelSchema(name, queue) {
  const { dts, cls, formats } = readModel(name);
  const properties = {};
  const required = [];
  const quantities = new Set(QUANTITY_FIELDS[name] ?? []);
  const fieldNames = cls.members.filter((m) => ts.isPropertyDeclaration(m) && m.name).map((m) => (ts.isStringLiteral(m.name) ? m.name.text : m.name.getText(dts)));
  for (const member of cls.members) {
    if (!ts.isPropertyDeclaration(member) || !member.type) continue;
    if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const key = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(dts);
    let schema = typeSchema(member.type, dts, formats.get(key) ?? '', queue);
    if (quantities.has(key)) {
      schema = schema.type === 'object' ? { ...schema, additionalProperties: QUANTITY } : { ...QUANTITY };
      quantities.delete(key);
    }
    const description = jsDocText(member) || supplementaryDescription(name, fieldNames, key);
    const optional = Boolean(member.questionToken);
    if (!optional) required.push(key);
    properties[key] = { ...(description ? { description } : {}), ...(optional ? nullable(schema) : schema) };
  }
  if (quantities.size > 0) throw new Error(`generate-schemas: ${name} has no field(s) ${[...quantities].join(', ')}`);
  const description = jsDocText(cls);
  return {
    ...(description ? { description } : {}),
    type: ['object', 'null'],
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/** Every definition reachable from `roots`, in a stable (sorted) order. */
function collect(roots) {
  const definitions = {};
  const queue = new Set(roots);
  const done = new Set();
  while (queue.size > 0) {
    const [name] = queue;
    queue.delete(name);
    if (done.has(name)) continue;
    done.add(name);
    const pending = new Set();
    definitions[name] = modelSchema(name, pending);
    for (const ref of pending) if (!done.has(ref)) queue.add(ref);
  }
  return Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
}

/** The top-level schema of one kind: the model, with apiVersion/kind constrained and required like kubectl. */
function kindRoot(entry, definitions) {
  const model = definitions[entry.model];
  return {
    ...model,
    type: 'object',
    properties: {
      ...model.properties,
      apiVersion: { ...model.properties.apiVersion, type: 'string', enum: [entry.apiVersion] },
      kind: { ...model.properties.kind, type: 'string', enum: [entry.kind] },
    },
    required: ['apiVersion', 'kind'],
  };
}

export function generate() {
  const release = apiRelease();
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const source = `@kubernetes/client-node ${version} (Kubernetes API release ${release})`;
  const files = {};
  const all = {};
  for (const entry of KINDS) {
    const definitions = collect([entry.model]);
    Object.assign(all, definitions);
    const { [entry.model]: _, ...rest } = definitions;
    files[entry.file] = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://k8s-lab.dev/schemas/${entry.file}`,
      title: `${entry.kind} (${entry.apiVersion})`,
      'x-kubernetes-group-version-kind': [{ group: entry.apiVersion.includes('/') ? entry.apiVersion.split('/')[0] : '', version: entry.apiVersion.split('/').pop(), kind: entry.kind }],
      'x-generated-from': source,
      ...kindRoot(entry, definitions),
      definitions: rest,
    };
  }
  const sortedAll = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  for (const entry of KINDS) sortedAll[`${entry.kind}.root`] = kindRoot(entry, all);
  files['kubernetes-lab.json'] = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://k8s-lab.dev/schemas/kubernetes-lab.json',
    title: 'Kubernetes Lab manifests',
    description: `Pod, Deployment, ReplicaSet, Service, Namespace, ConfigMap and Secret, generated from ${source}. Each document is checked against the schema of its kind.`,
    'x-generated-from': source,
    'x-kubernetes-release': release,
    'x-kinds': Object.fromEntries(KINDS.map((k) => [k.kind, { apiVersion: k.apiVersion, definition: `${k.kind}.root`, file: k.file }])),
    type: 'object',
    allOf: KINDS.map((k) => ({
      if: { properties: { kind: { const: k.kind } }, required: ['kind'] },
      then: { $ref: `#/definitions/${k.kind}.root` },
    })),
    definitions: sortedAll,
  };
  return { release, files };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { release, files } = generate();
  mkdirSync(outDir, { recursive: true });
  for (const [file, schema] of Object.entries(files)) writeFileSync(join(outDir, file), JSON.stringify(schema, null, 2) + '\n');
  console.log(`[schemas] ${Object.keys(files).length} schemas from Kubernetes API release ${release} → schemas/`);
}
