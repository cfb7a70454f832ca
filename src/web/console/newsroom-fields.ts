// The editor's form fields: the material's shared fields and one language version's text and channels.
import { html, type Html } from '../../http/html.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { textIn } from '../text.ts';
import { CHANNELS, type ChannelKind } from '../../modules/channels/types.ts';
import { MATERIAL_TYPES } from '../../modules/newsroom/tables.ts';
import type { Texts } from '../../db/types.ts';
import { richEditor } from './newsroom-rte.ts';
import { videoFacts } from './media.ts';
import { fieldError, described, input, select, type Errors } from './newsroom-form.ts';

export type Vocabulary = {
  categories: Array<{ id: string; names: Texts }>;
  rubrics: Array<{ id: string; names: Texts }>;
  campaigns: Array<{ id: string; names: Texts }>;
  /** The library's videos a material may use (newest first). */
  videos?: Array<{ id: string; format: string; filename: string | null; duration_ms: number | null; width: number; height: number; bytes: number }>;
};

export type MaterialValues = { type: string; category_id: string; rubric_id: string; campaign_id: string; place: string; urgent: boolean; video_url: string; video_media_id?: string; tags: string };
export type VersionValues = { title: string; lead: string; body_html: string; channels: string[]; channel_texts: Partial<Record<ChannelKind, string>> };

export function materialFields(lang: Lang, fallback: Lang, v: MaterialValues, voc: Vocabulary, errors: Errors): Html {
  const named = (rows: Array<{ id: string; names: Texts }>) => rows.map((r) => [r.id, textIn(r.names, lang, fallback)] as [string, Html | string]);
  const none = t(lang, 'newsroom.field.none');
  return html`<fieldset class="stack"><legend>${t(lang, 'newsroom.editor.material')}</legend>
${select('type', t(lang, 'newsroom.field.type'), MATERIAL_TYPES.map((x) => [x, t(lang, `newsroom.type.${x}`)]), v.type, errors)}
${select('category_id', t(lang, 'newsroom.field.category'), named(voc.categories), v.category_id, errors, none)}
${select('rubric_id', t(lang, 'newsroom.field.rubric'), named(voc.rubrics), v.rubric_id, errors, none)}
${select('campaign_id', t(lang, 'newsroom.field.campaign'), named(voc.campaigns), v.campaign_id, errors, none)}
${input('place', t(lang, 'newsroom.field.place'), v.place, errors)}
${input('tags', t(lang, 'newsroom.field.tags'), v.tags, errors, { hint: t(lang, 'newsroom.field.tags_hint') })}
${input('video_url', t(lang, 'newsroom.field.video_url'), v.video_url, errors, { type: 'url', dir: 'ltr' })}
${voc.videos?.length || v.video_media_id ? select('video_media_id', t(lang, 'newsroom.field.video_media'),
    (voc.videos ?? []).map((x) => [x.id, `${x.filename ?? x.id.slice(0, 8)} · ${videoFacts(x)}`] as [string, string]), v.video_media_id ?? '', errors, t(lang, 'newsroom.field.video_media_none')) : ''}
<div><label><input type="checkbox" name="urgent"${v.urgent ? ' checked' : ''}> ${t(lang, 'newsroom.field.urgent')}</label></div>
</fieldset>`;
}

/** A version's text in its own language and direction, whatever the console's language is. */
export function versionFields(lang: Lang, textLang: Lang, v: VersionValues, status: Record<string, string>, errors: Errors): Html {
  const d = textLang === 'fa' ? 'rtl' : 'ltr';
  return html`<fieldset class="stack"><legend>${t(lang, `lang.${textLang}`)}</legend>
<div><label for="title">${t(lang, 'newsroom.field.title')}</label>${fieldError(errors, 'title')}<input id="title" name="title" value="${v.title}" required maxlength="300" lang="${textLang}" dir="${d}"${described(errors, 'title')}></div>
<div><label for="lead">${t(lang, 'newsroom.field.lead')}</label>${fieldError(errors, 'lead')}<textarea id="lead" name="lead" rows="2" maxlength="1000" lang="${textLang}" dir="${d}"${described(errors, 'lead')}>${v.lead}</textarea></div>
<div><label for="body_html">${t(lang, 'newsroom.field.body')} <span class="hint" id="body-hint">${t(lang, 'newsroom.field.body_hint')}</span></label>${fieldError(errors, 'body_html')}
<textarea id="body_html" name="body_html" rows="14" lang="${textLang}" dir="${d}" aria-describedby="body-hint">${v.body_html}</textarea>${richEditor(lang, textLang)}</div>
<fieldset><legend>${t(lang, 'newsroom.field.channels')}</legend>
${CHANNELS.map((k) => html`<div><label><input type="checkbox" name="channels" value="${k}"${v.channels.includes(k) ? ' checked' : ''}> ${t(lang, `channels.name.${k}`)}${status[k] === 'connected' ? '' : html` <span class="hint">(${t(lang, 'newsroom.editor.not_connected')})</span>`}</label></div>`)}
<details${Object.keys(v.channel_texts).length ? ' open' : ''}><summary>${t(lang, 'newsroom.field.channel_texts')}</summary>
${CHANNELS.map((k) => html`<div><label for="text_${k}">${t(lang, 'newsroom.field.channel_text', { channel: t(lang, `channels.name.${k}`) })}</label><textarea id="text_${k}" name="text_${k}" rows="2" lang="${textLang}" dir="${d}">${v.channel_texts[k] ?? ''}</textarea></div>`)}
</details></fieldset>
</fieldset>`;
}
