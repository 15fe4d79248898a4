/** Shared shapes of the manifest layer: positions, diagnostics, quick fixes, field errors and lab facts. */

export type Severity = 'error' | 'warning' | 'information';

/** A zero-based line and UTF-16 column, as in VS Code and LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Half-open [start, end) offsets into the text. */
export interface OffsetRange {
  start: number;
  end: number;
}

export interface TextEdit {
  offsets: OffsetRange;
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The one fix that is clearly right (VS Code's `isPreferred`). */
  isPreferred?: boolean;
}

/** One path segment: a map key or a list index. */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

export type RuleId =
  | 'yaml-syntax'
  | 'yaml-duplicate-key'
  | 'yaml-tab'
  | 'yaml-alias-limit'
  | 'yaml-too-deep'
  | 'document-too-large'
  | 'not-an-object'
  | 'unknown-kind'
  | 'api-version-kind'
  | 'unknown-field'
  | 'invalid-type'
  | 'required-field'
  | 'schema'
  | 'invalid-name'
  | 'invalid-label'
  | 'invalid-port'
  | 'invalid-quantity'
  | 'requests-exceed-limits'
  | 'duplicate-value'
  | 'selector-mismatch'
  | 'unsupported-value'
  | 'volume-not-found'
  | 'invalid-value'
  | 'unknown-image'
  | 'unschedulable-resources'
  | 'unmatched-node-selector';

/** A problem in a manifest, positioned in the file. */
export interface ManifestDiagnostic {
  rule: RuleId;
  severity: Severity;
  message: string;
  range: Range;
  offsets: OffsetRange;
  /** A page on kubernetes.io that explains the rule. */
  docsUrl: string;
  /** Index of the YAML document in the file (0-based). */
  document: number;
  /** The upstream field path, e.g. spec.containers[0].image, when the problem is about a field. */
  field?: string;
  fixes: QuickFix[];
}

/** Upstream's field.ErrorType, by the words its messages use. */
export type FieldErrorType =
  | 'Required value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Duplicate value'
  | 'Not found'
  | 'Forbidden'
  | 'Too long'
  | 'Too many';

/** Where on a field a problem should be shown: the key, the value, or the key of the object that lacks it. */
export type FieldTarget = 'key' | 'value';

/**
 * One validation error, as upstream's field.Error (type, field, badValue, detail), plus the rule it comes from and
 * the exact path of the node it is about (upstream reports label errors on `metadata.labels`, the editor shows
 * them on the label).
 */
export interface FieldError {
  type: FieldErrorType;
  /** Upstream's field path string, e.g. spec.containers[0].name. */
  field: string;
  badValue?: unknown;
  detail?: string;
  rule: RuleId;
  severity: Severity;
  /** The node to show the error on. */
  path: FieldPath;
  target: FieldTarget;
  /** Overrides the rendered message (lab warnings are not upstream errors). */
  message?: string;
  /** Values a quick fix may offer instead of the bad value (enum values, a lowercased name ...). */
  suggestions?: readonly string[];
}

/** The images the lab can pull (the kubelet engineer's registry implements this; the caller passes it in). */
export interface KnownImages {
  /** True when the image reference (name[:tag][@digest]) resolves in the lab's registry. */
  isKnown(image: string): boolean;
}

export interface LabNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Allocatable resources as quantities, e.g. { cpu: '2', memory: '4Gi', pods: '110' }. */
  allocatable: Readonly<Record<string, string | number>>;
}

/** Facts about the lab cluster for the lab-aware warnings. Each part is optional: no facts, no warnings. */
export interface LabFacts {
  images?: KnownImages;
  nodes?: readonly LabNode[];
}
