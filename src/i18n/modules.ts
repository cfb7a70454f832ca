// Every module's messages, merged into the catalogs by i18n.ts. A module adds one line here.
import { messages as appealsExtra } from '../modules/appeals/messages.ts';
import { messages as media } from '../modules/media/messages.ts';
import { messages as addresses } from '../modules/addresses/messages.ts';
import { messages as channels } from '../modules/channels/messages.ts';
import { messages as newsroom } from '../modules/newsroom/messages.ts';
import { messages as newsroomPublic } from '../modules/newsroom/messages-public.ts';
import { messages as identity } from '../modules/identity/messages.ts';
import { messages as alerts } from '../modules/alerts/messages.ts';
import { messages as outages } from '../modules/outages/messages.ts';
import { messages as appealCategories } from '../modules/appeals/messages-categories.ts';

const all = [appealsExtra, media, addresses, channels, newsroom, newsroomPublic, identity, alerts, outages, appealCategories] as const;

type Merge<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? H & Merge<R> : unknown;
type EnOf<T> = { [I in keyof T]: T[I] extends { en: infer E } ? E : never };

export const moduleMessages = {
  en: Object.assign({}, ...all.map((m) => m.en)) as Merge<EnOf<typeof all>>,
  uk: Object.assign({}, ...all.map((m) => m.uk)) as Record<string, unknown>,
  fa: Object.assign({}, ...all.map((m) => m.fa)) as Record<string, unknown>,
};
