/**
 * Navigation in the generated schemas (schemas/kubernetes-lab.json): the schema of the field at a path, its
 * description, type and known values. Used for messages (did-you-mean), quick fixes, hover and completion.
 */
import schemaJson from '../../schemas/kubernetes-lab.json';
import { ENUMS } from './rules/util';
import type { FieldPath } from './types';

export interface JsonSchema {
  $ref?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  'x-kubernetes-quantity'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface RootSchema {
  definitions: Record<string, JsonSchema>;
  'x-kinds': Record<string, { apiVersion: string; definition: string }>;
  'x-kubernetes-release': string;
}

const root = schemaJson as unknown as RootSchema;

/** The Kubernetes API release the schemas were generated from, e.g. "1.36". */
export const KUBERNETES_RELEASE: string = root['x-kubernetes-release'];

/** Values the API accepts for string fields whose enums live only in descriptions, by definition and property. */
const KNOWN_VALUES: Record<string, readonly string[]> = {
  'V1Container.imagePullPolicy': ENUMS.imagePullPolicy,
  'V1Container.terminationMessagePolicy': ENUMS.terminationMessagePolicy,
  'V1PodSpec.restartPolicy': ENUMS.restartPolicy,
  'V1PodSpec.dnsPolicy': ENUMS.dnsPolicy,
  'V1ContainerPort.protocol': ENUMS.protocol,
  'V1ServicePort.protocol': ENUMS.protocol,
  'V1ServiceSpec.type': ENUMS.serviceType,
  'V1ServiceSpec.sessionAffinity': ENUMS.sessionAffinity,
  'V1ServiceSpec.externalTrafficPolicy': ENUMS.trafficPolicy,
  'V1ServiceSpec.internalTrafficPolicy': ENUMS.trafficPolicy,
  'V1DeploymentStrategy.type': ENUMS.deploymentStrategy,
  'V1Toleration.operator': ENUMS.tolerationOperator,
  'V1Toleration.effect': ENUMS.taintEffect,
  'V1LabelSelectorRequirement.operator': ENUMS.selectorOperator,
};

export interface FieldSchema {
  schema: JsonSchema;
  /** The definition that declares the field and the field's name in it (undefined at the root or in maps/lists). */
  owner?: string;
  property?: string;
  required: boolean;
  /** Values the field accepts, when they are a closed set. */
  values?: readonly string[];
}

function deref(schema: JsonSchema): { schema: JsonSchema; name?: string } {
  if (!schema.$ref) return { schema };
  const name = schema.$ref.replace('#/definitions/', '');
  return { schema: root.definitions[name] ?? {}, name };
}

export function kindRootName(kind: string): string | undefined {
  return root['x-kinds'][kind]?.definition;
}

/** The schema of the field at `path` in a document of `kind`, or undefined when the schema has no such field. */
export function fieldSchema(kind: string, path: FieldPath): FieldSchema | undefined {
  const rootName = kindRootName(kind);
  if (!rootName) return undefined;
  let current: { schema: JsonSchema; name?: string } = { schema: root.definitions[rootName], name: rootName };
  let result: FieldSchema = { schema: current.schema, required: true };
  for (const segment of path) {
    const s = current.schema;
    if (typeof segment === 'number') {
      if (!s.items) return undefined;
      result = { schema: s.items, required: false };
    } else if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, segment)) {
      const owner = current.name;
      const property = segment;
      const values = owner ? KNOWN_VALUES[`${owner}.${property}`] : undefined;
      result = { schema: s.properties[segment], owner, property, required: s.required?.includes(segment) ?? false, ...(values ? { values } : {}) };
    } else if (typeof s.additionalProperties === 'object') {
      result = { schema: s.additionalProperties, required: false };
    } else {
      return undefined;
    }
    current = deref(result.schema);
  }
  // A property's own description is more specific than its type's.
  return { ...result, schema: { ...current.schema, description: result.schema.description ?? current.schema.description } };
}

/** The property names an object at `path` may have (empty when it is not an object with fixed fields). */
export function propertyNames(kind: string, path: FieldPath): string[] {
  const field = fieldSchema(kind, path);
  return field?.schema.properties ? Object.keys(field.schema.properties) : [];
}

/** A field's type in words, as kubectl explain prints it: <string>, <integer>, <[]Container>, <map[string]string>. */
export function typeLabel(kind: string, path: FieldPath): string {
  const rootName = kindRootName(kind);
  if (!rootName) return '';
  const parentPath = path.slice(0, -1);
  const parent = fieldSchema(kind, parentPath);
  const last = path[path.length - 1];
  let raw: JsonSchema | undefined;
  if (parent && typeof last === 'string') raw = parent.schema.properties?.[last] ?? (typeof parent.schema.additionalProperties === 'object' ? parent.schema.additionalProperties : undefined);
  else if (parent && typeof last === 'number') raw = parent.schema.items;
  return raw ? describeType(raw) : '';
}

function describeType(s: JsonSchema): string {
  if (s.$ref) return s.$ref.replace('#/definitions/', '').replace(/^V\d+(?:(?:alpha|beta)\d+)?/, '');
  if (s['x-kubernetes-quantity']) return 'Quantity';
  if (s['x-kubernetes-int-or-string']) return 'IntOrString';
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t && t !== 'null');
  if (types[0] === 'array' && s.items) return `[]${describeType(s.items)}`;
  if (types[0] === 'object' && typeof s.additionalProperties === 'object') return `map[string]${describeType(s.additionalProperties)}`;
  return types.join(' | ') || 'Object';
}

/** The non-null JSON types a schema allows. */
export function schemaTypes(s: JsonSchema): string[] {
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return types.filter((t) => t !== 'null');
}
