// OASIS CAP 1.2: one message per issue, update and cancel; one <info> per language.
import { t, type Lang } from '../../i18n/i18n.ts';
import { xml } from '../../http/html.ts';
import type { Texts } from '../../db/types.ts';
import type { AlertTexts } from './tables.ts';
import type { AlertEvent } from './schema.ts';

export type CapAlert = {
  event: AlertEvent;
  capCategory: string;
  severity: string;
  urgency: string;
  certainty: string;
  texts: AlertTexts;
  areaDesc: Texts;
  polygons: [number, number][][];
  /** Districts of the community's address register: each a <geocode>, their names the area's
   * description when none was written. */
  districts?: { key: string; name: (lang: Lang) => string }[];
  expiresAt: Date;
};
export type CapMessage = { identifier: string; sender: string; sent: Date; msgType: 'Alert' | 'Update' | 'Cancel'; references: { identifier: string; sent: Date }[] };

const LOCALE: Record<Lang, string> = { uk: 'uk-UA', en: 'en-US', fa: 'fa-IR' };
/** CAP's dateTime: seconds and a numeric offset. The schema refuses "Z" and fractions. */
export const capTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
const el = (name: string, value: string | null | undefined) => (value ? `<${name}>${xml(value)}</${name}>` : '');

export function renderCap(alert: CapAlert, msg: CapMessage, opts: { communityName: (lang: Lang) => string; defaultLang: Lang; web: (lang: Lang) => string }): string {
  const langs = (['uk', 'en', 'fa'] as const).filter((l) => alert.texts[l]?.headline);
  const infos = langs.map((lang) => {
    const tx = alert.texts[lang]!;
    const districts = alert.districts ?? [];
    const area = alert.areaDesc[lang] || (districts.length ? districts.map((d) => d.name(lang)).join(', ') : '') || alert.areaDesc[opts.defaultLang] || opts.communityName(lang);
    return [
      '<info>',
      el('language', LOCALE[lang]),
      el('category', alert.capCategory),
      el('event', t(lang, `alerts.event.${alert.event}`)),
      el('responseType', msg.msgType === 'Cancel' ? 'AllClear' : alert.event === 'shelling' || alert.event === 'bomb_threat' ? 'Shelter' : 'Monitor'),
      el('urgency', msg.msgType === 'Cancel' ? 'Past' : alert.urgency),
      el('severity', alert.severity),
      el('certainty', alert.certainty),
      el('expires', capTime(alert.expiresAt)),
      el('senderName', opts.communityName(lang)),
      el('headline', tx.headline),
      el('description', tx.description),
      el('instruction', tx.instruction),
      el('web', opts.web(lang)),
      '<area>',
      el('areaDesc', area),
      ...alert.polygons.map((ring) => el('polygon', ring.map(([lat, lon]) => `${lat},${lon}`).join(' '))),
      // After polygons and circles, as the schema orders <area>. The domain of the codes: this sender's districts.
      ...districts.map((d) => `<geocode>${el('valueName', `${msg.sender}:district`)}${el('value', d.key)}</geocode>`),
      '</area>',
      '</info>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
    el('identifier', msg.identifier),
    el('sender', msg.sender),
    el('sent', capTime(msg.sent)),
    el('status', 'Actual'),
    el('msgType', msg.msgType),
    el('scope', 'Public'),
    msg.references.length ? el('references', msg.references.map((r) => `${msg.sender},${r.identifier},${capTime(r.sent)}`).join(' ')) : '',
    ...infos,
    '</alert>',
  ].join('\n');
}
