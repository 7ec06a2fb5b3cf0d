/**
 * Fleet metrics against a real Prometheus (issue 17): Debian's `prometheus` on loopback, with a
 * generated configuration scraping the reception rig's endpoint every second, while two PIN
 * sessions run on the rig (the product's wiring over the backend simulator and emulated cards).
 * The series is read back through Prometheus' own HTTP API (`/api/v1/query`), so the check is
 * what a fleet's Prometheus understood of the exposition, not what the product says it wrote.
 * Waits are on Prometheus' state (ready, the target's last scrape), never on fixed sleeps.
 *
 * And the privacy check (SPEC §5 last paragraph, §9 "counts only"): the scraped text holds no
 * name, birth date, PIN or certificate serial of the sessions' personas.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPersona, type PersonaName } from '../../rig/personas/catalogue';
import { ja } from '../../src/ui/text/ja';
import { personalDataIn, personalValues } from '../log/privacy-check';
import { waitFor, withTimeout } from '../wait-for';
import { consentAll, ReceptionRig } from './reception-rig';

const PERSONAS: PersonaName[] = ['valid', 'expiring-soon'];

/** A free loopback port for Prometheus' web listener (it cannot report an ephemeral one back). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

interface Targets {
  data: { activeTargets: { health: string; lastScrape: string; lastError: string }[] };
}

interface Query {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('fleet metrics scraped by Debian’s prometheus (issue 17)', function () {
  this.timeout(120_000);
  let rig: ReceptionRig;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let api: string;
  let prometheusLog = '';

  before(async () => {
    rig = await ReceptionRig.start({ reader: 'in-process', metrics: true });
    const target = new URL(rig.metricsUrl!);
    dir = mkdtempSync(join(tmpdir(), 'fcr-prometheus-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: face-card-reader',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.setEncoding('utf8').on('data', (c: string) => (prometheusLog = (prometheusLog + c).slice(-4000)));
    await waitFor(async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok, { what: 'prometheus ready', timeoutMs: 30_000, intervalMs: 100 });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await withTimeout(exited, { what: 'prometheus to exit', timeoutMs: 10_000 }).catch(() => prometheus!.kill('SIGKILL'));
    }
    await rig?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two PIN sessions on the rig are fcr_sessions_total{method="pin",status="qualified"} = 2 in Prometheus', async () => {
    for (const persona of PERSONAS) {
      await rig.insert(persona);
      await rig.until(ja.methodQuestion);
      rig.press(ja.buttonPin);
      rig.pin('1234');
      await consentAll(rig);
      assert.ok(rig.text().includes(findPersona(persona)!.person.nameKanji), `${persona} confirmed`);
      await rig.remove('card');
      await rig.until(ja.idlePlaceCard);
    }
    const endedAt = Date.now();
    // Two scrapes that began after the sessions: the second surely sees the first's samples stored.
    let firstAfter: string | undefined;
    await waitFor(
      async () => {
        const t = (await json<Targets>(`${api}/api/v1/targets?state=active`)).data.activeTargets[0];
        if (!t || t.health !== 'up' || Date.parse(t.lastScrape) <= endedAt) return false;
        firstAfter ??= t.lastScrape;
        return t.lastScrape !== firstAfter;
      },
      { what: 'two scrapes of the rig after the sessions', timeoutMs: 15_000, intervalMs: 100, describe: () => prometheusLog },
    );
    const q = await json<Query>(`${api}/api/v1/query?query=${encodeURIComponent('fcr_sessions_total{method="pin",status="qualified"}')}`);
    assert.equal(q.status, 'success');
    assert.equal(q.data.result.length, 1, JSON.stringify(q.data));
    assert.equal(q.data.result[0]!.metric.job, 'face-card-reader');
    assert.equal(Number(q.data.result[0]!.value[1]), PERSONAS.length);
  });

  it('the scraped text holds no name, birth date, PIN or certificate serial of those personas', async () => {
    const text = await (await fetch(rig.metricsUrl!)).text();
    assert.ok(text.includes('fcr_sessions_total{method="pin",status="qualified"} 2'), 'the check reads the scrape after the sessions');
    // Node's own process figures (heap bytes, GC seconds) are measured numbers, not data: their
    // values are left out so a GC sum of 0.1234 s is not taken for the PIN; names and labels stay.
    const lines = text.split('\n').map((l) => (/^(process|nodejs)_/.test(l) ? l.replace(/\s\S+$/, '') : l));
    const values = personalValues({ credentials: rig.credentials, pins: ['1234'], personas: PERSONAS.map((p) => findPersona(p)!) });
    assert.ok(values.some((v) => v.what === 'certificate-serial'), 'the serials are part of the check');
    assert.deepEqual(personalDataIn(lines, values), []);
  });
});
