// `startup`: time to ready and peak memory, first on an empty data folder (initdb,
// migrations, demo data), then restarting on the folder the first start left behind.
import { hostLoad, log, makeDataDir, mb, removeDataDir, Server } from '../lib/server.ts';

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export async function startup(): Promise<Record<string, unknown>> {
  const load = hostLoad();
  const dir = await makeDataDir();
  try {
    log(`startup: fresh start on ${dir}`);
    const fresh = await Server.start(dir, 'fresh');
    log(`startup: fresh ready in ${fresh.started.readyS.toFixed(3)} s (pg: ${fresh.started.pg.pids} processes)`);
    const freshStop = await fresh.server.stop();
    log(`startup: fresh server stopped in ${freshStop.toFixed(3)} s`);

    log('startup: restart on the same data folder');
    const again = await Server.start(dir, 'restart');
    log(`startup: restart ready in ${again.started.readyS.toFixed(3)} s`);
    const againStop = await again.server.stop();
    log(`startup: restarted server stopped in ${againStop.toFixed(3)} s`);

    return {
      scenario: 'startup',
      fresh_start_s: round3(fresh.started.readyS),
      fresh_peak_rss_mb: mb(fresh.started.peakRssKb),
      fresh_pg_rss_mb: mb(fresh.started.pg.rssKb),
      fresh_pg_pss_mb: mb(fresh.started.pg.pssKb),
      restart_s: round3(again.started.readyS),
      restart_peak_rss_mb: mb(again.started.peakRssKb),
      restart_pg_rss_mb: mb(again.started.pg.rssKb),
      restart_pg_pss_mb: mb(again.started.pg.pssKb),
      stop_s: round3(Math.max(freshStop, againStop)),
      node: process.version,
      ...load,
      target_restart_s: 3,
    };
  } finally {
    await removeDataDir(dir);
  }
}
