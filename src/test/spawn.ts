// CityDesk as a separate process, for the tests that need two of them or kill one.
import { spawn, type ChildProcess } from 'node:child_process';

export const freePort = () => 20000 + Math.floor(Math.random() * 20000);

/** Starts `src/main.ts` as its own process (on a random port unless PORT is given) and
 * resolves once /readyz answers. */
export async function spawnServer(given: Record<string, string>, readyMs = 90_000): Promise<{ child: ChildProcess; origin: string; output: () => string }> {
  const env = { PORT: String(freePort()), ...given };
  // NODE_TEST_CONTEXT would make the child behave as a test-runner subprocess.
  const { NODE_TEST_CONTEXT: _ctx, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...parentEnv, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const origin = `http://127.0.0.1:${env.PORT}`;
  const end = Date.now() + readyMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    const ok = await fetch(`${origin}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return { child, origin, output: () => out };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready: ${out}`);
}

export const stopServer = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });

