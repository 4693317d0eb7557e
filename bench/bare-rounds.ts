import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { Rng } from '../shared/random';
import { TimerCalibration } from '../worker/chaos-injector';

/**
 * The wire's own floor for a round: a bare @grpc/grpc-js fan-out over one bidirectional stream per
 * worker process, raw bytes (no Protobuf, no scheme, no decoding), each worker sleeping the delay
 * the driver sends it (timed as Coda's workers time it) and answering as many doubles as it is
 * asked (a gradient's 40, or none for a no-op round), or as many bytes as a Coda message holds
 * (BareSizes: the no-op rounds of `scale` and `round-overhead` send and answer as many bytes as
 * Coda's own messages do, so the two differ in what Coda does, not in what crosses the wire). Coda's rounds run
 * the same pattern with everything Coda adds; the difference is Coda's own cost per round on the
 * same machine and processes.
 */
const identity = (b: Buffer): Buffer => b;
const SERVICE = {
  echo: {
    path: '/bare.Bare/Echo',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

const CHILD_FLAG = '--coda-bare-echo';
/**
 * Rounds without delay before the timed ones: V8 optimizes a function after it has run enough
 * bytecode, and a worker process running one task a round needs a few hundred rounds for its
 * message path to leave the baseline tier (measured: the master's CPU a round halves from 5 to
 * 2000 warm-up rounds). Coda's runs get as many (dask.ts).
 */
export const WARMUP_ROUNDS = 200;
/** Doubles a bare worker answers with by default: a gradient of the dask bench's 40 columns. */
const ANSWER_DOUBLES = 40;

/**
 * A worker process hosting `CODA_BARE_SERVICES` echo servers (one port each, as a Coda worker
 * process hosts its worker services): answers each (round, delay) after the delay, like a task
 * that took that long. It sleeps as Coda's workers do (TimerCalibration, process-wide:
 * whole-millisecond timers set early by the event loop's learnt lateness; a seeded dither per
 * service), so the two differ in what Coda adds, not in how they sleep.
 */
function serveChild(): void {
  const timers = new TimerCalibration();
  const services = Number(process.env.CODA_BARE_SERVICES ?? 1);
  const firstSeed = Number(process.env.CODA_BARE_SEED ?? 1);
  const ports: Promise<number>[] = [];
  for (let k = 0; k < services; k++) {
    const dither = new Rng(firstSeed + k);
    const server = new grpc.Server();
    server.addService(SERVICE, {
      echo: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (m: Buffer) => {
          const round = m.readDoubleLE(0);
          const timerMs = timers.plan(m.readDoubleLE(8), dither.uniform());
          const answerBytes = m.readDoubleLE(16);
          const answer = (): void => {
            const out = Buffer.alloc(Math.max(8, answerBytes));
            out.writeDoubleLE(round, 0);
            call.write(out);
          };
          if (timerMs > 0) {
            const t = performance.now();
            setTimeout(() => {
              timers.observe(timerMs, performance.now() - t);
              answer();
            }, timerMs);
          } else answer();
        });
        call.on('end', () => call.end());
      },
    });
    ports.push(new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port)))));
  }
  Promise.all(ports).then(
    (p) => process.send!(p),
    (e: Error) => {
      console.error(`bare echo: ${e.message}`);
      process.exit(1);
    },
  );
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes(CHILD_FLAG)) serveChild();

/** Bytes of a bare round's messages (each at least what the bare protocol needs: 24 sent, 8 answered). */
export interface BareSizes {
  requestBytes: number;
  answerBytes: number;
}

/**
 * Bare echo services in `ceil(workers / perProcess)` child processes, `perProcess` to a process
 * (laid out as a Coda local cluster lays out its worker services), one bidirectional stream to
 * each held open. A round sends the first n services one message each and ends when `q` of them
 * have answered.
 */
export class BareFanout {
  private round = -1;
  private answered = 0;
  private wanted = 0;
  private done: () => void = () => {};

  private constructor(
    private readonly children: ChildProcess[],
    private readonly clients: grpc.Client[],
    private readonly streams: grpc.ClientDuplexStream<Buffer, Buffer>[],
  ) {
    for (const s of streams) {
      // The processes go away at the end: their streams' errors are expected then.
      s.on('error', () => {});
      s.on('data', (m: Buffer) => {
        if (m.readDoubleLE(0) === this.round && ++this.answered === this.wanted) this.done();
      });
    }
  }

  static async start(workers: number, perProcess = 1): Promise<BareFanout> {
    const per = Math.max(1, perProcess);
    const children: ChildProcess[] = Array.from({ length: Math.ceil(workers / per) }, (_, c) =>
      fork(__filename, [CHILD_FLAG], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, CODA_BARE_SEED: String(1 + c * per), CODA_BARE_SERVICES: String(Math.min(per, workers - c * per)) },
      }),
    );
    try {
      const perChild = await Promise.all(
        children.map(
          (c) =>
            new Promise<number[]>((resolve, reject) => {
              c.once('message', (p) => resolve(p as number[]));
              c.once('exit', () => reject(new Error('a bare echo process exited before listening')));
            }),
        ),
      );
      const Client = grpc.makeGenericClientConstructor(SERVICE, 'Bare');
      const clients = perChild.flat().map((p) => new Client(`127.0.0.1:${p}`, grpc.credentials.createInsecure()));
      // A generic client names its methods by the service definition's keys.
      const streams = clients.map((c) => (c['echo'] as () => grpc.ClientDuplexStream<Buffer, Buffer>).call(c));
      return new BareFanout(children, clients, streams);
    } catch (e) {
      for (const c of children) c.kill();
      throw e;
    }
  }

  get workers(): number {
    return this.streams.length;
  }

  /**
   * One round: service j (j < delays.length) is sent delays[j] seconds to sleep; the round ends
   * when `q` of them have answered (`answerDoubles` each after the round number, or messages of
   * exactly `sizes` bytes). Returns its seconds.
   */
  async run(delays: ArrayLike<number>, q = delays.length, answerDoubles = ANSWER_DOUBLES, sizes?: BareSizes): Promise<number> {
    const n = delays.length;
    if (n > this.streams.length || q < 1 || q > n) throw new RangeError(`bare round: ${q} of ${n} on ${this.streams.length} services`);
    this.round++;
    this.answered = 0;
    this.wanted = q;
    const requestBytes = Math.max(24, sizes?.requestBytes ?? 24);
    const answerBytes = sizes ? sizes.answerBytes : 8 + 8 * answerDoubles;
    const t = performance.now();
    await new Promise<void>((resolve) => {
      this.done = resolve;
      for (let j = 0; j < n; j++) {
        const m = Buffer.alloc(requestBytes);
        m.writeDoubleLE(this.round, 0);
        m.writeDoubleLE(delays[j]!, 8);
        m.writeDoubleLE(answerBytes, 16);
        this.streams[j]!.write(m);
      }
    });
    return (performance.now() - t) / 1000;
  }

  /** Rounds without delay on every service (connections, and the JIT: see WARMUP_ROUNDS). */
  async warmUp(rounds = WARMUP_ROUNDS, answerDoubles = ANSWER_DOUBLES): Promise<void> {
    const zero = new Float64Array(this.streams.length);
    for (let r = 0; r < rounds; r++) await this.run(zero, zero.length, answerDoubles);
  }

  close(): void {
    this.streams.forEach((s) => s.end());
    this.clients.forEach((c) => c.close());
    for (const c of this.children) c.kill();
  }
}

/**
 * Runs `delays.length` rounds on `workers` bare echo services, `perProcess` to a process, after
 * `warmup` rounds without delay: round r sends worker j the delay delays[r][j] and ends when `q`
 * workers have answered. Returns each round's seconds.
 */
export async function bareRounds(workers: number, q: number, delays: Float64Array[], perProcess = 1, warmup = WARMUP_ROUNDS): Promise<number[]> {
  const fan = await BareFanout.start(workers, perProcess);
  try {
    await fan.warmUp(warmup);
    const seconds: number[] = [];
    for (const d of delays) seconds.push(await fan.run(d, q));
    return seconds;
  } finally {
    fan.close();
  }
}
