import { closeSync, openSync, rmSync, writeSync } from 'node:fs';

/**
 * A job's per-round history, one JSON line a round, written as the job goes (history.jsonl): a
 * long run keeps a bounded sample in memory and result.json, the whole record on disk. Lines are
 * buffered and written 64 kB at a time.
 */
export interface HistoryLog {
  append(record: object): void;
  /** Lines appended so far. */
  readonly lines: number;
}

/** Discards everything: a job run without an output folder (tests, an experiment's runs). */
export const NO_HISTORY: HistoryLog = { append() {}, lines: 0 };

const FLUSH_BYTES = 64 << 10;

export class JsonlFile implements HistoryLog {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  append(record: object): void {
    const line = JSON.stringify(record);
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.lines++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeSync(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes what is buffered and closes the file (it stays at `path`). */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the file: a job that failed leaves no half history. */
  discard(): void {
    this.pending = [];
    this.close();
    rmSync(this.path, { force: true });
  }
}
