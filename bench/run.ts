// `npm run bench -- [scenario...]`: runs the named scenarios (all when none is named) and
// prints one JSON line per scenario on stdout. Everything else goes to stderr.
import { cleanupAll, log, withTimeout } from './lib/server.ts';
import { startup } from './scenarios/startup.ts';
import { portalHome } from './scenarios/portal-home.ts';
import { newsArticle } from './scenarios/news-article.ts';
import { newsList } from './scenarios/news-list.ts';
import { appealsIntake } from './scenarios/appeals-intake.ts';
import { appealsDashboard } from './scenarios/appeals-dashboard.ts';
import { publishFanout } from './scenarios/publish-fanout.ts';
import { outageLookup, outagePageSurge } from './scenarios/outages.ts';
import { alertFanout } from './scenarios/alert-fanout.ts';

type Scenario = { run: () => Promise<Record<string, unknown>>; limitMs: () => number };

const benchSeconds = () => Number(process.env.BENCH_DURATION) || 15;

const SCENARIOS: Record<string, Scenario> = {
  startup: { run: startup, limitMs: () => 6 * 60_000 },
  'portal-home': { run: portalHome, limitMs: () => (4 * 60 + benchSeconds() + 60) * 1000 },
  'news-article': { run: newsArticle, limitMs: () => (4 * 60 + benchSeconds() + 60) * 1000 },
  'news-list': { run: newsList, limitMs: () => (4 * 60 + benchSeconds() + 60) * 1000 },
  'appeals-intake': { run: appealsIntake, limitMs: () => (4 * 60 + benchSeconds() + 60) * 1000 },
  'publish-fanout': { run: publishFanout, limitMs: () => 15 * 60_000 },
  'outage-page-surge': { run: outagePageSurge, limitMs: () => (4 * 60 + benchSeconds() + 60) * 1000 },
  'outage-lookup': { run: outageLookup, limitMs: () => 10 * 60_000 },
  'alert-fanout': { run: alertFanout, limitMs: () => 10 * 60_000 },
  // Generating the million appeals takes minutes on 2 cores; two measured periods follow.
  'appeals-dashboard': { run: appealsDashboard, limitMs: () => (15 * 60 + 2 * benchSeconds() + 60) * 1000 },
};

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = args.filter((a) => !(a in SCENARIOS));
  if (unknown.length) {
    log(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    return 2;
  }
  if (process.platform !== 'linux') log('warning: memory figures need /proc (Linux); they will be null');
  const names = args.length ? args : Object.keys(SCENARIOS);
  let status = 0;
  for (const name of names) {
    const s = SCENARIOS[name];
    log(`scenario ${name}…`);
    try {
      const result = await withTimeout(s.run(), s.limitMs(), `scenario ${name}`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } catch (e) {
      log(`scenario ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      status = 1;
      await cleanupAll();
    }
  }
  await cleanupAll();
  return status;
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    log(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await cleanupAll().catch(() => {});
    process.exit(1);
  },
);
