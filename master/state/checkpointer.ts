import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodType, ZodTypeDef } from 'zod';
import type { Logger } from '../../shared/log';
import { readCheckpoint, writeCheckpoint, type CheckpointData, type RestartRecord } from './checkpoint-file';
import { CheckpointLog } from './checkpoint-log';

/**
 * The hook a job runner uses to survive a master restart (`coda master --state DIR`). A runner
 * opens it once with the schema of its state; what a previous master saved comes back in
 * `restored`; after every round (iteration, run, instance: the runner's unit) it `offer`s its
 * state, saved when due. Without --state the runner gets no checkpointer and never pays for one.
 *
 *   const ck = ctx.checkpoint?.open({ version: 1, state: lsState });
 *   let x = ck?.restored?.state.x ?? new Float64Array(d);
 *   ... each round: ck?.offer(r, () => ({ x, ... }), history);
 *
 * A checkpoint holds the runner's state (iterate, counters, step state; every random draw of a
 * resumable loop is a function of the seed and the round, so the round is its RNG state) and says
 * how much of the history log it covers: history is appended to its own file every round and
 * never rewritten, so a checkpoint stays small however long the run. Checkpoints are written to a
 * temporary file, fsynced and renamed (a crash mid-write leaves the previous one) and carry a
 * SHA-256 (checkpoint-file.ts).
 */
export interface KindCheckpoint<S, H> {
  /** What the last master saved, when it was this kind and version. */
  readonly restored: { round: number; state: S; history: H[] } | undefined;
  /** Restarts this job lived through so far (result.json's `recovery`). */
  readonly restarts: readonly RestartRecord[];
  /** Seconds between saves: a runner whose unit of work is time (legs) sizes it by this. */
  readonly everySeconds: number;
  /** After a round: appends the new history records, and saves the state when one is due. */
  offer(round: number, state: () => S, history: HistorySource<H>): void;
  /** Saves now (the end of a phase whose work must not be redone). */
  save(round: number, state: S, history: HistorySource<H>): void;
}

/** The history so far: the whole list, or a function giving the records from index `from` on. */
export type HistorySource<H> = readonly H[] | ((from: number) => readonly H[]);

export interface CheckpointOptions {
  /** Seconds between saves (a save is also due after `everyRounds` rounds). */
  everySeconds: number;
  everyRounds: number;
}

export const DEFAULT_CHECKPOINT_OPTIONS: CheckpointOptions = { everySeconds: 2, everyRounds: Infinity };

/** The checkpointer of one job, given to its runner through the job context. */
export class JobCheckpoint {
  /** The session's round counter, read at each save and restored on resume (set by runJob). */
  sessionRounds: () => number = () => 0;
  /**
   * Restarts the job lived through, this one included when the job was resumed: result.json's
   * `recovery`. Final once the runner opened the checkpoint (a runner that never opens it starts
   * over on every restart, and says so here as a resume from round 0).
   */
  restarts: RestartRecord[] = [];
  private opened = false;
  private readonly file: string;
  private readonly historyFile: string;
  private readonly previous: CheckpointData | undefined;

  constructor(
    readonly dir: string,
    readonly kind: string,
    private readonly log: Logger,
    /** True when a previous master accepted this job (this one resumes it). */
    private readonly resumed: boolean,
    private readonly opts: CheckpointOptions = DEFAULT_CHECKPOINT_OPTIONS,
  ) {
    this.file = join(dir, 'checkpoint.bin');
    this.historyFile = join(dir, 'history.jsonl');
    if (existsSync(this.file)) {
      try {
        this.previous = readCheckpoint(this.file);
      } catch (e) {
        log.error({ file: this.file, err: (e as Error).message }, 'checkpoint unusable; the job starts over');
      }
    }
    this.restarts = this.restartsFrom(this.previous);
  }

  private restartsFrom(prev: CheckpointData | undefined): RestartRecord[] {
    if (!this.resumed) return [];
    return [
      ...(prev?.restarts ?? []),
      {
        resumedFromRound: prev?.round ?? 0,
        // History lines past the checkpoint are rounds done after it, done again now.
        roundsRedone: Math.max(0, countLines(this.historyFile) - (prev?.historyCount ?? 0)),
        resumedAt: new Date().toISOString(),
        checkpointAt: prev?.savedAt ?? null,
      },
    ];
  }

  /** The session round counter the last checkpoint had (0 without one). */
  get savedSessionRounds(): number {
    return this.previous?.sessionRounds ?? 0;
  }

  /** The round of the checkpoint a resumed job goes on from (undefined: it starts from scratch). */
  get savedRound(): number | undefined {
    return this.previous?.round;
  }

  open<S, H = never>(spec: { version: number; state: ZodType<S, ZodTypeDef, unknown> }): KindCheckpoint<S, H> {
    if (this.opened) throw new Error(`the checkpoint of ${this.dir} is already open`);
    this.opened = true;
    let prev = this.previous;
    if (prev && (prev.kind !== this.kind || prev.version !== spec.version)) {
      this.log.warn({ saved: `${prev.kind} v${prev.version}`, runner: `${this.kind} v${spec.version}` }, 'checkpoint from another runner version; the job starts over');
      prev = undefined;
    }
    let restoredState: S | undefined;
    if (prev) {
      const parsed = spec.state.safeParse(prev.state);
      if (parsed.success) restoredState = parsed.data;
      else {
        this.log.error({ err: parsed.error.issues[0]?.message }, 'checkpoint state does not fit the runner; the job starts over');
        prev = undefined;
      }
    }
    // Lines past the checkpoint (rounds done after it) are cut off: they will be done again.
    let opened: ReturnType<typeof CheckpointLog.open>;
    try {
      if (prev !== this.previous) this.restarts = this.restartsFrom(prev);
      opened = CheckpointLog.open(this.historyFile, prev ? { count: prev.historyCount, bytes: prev.historyBytes } : undefined);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'history log unusable; the job starts over');
      prev = undefined;
      this.restarts = this.restartsFrom(prev);
      opened = CheckpointLog.open(this.historyFile);
    }
    const restarts = this.restarts;
    const { log: history, records } = opened;
    let lastSaveAt = Date.now();
    let lastSaveRound = prev?.round ?? 0;
    const opts = this.opts;
    const appendNew = (h: HistorySource<H>): void => {
      const fresh = typeof h === 'function' ? h(history.count) : h.slice(history.count);
      history.append(fresh);
    };
    const save = (round: number, state: S, h: HistorySource<H>): void => {
      appendNew(h);
      history.sync();
      writeCheckpoint(this.file, {
        kind: this.kind,
        version: spec.version,
        round,
        historyCount: history.count,
        historyBytes: history.bytes,
        sessionRounds: this.sessionRounds(),
        savedAt: new Date().toISOString(),
        restarts,
        state,
      });
      lastSaveAt = Date.now();
      lastSaveRound = round;
    };
    return {
      // The records are what this runner kind and version appended itself (the checkpoint says
      // so, and its hash vouches for the count): the one place they are taken as its type.
      restored: prev && restoredState !== undefined ? { round: prev.round, state: restoredState, history: records as H[] } : undefined,
      restarts,
      everySeconds: opts.everySeconds,
      offer(round, state, h) {
        if (Date.now() - lastSaveAt >= opts.everySeconds * 1000 || round - lastSaveRound >= opts.everyRounds) save(round, state(), h);
        else appendNew(h);
      },
      save,
    };
  }
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const b = readFileSync(path);
  let n = 0;
  for (const c of b) if (c === 10) n++;
  return n;
}
