import { createServer } from 'node:net';
import { InputError } from '../shared/errors';

/**
 * Refuses, before anything starts, a port another process holds: one line naming the flag, not
 * a grpc-js stack trace halfway through start-up. Port 0 (any free port) always passes.
 */
export async function checkPortFree(host: string, port: number, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is in use by another process' : e.code === 'EACCES' ? 'needs privileges this process lacks' : `cannot be bound (${e.code ?? e.message})`;
      reject(new InputError(`${flag} ${port}: ${host}:${port} ${why}; pick another ${flag}`));
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
