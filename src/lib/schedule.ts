/**
 * Runs a job now and then every `ms` (a timer that does not keep the process alive); a failed run is
 * logged and the next one goes ahead. Returns the function that stops it. Every instance runs its own
 * schedule, so a job must be safe to run twice at once (idempotent deletes, claimed rows, unique keys).
 */
export function every(ms: number, job: () => Promise<unknown>, log: (err: unknown) => void = console.error): () => void {
  const run = () => {
    job().catch(log);
  };
  run();
  const timer = setInterval(run, ms);
  timer.unref();
  return () => clearInterval(timer);
}
