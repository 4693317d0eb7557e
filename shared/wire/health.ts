import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';

/**
 * The standard grpc.health.v1.Health service on a server (the grpc-health-check package),
 * with "" (the whole server) and the named services.
 */
export function addHealth(server: grpc.Server, services: string[]): HealthImplementation {
  const status: ServingStatusMap = { '': 'SERVING' };
  for (const s of services) status[s] = 'SERVING';
  const health = new HealthImplementation(status);
  health.addToServer(server);
  return health;
}
