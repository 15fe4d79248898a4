/** Hover data: the description and type of the field under the cursor, from the generated schemas. */
import type { ValidationResult } from './engine';
import { formatPath } from './field-path';
import { fieldSchema, typeLabel } from './schema-nav';
import type { OffsetRange } from './types';
import { nodeRange, pathAt } from './yaml-document';

export interface HoverInfo {
  /** The field path, e.g. spec.containers[0].ports[0].containerPort. */
  field: string;
  /** The type as kubectl explain shows it, e.g. integer, []Container, map[string]string, Quantity. */
  type: string;
  required: boolean;
  description: string;
  /** The values the field accepts, when they are a closed set. */
  values?: readonly string[];
  /** The hovered key or value, in file offsets. */
  offsets: OffsetRange;
  /** A ready-to-show Markdown rendering. */
  markdown: string;
}

/** Hover information at a file offset, using the documents of a validation of that same text. */
export function hoverAt(result: ValidationResult, offset: number): HoverInfo | undefined {
  const doc = result.documents.find((d) => offset >= d.offset && offset <= d.offset + d.length);
  if (!doc?.yaml || !doc.kind) return undefined;
  const { path, key } = pathAt(doc.yaml, offset - doc.offset);
  if (path.length === 0 || !key) return undefined;
  const field = fieldSchema(doc.kind, path);
  if (!field) return undefined;
  const range = nodeRange(key);
  if (!range) return undefined;
  const type = typeLabel(doc.kind, path);
  const description = field.schema.description ?? '';
  const name = formatPath(path);
  const lines = [`**${String(path[path.length - 1])}** \`<${type}>\`${field.required ? ' — required' : ''}`, '', `\`${doc.kind}.${name}\``];
  if (description) lines.push('', description);
  if (field.values) lines.push('', `Values: ${field.values.map((v) => `\`${v}\``).join(', ')}`);
  return {
    field: name,
    type,
    required: field.required,
    description,
    ...(field.values ? { values: field.values } : {}),
    offsets: { start: range.start + doc.offset, end: range.end + doc.offset },
    markdown: lines.join('\n'),
  };
}
