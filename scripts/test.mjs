#!/usr/bin/env node
// The one test command (`npm test`, also run by .ci/run): type check, then every test
// file against a real PostgreSQL, then the browser tests in Debian's Chromium.
// PostgreSQL: TEST_DATABASE_URL when set (a role that may create databases), else an
// embedded server started here in a temporary folder and removed afterwards.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
}

function find(dir, re) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p, re));
    else if (re.test(name)) out.push(p);
  }
  return out.sort();
}

// What a fresh machine lacks for the tests: Debian's Chromium (browser tests) and the
// PostgreSQL client tools (the backup test), DejaVu and pdftotext (the print test), ffmpeg (the
// video test makes its clips with it; videos' poster frames). Installed when we may (root with apt-get).
const missing = [['/usr/bin/chromium', 'chromium'], ['/usr/bin/pg_dump', 'postgresql-client'], ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 'fonts-dejavu-core'], ['/usr/bin/pdftotext', 'poppler-utils'], ['/usr/bin/ffmpeg', 'ffmpeg']].filter(([f]) => !existsSync(f)).map(([, p]) => p);
if (missing.length && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log(`Installing ${missing.join(', ')} from Debian for the tests`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...missing]);
}

if (run('npx', ['tsc', '--noEmit', '-p', '.']) !== 0) {
  console.error('Type check failed.');
  process.exit(1);
}

const env = { ...process.env };
let stopDb = async () => {};
if (!env.TEST_DATABASE_URL) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/test/embedded-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /^URL (\S+)$/m.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`test database did not start (exit ${code})`)));
  });
  env.TEST_DATABASE_URL = url;
  stopDb = () => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

const only = process.argv.slice(2);
const unit = find('src', /\.test\.ts$/).filter((f) => !only.length || only.some((o) => f.includes(o)));
const browser = existsSync('e2e') ? find('e2e', /\.test\.ts$/).filter((f) => !only.length || only.some((o) => f.includes(o))) : [];
let status = 0;
if (unit.length) status = run(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', '--test-timeout=120000', ...unit], env);
if (browser.length) status = run(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=1', '--test-timeout=300000', ...browser], env) || status;
await stopDb();
process.exit(status);
