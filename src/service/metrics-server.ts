/**
 * The fleet metrics endpoint (issue 17): `GET /metrics` in the Prometheus text format, on the
 * address and port of the configuration's `metrics` section (off by default; loopback unless the
 * facility names another address). Nothing else is served: every other path is 404, every other
 * method 405. Counts and device states only (SPEC §9); see `adapters/prometheus-metrics.ts`.
 */
import { emptyDay } from './daily-counters';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FacilityConfig } from '../config';
import type { Logger } from '../log/logger';
import type { DailyCount } from './daily-counters';
import { PrometheusReaderMetrics } from './adapters/prometheus-metrics';

export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServer {
  /** `http://127.0.0.1:PORT/metrics`: what the console shows and a fleet's Prometheus scrapes. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(o: { host: string; port: number; source: MetricsSource; log: Logger }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    o.source.text().then(
      (body) => res.writeHead(200, { 'content-type': o.source.contentType }).end(req.method === 'HEAD' ? undefined : body),
      (e: unknown) => {
        o.log.error(`metrics not rendered: ${(e as Error).name}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  // A scraper keeps its connection open; do not let it hold the service's shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  const url = `http://${host}:${a.port}/metrics`;
  o.log.info(`metrics on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface FleetMetrics {
  /** The hook the reader service reports through. */
  hook: PrometheusReaderMetrics;
  /** Today's counters are read from the service once it exists. */
  attachToday(today: () => DailyCount): void;
  /** Starts the endpoint if the configuration enables it (undefined: metrics off). */
  listen(): Promise<MetricsServer | undefined>;
}

/**
 * The metrics of one reader as the device and the rig wire them: the hook for the service, and
 * the endpoint of `config.metrics`. A port that cannot be bound is logged and the reader serves
 * patients without metrics (a monitoring fault must not stop a reception counter).
 */
export function fleetMetrics(config: FacilityConfig, log: Logger): FleetMetrics {
  let today: (() => DailyCount) | undefined;
  const hook = new PrometheusReaderMetrics({ today: () => today?.() ?? emptyDay('') });
  return {
    hook,
    attachToday: (t) => (today = t),
    listen: async () => {
      if (!config.metrics.enabled) return undefined;
      try {
        return await startMetricsServer({ host: config.metrics.host, port: config.metrics.port, source: hook, log });
      } catch (e) {
        log.error(`metrics endpoint not started on ${config.metrics.host}:${config.metrics.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).name}`);
        return undefined;
      }
    },
  };
}
