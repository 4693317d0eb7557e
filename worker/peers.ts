import { CHANNEL_OPTIONS, channelCredentials, loadProtos, RequestStream, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';

/** How long a peer may take to answer one slice read (a busy owner answers after its current step). */
const READ_DEADLINE_MS = 10_000;

/**
 * The other workers as an AsyncEigenPro loop reads them: one channel and one ReadSlices stream
 * per address, opened on first use and kept for the worker's life (a loop reads every peer's slice
 * each iteration; a message on an open stream costs a fraction of a unary call). Calls carry this
 * worker's cluster token: the workers of a cluster share the master's.
 */
export class PeerClients {
  private readonly peers = new Map<string, { client: pb.WorkerClient; reads: RequestStream<pb.ReadSliceRequest, pb.ReadSliceReply__Output> }>();

  constructor(
    readonly token: string | undefined,
    private readonly tls?: TlsFiles,
  ) {}

  /** The slice-read stream to the worker at `address`. */
  reads(address: string): RequestStream<pb.ReadSliceRequest, pb.ReadSliceReply__Output> {
    let p = this.peers.get(address);
    if (!p) {
      const { worker } = loadProtos();
      const client = new worker.coda.v1.Worker(address, channelCredentials(this.tls), CHANNEL_OPTIONS);
      const reads = new RequestStream(() => client.readSlices(tokenMetadata(this.token)), `reading a slice from ${address}`, READ_DEADLINE_MS);
      p = { client, reads };
      this.peers.set(address, p);
    }
    return p.reads;
  }

  close(): void {
    for (const p of this.peers.values()) {
      p.reads.close();
      p.client.close();
    }
    this.peers.clear();
  }
}
