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
  CITYDESK_DEMO_NEWS: bool(true),
  CITYDESK_PUBLIC_URL: z.string().url().optional(),
  CITYDESK_WORKER: bool(true),
  CITYDESK_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  CITYDESK_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  CITYDESK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  CITYDESK_TRUST_PROXY: bool(false),
  CITYDESK_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  CITYDESK_MAP_TILES: z.string().refine((v) => /^https?:\/\/\S+$/.test(v) && ['{z}', '{x}', '{y}'].every((p) => v.includes(p)), 'a tile URL template like https://tile.openstreetmap.org/{z}/{x}/{y}.png').optional(),
  CITYDESK_MAP_ATTRIBUTION: z.string().min(1).max(300).default('© OpenStreetMap contributors'),
  CITYDESK_MEDIA_DIR: z.string().min(1).optional(),
  CITYDESK_UPLOAD_MAX_BYTES: z.coerce.number().int().min(64 * 1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  CITYDESK_VIDEO_MAX_MB: z.coerce.number().int().min(1).max(2000).default(200),
  CITYDESK_FFMPEG: z.string().min(1).default('ffmpeg'),
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().min(3).default('CityDesk <no-reply@citydesk.local>'),
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  SMS_SENDER: z.string().min(1).max(11).default('CityDesk'),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, 'a bot token from @BotFather, like 123456:ABC-def').optional(),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^\w{5,32}$/).optional(),
  TELEGRAM_API_URL: z.string().url().default('https://api.telegram.org'),
  OUTBOX_RATE_EMAIL: z.coerce.number().min(0.1).max(10_000).default(20),
  OUTBOX_RATE_SMS: z.coerce.number().min(0.1).max(10_000).default(20),
  OUTBOX_RATE_TELEGRAM: z.coerce.number().min(0.1).max(10_000).default(25),
  OUTBOX_RATE_WEBPUSH: z.coerce.number().min(0.1).max(10_000).default(50),
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
  /** A year of demo news (4,000 + 504 materials with drawn covers) on the first start. */
  demoNews: boolean;
  publicUrl?: string;
  worker: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  bodyLimit: number;
  trustProxy: boolean;
  poolSize: number;
  /** Map tiles for the public appeals map (Leaflet URL template); without it no map, the list only. */
  mapTiles?: string;
  mapAttribution: string;
  /** Uploaded photos and their variants (local disk), default `<dataDir>/media`. */
  mediaDir: string;
  /** Largest accepted upload, per file. */
  uploadMaxBytes: number;
  /** Largest accepted video file (the newsroom's media library). */
  videoMaxBytes: number;
  /** ffmpeg for videos' poster frames (a path, or a name looked up on PATH); without it no posters. */
  ffmpeg: string;
  smtpUrl?: string;
  smtpFrom: string;
  /** SMS HTTP gateway (TurboSMS JSON API); without it SMS are held in the outbox. */
  sms?: { url: string; token: string; sender: string };
  /** The city's Telegram bot for residents' notifications; without it Telegram is not offered. */
  telegram?: { token: string; username: string | null; apiUrl: string };
  /** Messages per second each outbox lane sends at most (the gateway's allowance). */
  outboxRates: { email: number; sms: number; telegram: number; webpush: number };
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
  if (e.SMS_GATEWAY_URL && !e.SMS_GATEWAY_TOKEN) throw new ConfigError('CityDesk cannot start, a setting is wrong:\n  SMS_GATEWAY_TOKEN: required when SMS_GATEWAY_URL is set');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.CITYDESK_DATA_DIR),
    pgPort: e.CITYDESK_PG_PORT,
    demo: e.CITYDESK_DEMO,
    demoAppeals: e.CITYDESK_DEMO_APPEALS,
    demoNews: e.CITYDESK_DEMO_NEWS,
    publicUrl: e.CITYDESK_PUBLIC_URL,
    worker: e.CITYDESK_WORKER,
    sessionIdleMinutes: e.CITYDESK_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.CITYDESK_SESSION_MAX_HOURS,
    bodyLimit: e.CITYDESK_BODY_LIMIT_BYTES,
    trustProxy: e.CITYDESK_TRUST_PROXY,
    poolSize: e.CITYDESK_POOL_SIZE,
    mapTiles: e.CITYDESK_MAP_TILES,
    mapAttribution: e.CITYDESK_MAP_ATTRIBUTION,
    mediaDir: path.resolve(e.CITYDESK_MEDIA_DIR ?? path.join(e.CITYDESK_DATA_DIR, 'media')),
    uploadMaxBytes: e.CITYDESK_UPLOAD_MAX_BYTES,
    videoMaxBytes: e.CITYDESK_VIDEO_MAX_MB * 1024 * 1024,
    ffmpeg: e.CITYDESK_FFMPEG,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    sms: e.SMS_GATEWAY_URL && e.SMS_GATEWAY_TOKEN ? { url: e.SMS_GATEWAY_URL, token: e.SMS_GATEWAY_TOKEN, sender: e.SMS_SENDER } : undefined,
    telegram: e.TELEGRAM_BOT_TOKEN ? { token: e.TELEGRAM_BOT_TOKEN, username: e.TELEGRAM_BOT_USERNAME ?? null, apiUrl: e.TELEGRAM_API_URL } : undefined,
    outboxRates: { email: e.OUTBOX_RATE_EMAIL, sms: e.OUTBOX_RATE_SMS, telegram: e.OUTBOX_RATE_TELEGRAM, webpush: e.OUTBOX_RATE_WEBPUSH },
    logLevel: e.LOG_LEVEL,
  };
}
