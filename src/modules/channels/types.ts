import type { z } from 'zod';
import type { Lang, MessageKey } from '../../i18n/i18n.ts';
import type { HttpClient } from './http.ts';
import type { Db } from '../../db/db.ts';

export const CHANNELS = ['telegram', 'facebook', 'instagram', 'eitaa', 'email_press', 'webpush', 'led', 'print'] as const;
export type ChannelKind = (typeof CHANNELS)[number];

/** One publication as the channels see it: a snapshot taken when it was queued. */
export type Publication = {
  sourceType: 'material' | 'alert';
  sourceId: string;
  version: number;
  lang: Lang;
  title: string;
  lead: string;
  bodyHtml: string;
  bodyText: string;
  url: string;
  images: { url: string; alt: string; width?: number; height?: number }[];
  videoUrl?: string | null;
  tags: string[];
  urgent: boolean;
  perChannelText?: Partial<Record<ChannelKind, string>>;
};

export type Preview = { parts: string[]; warnings: MessageKey[] };

/** What a channel answered; `result` keeps whatever edit/delete need later. */
export type Sent = { externalId: string; externalUrl: string | null; result: Record<string, unknown> };

/** A send that did not succeed. `unknown`: the request left and no answer came back, so
 * the post may exist; it is never re-sent automatically. */
export class ChannelError extends Error {
  constructor(
    readonly kind: 'transient' | 'permanent' | 'unknown' | 'rate_limited',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Progress of a multi-step send, saved after every visible step so a retry continues
 * where the last attempt stopped and never repeats a step that reached the channel. */
export type Step = { progress: Record<string, unknown>; save: (p: Record<string, unknown>) => Promise<void> };

export type AdapterCtx = { config: Record<string, unknown>; http: HttpClient; communityId: string; deliveryId: string; origin: string; db: Db };

export type Field = { name: string; secret?: boolean; optional?: boolean };

export type Adapter = {
  kind: ChannelKind;
  fields: Field[];
  config: z.ZodType<Record<string, unknown>>;
  render: (p: Publication, config?: Record<string, unknown>) => Preview;
  publish: (ctx: AdapterCtx, p: Publication, step: Step) => Promise<Sent>;
  /** Absent: the channel does not allow editing through its API. */
  update?: (ctx: AdapterCtx, p: Publication, prev: Sent) => Promise<Sent>;
  remove?: (ctx: AdapterCtx, prev: Sent) => Promise<void>;
  /** Checks the credentials; returns the account's name. */
  test?: (ctx: AdapterCtx) => Promise<string>;
  /** Reads back whether a publication already exists (after a crash); null if not found. */
  lookup?: (ctx: AdapterCtx, p: Publication) => Promise<Sent | null>;
};
