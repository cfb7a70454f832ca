import path from 'node:path';
import { z } from 'zod';

const bool = (dflt: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(dflt ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

// Every setting CityDesk reads. README.md documents each one; keep them in step.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  CITYDESK_DATA_DIR: z.string().min(1).default('.citydesk'),
  CITYDESK_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  CITYDESK_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  CITYDESK_DEMO_APPEALS: bool(true),
  CITYDESK_PUBLIC_URL: z.string().url().optional(),
  CITYDESK_WORKER: bool(true),
  CITYDESK_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  CITYDESK_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  CITYDESK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  CITYDESK_TRUST_PROXY: bool(false),
  CITYDESK_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().min(3).default('CityDesk <no-reply@citydesk.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  pgPort: number;
  demo: 'auto' | 'true' | 'false';
  demoAppeals: boolean;
  publicUrl?: string;
  worker: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  bodyLimit: number;
  trustProxy: boolean;
  poolSize: number;
  smtpUrl?: string;
  smtpFrom: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
};

export class ConfigError extends Error {}

/** Parses the environment once; a wrong value names the variable and stops the start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(present[String(i.path[0])])})`);
    throw new ConfigError(`CityDesk cannot start, a setting is wrong:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.CITYDESK_DATA_DIR),
    pgPort: e.CITYDESK_PG_PORT,
    demo: e.CITYDESK_DEMO,
    demoAppeals: e.CITYDESK_DEMO_APPEALS,
    publicUrl: e.CITYDESK_PUBLIC_URL,
    worker: e.CITYDESK_WORKER,
    sessionIdleMinutes: e.CITYDESK_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.CITYDESK_SESSION_MAX_HOURS,
    bodyLimit: e.CITYDESK_BODY_LIMIT_BYTES,
    trustProxy: e.CITYDESK_TRUST_PROXY,
    poolSize: e.CITYDESK_POOL_SIZE,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    logLevel: e.LOG_LEVEL,
  };
}
