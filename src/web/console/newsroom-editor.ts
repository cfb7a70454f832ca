// The editor of one material: its language versions, photos, workflow, channel previews and history.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { withCommunity, type Tx } from '../../db/db.ts';
import { LANGS, t, type Lang } from '../../i18n/i18n.ts';
import type { Texts } from '../../db/types.ts';
import { channelStatus, listDeliveries, previewFor } from '../../modules/channels/service.ts';
import type { ChannelKind } from '../../modules/channels/types.ts';
import { mediaPath, videoPath } from '../../modules/media/service.ts';
import { recentVideos, videoFacts } from './media.ts';
import { getMaterial, materialUrl, versionHistory, type MaterialFull } from '../../modules/newsroom/service.ts';
import { listCampaigns, listCategories, listRubrics } from '../../modules/newsroom/taxonomy.ts';
import { photosOf } from '../../modules/newsroom/photos.ts';
import { publicationOf } from '../../modules/newsroom/delivery.ts';
import { availableActions, canCorrect, canEdit, isWriter } from '../../modules/newsroom/workflow.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { NEWSROOM_CSS, siteOf, type Errors, type Form, fieldError, materialInput, versionInput } from './newsroom-form.ts';
import { materialFields, versionFields, type MaterialValues, type VersionValues, type Vocabulary } from './newsroom-fields.ts';
import { localValue } from './datetime.ts';

export type EditorState = { form?: Form; errors?: Errors; notice?: string | null; error?: string | null };

export async function vocabulary(tx: Tx): Promise<Vocabulary> {
  return { categories: await listCategories(tx), rubrics: await listRubrics(tx), campaigns: await listCampaigns(tx), videos: await recentVideos(tx, 50) };
}

const materialValues = (m: MaterialFull, lang: Lang): MaterialValues => ({
  type: m.type, category_id: m.category_id ?? '', rubric_id: m.rubric_id ?? '', campaign_id: m.campaign_id ?? '', place: m.place ?? '',
  urgent: m.urgent, video_url: m.video_url ?? '', video_media_id: m.video_media_id ?? '', tags: m.tags.map((x) => (x.names as Texts)[lang] ?? Object.values(x.names as Texts)[0] ?? x.slug).join(', '),
});
const fromForm = (f: Form): { m: MaterialValues; v: VersionValues } => ({ m: materialInput(f), v: versionInput(f) });

export async function editorPage(app: App, req: FastifyRequest, reply: FastifyReply, id: string, state: EditorState = {}, code = 200) {
  const lang = consoleLang(req);
  const s = req.staff!;
  const c = req.community;
  const q = req.query as { v?: string };
  const data = await withCommunity(app.db, c.id, async (tx) => {
    const m = await getMaterial(tx, id);
    const v = m.versions.find((x) => x.lang === q.v) ?? m.versions.find((x) => x.lang === lang) ?? m.versions[0];
    return {
      m, v, voc: await vocabulary(tx), status: await channelStatus(tx), history: v ? await versionHistory(tx, v.id) : [],
      photos: await photosOf(tx, m), video: m.video_media_id ? await tx.selectFrom('media_items').select(['id', 'format', 'filename', 'duration_ms', 'width', 'height', 'bytes', 'poster', 'poster_problem', 'variants_at'])
        .where('id', '=', m.video_media_id).executeTakeFirst() : undefined,
      deliveries: await listDeliveries(tx, { sourceType: 'material', sourceId: m.id, limit: 50 }),
      publication: v ? await publicationOf(tx, v, siteOf(app, req)) : null,
    };
  });
  const { m, v } = data;
  // The material's own video stays choosable even when it is older than the library's latest.
  if (data.video && data.voc.videos && !data.voc.videos.some((x) => x.id === data.video!.id)) data.voc.videos.push(data.video);
  const base = `${consoleBase(req)}/newsroom/materials/${m.id}`;
  const vbase = `${base}/versions/${v.id}`;
  const textLang = v.lang;
  const values = state.form ? fromForm(state.form) : { m: materialValues(m, textLang), v: { title: v.title, lead: v.lead, body_html: v.body_html, channels: v.channels, channel_texts: v.channel_texts } };
  const errors = state.errors ?? {};
  const editable = canEdit(s, v.status);
  const correctable = canCorrect(s, v.status);
  const tabs = html`<nav class="row" aria-label="${t(lang, 'newsroom.editor.versions')}">${m.versions.map((x) => html`<a href="${base}?v=${x.lang}"${x.id === v.id ? raw(' aria-current="page"') : ''}>${t(lang, `lang.${x.lang}`)} · ${t(lang, `newsroom.status.${x.status}`)}</a>`)}
${isWriter(s) ? LANGS.filter((l) => !m.versions.some((x) => x.lang === l)).map((l) => html`<a href="${base}/add?to=${l}">${t(lang, 'newsroom.editor.add_version', { lang: t(lang, `lang.${l}`) })}</a>`) : ''}</nav>`;
  const facts = html`<dl class="facts">
<dt>${t(lang, 'newsroom.field.status')}</dt><dd data-testid="status">${t(lang, `newsroom.status.${v.status}`)} · ${t(lang, 'newsroom.editor.revision', { n: v.revision })}</dd>
${v.status === 'scheduled' && v.scheduled_at ? html`<dt>${t(lang, 'newsroom.field.schedule_at')}</dt><dd>${t(lang, 'newsroom.editor.scheduled_for', { date: when(req, v.scheduled_at) })}</dd>` : ''}
${v.corrected_at ? html`<dt>${t(lang, 'newsroom.status.updated')}</dt><dd data-testid="updated-note">${t(lang, 'newsroom.editor.updated_note', { date: when(req, v.corrected_at), note: v.correction_note ?? '' })}</dd>` : ''}
${v.status === 'published' ? html`<dt>${t(lang, 'newsroom.editor.public_link')}</dt><dd><a href="${materialUrl(req.base, v.lang, v.slug)}" dir="auto">${v.slug}</a></dd>` : ''}
</dl>`;
  const body = html`${NEWSROOM_CSS}${tabs}<section class="card">${facts}</section>
${workflow(req, reply, lang, vbase, s, v, m.urgent, errors)}
${editable || correctable ? html`<form class="stack wide" method="post" action="${vbase}/${correctable ? 'correct' : 'save'}" data-testid="editor">${hidden(req, reply)}
${materialFields(lang, c.default_lang, values.m, data.voc, errors)}
${versionFields(lang, textLang, values.v, data.status, errors)}
${correctable ? html`<div><label for="note">${t(lang, 'newsroom.field.correction_note')}</label>${fieldError(errors, 'note')}<input id="note" name="note" required value="${state.form?.note ?? ''}"></div>` : ''}
<div><button type="submit">${t(lang, correctable ? 'newsroom.editor.correct' : 'newsroom.editor.save')}</button></div></form>`
    : html`<section class="card"><p class="muted">${t(lang, 'newsroom.editor.read_only')}</p><h2 lang="${textLang}" dir="auto">${v.title}</h2><p lang="${textLang}" dir="auto"><strong>${v.lead}</strong></p><div lang="${textLang}" dir="auto">${raw(v.body_html)}</div></section>`}
${photosSection(req, reply, lang, base, textLang, data.photos, isWriter(s))}
${videoSection(req, reply, lang, base, textLang, data.video, isWriter(s), app.config.videoMaxBytes)}
${previewSection(lang, v.channels as ChannelKind[], data.publication)}
${data.deliveries.length ? html`<section class="card"><h2>${t(lang, 'newsroom.editor.deliveries')}</h2><table data-testid="deliveries"><thead><tr><th>${t(lang, 'newsroom.field.channels')}</th><th>${t(lang, 'newsroom.field.lang')}</th><th>${t(lang, 'newsroom.field.status')}</th><th>${t(lang, 'newsroom.field.updated')}</th></tr></thead><tbody>
${data.deliveries.map((d) => html`<tr><td>${t(lang, `channels.name.${d.channel}`)} · ${d.action} · ${d.version}</td><td>${t(lang, `lang.${d.lang}`)}</td><td>${d.status}</td><td>${when(req, d.updated_at)}</td></tr>`)}</tbody></table></section>` : ''}
<section class="card"><h2>${t(lang, 'newsroom.editor.history')}</h2><ol data-testid="history">${data.history.map((h) => html`<li><strong>${t(lang, 'newsroom.editor.revision', { n: h.revision })}</strong> · ${t(lang, `newsroom.status.${h.status}` as 'newsroom.status.draft')} · ${when(req, h.at)}${h.actor_label ? ` · ${h.actor_label}` : ''}<br><span lang="${textLang}" dir="auto">${h.title}</span>${h.note ? html`<br><em>${h.note}</em>` : ''}</li>`)}</ol></section>`;
  return sendConsole(req, reply, { title: v.title, body, active: '/newsroom', notice: state.notice, error: state.error }, code);
}

function workflow(req: FastifyRequest, reply: FastifyReply, lang: Lang, vbase: string, s: NonNullable<FastifyRequest['staff']>, v: MaterialFull['versions'][number], urgent: boolean, errors: Errors): Html {
  const actions = availableActions(s, v.status, urgent);
  const tz = req.community.time_zone;
  const form = (a: string, fields: Html | string = '', cls = '') =>
    html`<form class="row" method="post" action="${vbase}/${a}">${hidden(req, reply)}${fields}<div><button type="submit"${cls ? html` class="${cls}"` : ''}>${t(lang, `newsroom.action.${a}` as 'newsroom.action.submit')}</button></div></form>`;
  const items = actions.map((a) => {
    if (a === 'schedule') {
      const value = v.scheduled_at ? localValue(v.scheduled_at, tz) : '';
      return form(a, html`<div><label for="scheduled_at">${t(lang, 'newsroom.field.schedule_at')} <span class="hint">${t(lang, 'newsroom.field.schedule_hint', { zone: tz })}</span></label>${fieldError(errors, 'scheduled_at')}<input id="scheduled_at" name="scheduled_at" type="datetime-local" value="${value}" required dir="ltr"></div>`);
    }
    if (a === 'return') return form(a, html`<div><label for="return-note">${t(lang, 'newsroom.field.note')}</label><input id="return-note" name="note" required></div>`, 'secondary');
    return form(a, '', a === 'archive' || a === 'unpublish' ? 'danger' : a === 'publish' || a === 'approve' || a === 'submit' ? '' : 'secondary');
  });
  return html`<section class="card" data-testid="workflow"><h2>${t(lang, 'newsroom.editor.workflow')}</h2>${items.length ? items : html`<p class="muted">${t(lang, 'newsroom.editor.no_actions')}</p>`}</section>`;
}

function photosSection(req: FastifyRequest, reply: FastifyReply, lang: Lang, base: string, textLang: Lang, photos: Awaited<ReturnType<typeof photosOf>>, writer: boolean): Html {
  const d = textLang === 'fa' ? 'rtl' : 'ltr';
  const list = photos.map(({ role, item }) => {
    const alt = (item.alt as Texts)[textLang] ?? '';
    return html`<li class="photo"><img src="${mediaPath(req.base, item.id, 'w320', 'jpg')}" alt="${alt}" width="160" loading="lazy">
<div><strong>${t(lang, role === 'cover' ? 'newsroom.photos.cover' : 'newsroom.photos.gallery')}</strong>${alt ? '' : html` <span class="overdue">${t(lang, 'newsroom.photos.no_alt')}</span>`}
${writer ? html`<form class="stack" method="post" action="${base}/photos/${item.id}/text">${hidden(req, reply)}<input type="hidden" name="lang" value="${textLang}">
<div><label for="alt-${item.id}">${t(lang, 'newsroom.photos.alt')}</label><input id="alt-${item.id}" name="alt" value="${alt}" lang="${textLang}" dir="${d}" required></div>
<div><label for="caption-${item.id}">${t(lang, 'newsroom.photos.caption')}</label><input id="caption-${item.id}" name="caption" value="${(item.caption as Texts)[textLang] ?? ''}" lang="${textLang}" dir="${d}"></div>
<div class="row"><button type="submit" class="secondary">${t(lang, 'newsroom.photos.save_text')}</button></div></form>
<form method="post" action="${base}/photos/${item.id}/remove">${hidden(req, reply)}<button type="submit" class="danger">${t(lang, 'newsroom.photos.remove')}</button></form>` : ''}</div></li>`;
  });
  const upload = writer ? html`<form class="stack" method="post" action="${base}/photos" enctype="multipart/form-data" data-testid="upload">${hidden(req, reply)}<input type="hidden" name="lang" value="${textLang}">
<div><label for="photo">${t(lang, 'newsroom.photos.file')}</label><input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic" required></div>
<div><label for="role">${t(lang, 'newsroom.photos.role')}</label><select id="role" name="role"><option value="cover">${t(lang, 'newsroom.photos.cover')}</option><option value="gallery">${t(lang, 'newsroom.photos.gallery')}</option></select></div>
<div><label for="new-alt">${t(lang, 'newsroom.photos.alt')}</label><input id="new-alt" name="alt" lang="${textLang}" dir="${d}"></div>
<div><label for="new-caption">${t(lang, 'newsroom.photos.caption')}</label><input id="new-caption" name="caption" lang="${textLang}" dir="${d}"></div>
<div><label for="credit">${t(lang, 'newsroom.photos.credit')}</label><input id="credit" name="credit"></div>
<div><button type="submit">${t(lang, 'newsroom.photos.upload')}</button></div></form>` : '';
  return html`<section class="card"><h2>${t(lang, 'newsroom.photos.title')}</h2>${list.length ? html`<ul class="photos">${list}</ul>` : html`<p class="muted">${t(lang, 'newsroom.photos.none')}</p>`}${upload}</section>`;
}

type EditorVideo = { id: string; format: string; filename: string | null; duration_ms: number | null; width: number; height: number; bytes: number; poster: boolean; poster_problem: string | null; variants_at: Date | null };

/** The material's uploaded video (chosen in the fields above) and a form to upload a new one. */
function videoSection(req: FastifyRequest, reply: FastifyReply, lang: Lang, base: string, textLang: Lang, v: EditorVideo | undefined, writer: boolean, maxBytes: number): Html {
  const current = v ? html`<p data-testid="video">${v.poster ? html`<img src="${mediaPath(req.base, v.id, v.width >= 320 ? 'w320' : 'original', 'jpg')}" alt="" width="160" loading="lazy"> ` : ''}
<a href="${videoPath(req.base, v.id, v.format as 'mp4')}">${t(lang, 'newsroom.video.current', { name: v.filename ?? v.id.slice(0, 8) })}</a> · ${videoFacts(v)}${v.poster ? '' : html` · ${t(lang, !v.variants_at ? 'media.console.poster_pending' : v.poster_problem === 'no_ffmpeg' ? 'media.console.no_poster_ffmpeg' : 'media.console.no_poster_frame')}`}</p>`
    : html`<p class="muted">${t(lang, 'newsroom.video.none')}</p>`;
  const upload = writer ? html`<form class="stack" method="post" action="${base}/video" enctype="multipart/form-data" data-testid="upload-video">${hidden(req, reply)}<input type="hidden" name="lang" value="${textLang}">
<div><label for="video">${t(lang, 'media.console.video_file')} <span class="hint" id="video-hint">${t(lang, 'media.console.video_hint', { max: Math.round(maxBytes / 1024 / 1024) })}</span></label><input id="video" name="video" type="file" accept="video/mp4,video/webm,.mp4,.m4v,.webm" required aria-describedby="video-hint"></div>
<div><label for="video-credit">${t(lang, 'newsroom.video.credit')}</label><input id="video-credit" name="credit" maxlength="120"></div>
<div><button type="submit">${t(lang, 'newsroom.video.upload')}</button></div></form>` : '';
  return html`<section class="card"><h2>${t(lang, 'newsroom.video.title')}</h2>${current}${upload}</section>`;
}

function previewSection(lang: Lang, channels: ChannelKind[], p: Awaited<ReturnType<typeof publicationOf>> | null): Html {
  if (!p || !channels.length) return html``;
  return html`<section class="card" data-testid="preview"><h2>${t(lang, 'newsroom.editor.preview')}</h2><p class="hint">${t(lang, 'newsroom.editor.preview_hint')}</p>
${channels.map((k) => {
    const pv = previewFor(k, p);
    return html`<details><summary>${t(lang, `channels.name.${k}`)}</summary>${pv.warnings.map((w) => html`<p class="alert">${t(lang, w)}</p>`)}
${pv.parts.map((part) => html`<pre class="preview" lang="${p.lang}" dir="auto">${part}</pre>`)}</details>`;
  })}</section>`;
}
