#!/usr/bin/env node
'use strict';
/**
 * The image's HEALTHCHECK: asks this container's coda role (master or worker) through the
 * standard gRPC health service, grpc.health.v1.Health/Check on service "" (the whole server:
 * what a liveness probe asks) or a named one ("coda.v1.Worker": registered with its master, what
 * the Kubernetes readiness probe asks). Exit 0 when SERVING, 1 otherwise (unreachable,
 * NOT_SERVING, timeout).
 *
 *   node deploy/docker/healthcheck.js [HOST:PORT [SERVICE]]   (default: $CODA_HEALTH_TARGET or 127.0.0.1:7070, "")
 */
const grpc = require('@grpc/grpc-js');
const { service } = require('grpc-health-check');

const target = process.argv[2] || process.env.CODA_HEALTH_TARGET || '127.0.0.1:7070';
const serviceName = process.argv[3] || '';
const timeoutMs = Number(process.env.CODA_HEALTH_TIMEOUT_MS || 3000);
const Health = grpc.makeGenericClientConstructor(service, 'Health');
const client = new Health(target, grpc.credentials.createInsecure());

client.check({ service: serviceName }, { deadline: Date.now() + timeoutMs }, (err, reply) => {
  client.close();
  if (err) {
    console.error(`health ${target}: ${err.message}`);
    process.exit(1);
  }
  console.log(`health ${target}${serviceName ? ` ${serviceName}` : ''}: ${reply.status}`);
  process.exit(reply.status === 'SERVING' ? 0 : 1);
});
