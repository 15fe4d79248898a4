/**
 * The manifest layer's public API: diagnostics for Kubernetes YAML (schema + the API server's rules + lab-aware
 * warnings), quick fixes, hover and completion data, and `validateObject` for the simulated API server.
 * Pure: no vscode, no Node-only APIs, no sim imports (lab facts are passed in).
 */
export type {
  FieldError,
  FieldErrorType,
  FieldPath,
  KnownImages,
  LabFacts,
  LabNode,
  ManifestDiagnostic,
  OffsetRange,
  Position,
  QuickFix,
  Range,
  RuleId,
  Severity,
  TextEdit,
} from './types';
export { checkObject, validateObject } from './validate-object';
export { parseStandard, loadZone, cronScheduleError, CronSyntaxError, type CronSchedule, type Zone } from './cron';
export { CRONJOB_NAME_MAX, TZ_AND_TIMEZONE, TZ_IN_SCHEDULE } from './rules/cronjob';
export { formatBadValue, renderFieldError } from './field-errors';
export { formatPath } from './field-path';
export { ManifestValidator, validateText, LineIndex, type ValidationResult, type ValidatedDocument } from './engine';
export { KINDS, kindInfo } from './kinds';
export { KUBERNETES_RELEASE } from './schema-nav';
export { hoverAt, type HoverInfo } from './hover';
export { completionsAt, type CompletionItem } from './completion';
export { docsUrl } from './docs';
export { looksLikeKubernetesManifest } from './detect';
export { NODE_PORT_RANGE, isExternallyAccessible } from './rules/service';
