/**
 * How often workers heartbeat, by cluster size (Dask distributed's rule): 0.5 s up to 10
 * workers, 1 s up to 50, 2 s up to 200, then n/200 + 1 s, so the master sees at most about 200
 * heartbeats a second in all. Crashes are noticed sooner anyway: a dead worker's task stream
 * breaks at once; heartbeats catch the frozen and the silently partitioned.
 */
export function heartbeatIntervalSeconds(workers: number): number {
  if (workers <= 10) return 0.5;
  if (workers <= 50) return 1;
  if (workers <= 200) return 2;
  return workers / 200 + 1;
}

/** Silence after which a worker is lost: the configured floor, and never under three intervals. */
export function heartbeatTimeoutSeconds(workers: number, floorSeconds: number): number {
  return Math.max(floorSeconds, 3 * heartbeatIntervalSeconds(workers));
}
