// Shared pieces of the newsroom's console pages: the operations' context, form parsing, fields.
import type { FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import type { Tx } from '../../db/db.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { zodDetails } from '../../http/server.ts';
import { RTE_CSS } from './newsroom-rte.ts';
import { t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { CHANNELS, type ChannelKind } from '../../modules/channels/types.ts';
import type { NewsCtx } from '../../modules/newsroom/service.ts';

export type Form = Record<string, string | string[] | undefined>;
export type Errors = Record<string, string>;

/** The portal's absolute address for this community (links the channels carry). */
export const siteOf = (app: App, req: FastifyRequest) => `${app.config.publicUrl ?? `${req.protocol}://${req.host}`}${req.base}`;

export function newsCtx(app: App, req: FastifyRequest, tx: Tx): NewsCtx {
  const s = req.staff!;
  return { tx, queue: app.queue, actor: actorOf(req), community: req.community, site: siteOf(app, req), who: { userId: s.userId, permissions: s.permissions } };
}

export const one = (f: Form, k: string): string => {
  const v = f[k];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
export const many = (f: Form, k: string): string[] => {
  const v = f[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** The shared fields of a material as typed in the editor. */
export const materialInput = (f: Form) => ({
  type: one(f, 'type') as 'news', category_id: one(f, 'category_id'), rubric_id: one(f, 'rubric_id'), campaign_id: one(f, 'campaign_id'),
  place: one(f, 'place'), urgent: one(f, 'urgent') === 'on', video_url: one(f, 'video_url'), video_media_id: f.video_media_id === undefined ? undefined : one(f, 'video_media_id'), tags: one(f, 'tags'),
});

/** One version's fields as typed: ticked channels and their own texts. */
export const versionInput = (f: Form) => ({
  title: one(f, 'title'), lead: one(f, 'lead'), body_html: one(f, 'body_html'),
  channels: many(f, 'channels').filter((c): c is ChannelKind => (CHANNELS as readonly string[]).includes(c)),
  channel_texts: Object.fromEntries(CHANNELS.map((k) => [k, one(f, `text_${k}`).trim()]).filter(([, v]) => v)) as Partial<Record<ChannelKind, string>>,
});

/** Field errors and the page's message for a refused change; null when the error is not the user's. */
export function userError(lang: Lang, e: unknown): { errors: Errors; message: string; status: number } | null {
  if (e instanceof ZodError) {
    const errors = zodDetails(lang, e);
    for (const issue of e.issues) {
      const key = issue.message;
      if (key.startsWith('newsroom.')) errors[issue.path.join('.') || '_'] = t(lang, key as MessageKey);
    }
    for (const k of Object.keys(errors)) if (k.startsWith('version.')) errors[k.slice(8)] = errors[k];
    return { errors, message: t(lang, 'error.invalid'), status: 400 };
  }
  if (e instanceof AppError && e.status < 500 && e.status !== 404) {
    const message = t(lang, e.key, e.params);
    const errors: Errors = {};
    if (e.details && typeof e.details === 'object') for (const k of Object.keys(e.details)) errors[k] = message;
    return { errors, message, status: e.status };
  }
  return null;
}

export const fieldError = (errors: Errors, name: string) => (errors[name] ? html`<p class="alert" id="${name}-error">${errors[name]}</p>` : '');

/** `aria-describedby` pointing at the field's error, when it has one. */
export const described = (errors: Errors, name: string) => (errors[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '');

export function select(id: string, label: string, options: Array<[string, string | Html]>, value: string, errors: Errors, emptyLabel?: string): Html {
  return html`<div><label for="${id}">${label}</label>${fieldError(errors, id)}<select id="${id}" name="${id}"${described(errors, id)}>
${emptyLabel !== undefined ? html`<option value="">${emptyLabel}</option>` : ''}${options.map(([v, l]) => html`<option value="${v}"${v === value ? ' selected' : ''}>${l}</option>`)}</select></div>`;
}

export function input(id: string, label: string, value: string, errors: Errors, extra: { type?: string; hint?: string; required?: boolean; dir?: string } = {}): Html {
  return html`<div><label for="${id}">${label}${extra.hint ? html` <span class="hint">${extra.hint}</span>` : ''}</label>${fieldError(errors, id)}<input id="${id}" name="${id}" type="${extra.type ?? 'text'}" value="${value}"${extra.required ? ' required' : ''}${extra.dir ? html` dir="${extra.dir}"` : ''}${described(errors, id)}></div>`;
}

/** Styles of the newsroom pages only (photos beside their text, channel previews). */
export const NEWSROOM_CSS = raw(`<style>
form.wide{max-width:48rem}
${RTE_CSS}
fieldset.stack{display:grid;gap:.6rem;margin:0}
fieldset.stack legend{font-weight:700}
nav.row{display:flex;gap:.4rem 1rem;flex-wrap:wrap;margin-block-end:.75rem}
.card form.row{margin-block-end:.5rem}
ul.photos{list-style:none;padding:0;display:grid;gap:1rem}
li.photo{display:flex;gap:1rem;flex-wrap:wrap;align-items:start}
li.photo img{max-inline-size:10rem;block-size:auto;border-radius:.25rem}
pre.preview{white-space:pre-wrap;background:#f4f6f9;padding:.5rem;border-radius:.25rem;font:inherit}
.week{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:.5rem}
.week a{overflow-wrap:anywhere}
.week section{background:#fff;border:1px solid #dde3ea;border-radius:.375rem;padding:.5rem}
.week h3{margin:0 0 .25rem}
.week ul{padding-inline-start:1rem;margin:0}
.tag{display:inline-block;background:#e9eef4;border-radius:.25rem;padding:0 .3rem;font-size:.8rem;margin-inline-end:.2rem}
</style>`);
