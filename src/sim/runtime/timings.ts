/**
 * How long the container runtime's operations take, as a table a lesson can change (a slow
 * registry, a slow CNI plugin ...). One engine (ContainerRuntime) interprets it; every duration is
 * drawn from the cluster's seeded RNG, so runs stay reproducible.
 */
import type { Rng } from '../clock';

/** A duration in virtual milliseconds, drawn uniformly from [min, max]. */
export interface Range {
  min: number;
  max: number;
}

export interface RuntimeTimings {
  /** Create the pause container and set up the pod network (CNI ADD). */
  runPodSandbox: Range;
  stopPodSandbox: Range;
  removePodSandbox: Range;
  /** Ask the registry for the image manifest (every pull does this, even when the layers are cached). */
  resolveManifest: Range;
  /** Download bandwidth for image layers, bytes per millisecond (40_000 = 40 MB/s). */
  pullBytesPerMs: number;
  /** Unpacking (decompressing) layers into the snapshotter, bytes per millisecond. */
  unpackBytesPerMs: number;
  createContainer: Range;
  startContainer: Range;
  /** Time for the runtime to deliver a signal (StopContainer) before the process reacts. */
  signalContainer: Range;
  removeContainer: Range;
  /** CRI Exec: the runtime prepares the exec and answers with its streaming URL. */
  exec: Range;
  /** Shortest life of a process that exits at once (fork + exec + exit). */
  processMinMs: number;
}

export const DEFAULT_RUNTIME_TIMINGS: Readonly<RuntimeTimings> = Object.freeze({
  runPodSandbox: { min: 350, max: 800 },
  stopPodSandbox: { min: 40, max: 120 },
  removePodSandbox: { min: 20, max: 60 },
  resolveManifest: { min: 150, max: 400 },
  pullBytesPerMs: 40_000,
  unpackBytesPerMs: 150_000,
  createContainer: { min: 30, max: 90 },
  startContainer: { min: 60, max: 160 },
  signalContainer: { min: 2, max: 8 },
  removeContainer: { min: 10, max: 30 },
  exec: { min: 5, max: 20 },
  processMinMs: 3,
});

export function sample(rng: Rng, range: Range): number {
  return range.max <= range.min ? range.min : rng.between(range.min, range.max);
}
