/** The request-flow view model: a pure projection of event log entries (no DOM, no vscode). */
export * from './model';
export { TraceProjection, DEFAULT_FILTER, tailChange, type ProjectionOptions } from './projection';
export { traceToJson, traceToMermaid, exportTrace, mermaidText, type TraceExport } from './export';
export { parseLifeline, buildTopology, guessHost, DEFAULT_ZONES, type HostInfo } from './lifelines';
export { objectKeyOf, keyOfRef, keyOfRegistryKey, displayKey } from './entry-facts';
export { diffLines, withContext } from './line-diff';
export { scheduleTableOf } from './schedule-table';
export { recentTraces, entriesOf, belongsTo, LIVE_SOURCE, OBJECT_SOURCE_PREFIX } from './catalog';
