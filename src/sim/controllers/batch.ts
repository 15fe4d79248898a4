/**
 * controller.slowStartBatch: run `count` calls in batches of 1, 2, 4, 8 ... (each batch concurrent);
 * stop at the first batch with a failure, so a controller that cannot create pods (quota, a broken
 * template, no etcd quorum) fails fast instead of firing hundreds of doomed requests.
 */
export function slowStartBatch(
  count: number,
  initialBatchSize: number,
  call: (index: number, done: (ok: boolean) => void) => void,
  done: (successes: number) => void,
): void {
  let started = 0;
  let successes = 0;
  let batch = Math.min(count, initialBatchSize);
  const next = (): void => {
    if (batch <= 0) return done(successes);
    let pending = batch;
    let failed = false;
    const size = batch;
    for (let i = 0; i < size; i++) {
      call(started++, (ok) => {
        if (ok) successes++;
        else failed = true;
        if (--pending > 0) return;
        if (failed) return done(successes);
        batch = Math.min(2 * size, count - started);
        next();
      });
    }
  };
  next();
}
