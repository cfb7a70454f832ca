// Subscribing to outages in the city's Telegram bot, by a short conversation: /outages (or
// "відключення") → the bot asks for the address → the resident sends it → the register's
// search (the same as the portal's "is my address affected?") → one match: "is it this one?"
// with Yes / Another address buttons; several: the choices as buttons; none: a clear message.
// Confirmed: an outage subscription on channel telegram for the chat, all kinds. /mysubs lists
// the chat's subscriptions and ends one or all. The step and the offered addresses wait in
// telegram_conversations for 30 minutes.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withSystem } from '../../db/db.ts';
import { formatNumber, LANGS, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { addressById, resolveAddress, type AddressMatch } from '../addresses/service.ts';
import { systemActor, type Actor } from '../audit/service.ts';
import type { Community } from '../communities/service.ts';
import { endSubscriptionsTo, subscribe, unsubscribe } from './service.ts';

const TTL_MINUTES = 30;
const MAX_ADDRESS = 200;

/** What the bot says: text, and buttons (a reply keyboard) or none (the keyboard is removed). */
export type BotReply = { text: string; keyboard?: string[][] };

type Step = 'address' | 'confirm' | 'choose' | 'unsubscribe';
type Offered = { streetId: string; buildingId: string | null; number: string | null };
type Listed = { id: string };

// What starts or steers a conversation, in any of the three languages (and Russian for the
// words people type anyway). Buttons send their own text back; numbers pick from a list.
const norm = (s: string) => s.trim().toLowerCase().replace(/@\w+$/, '').replace(/[.!?]+$/u, '');
const allLangs = (key: MessageKey) => LANGS.map((l) => norm(t(l, key)));
const START = new Set(['/outages', '/subscribe', 'відключення', 'outages', 'outage', 'قطعی', 'قطعی‌ها', 'отключения']);
const LIST = new Set(['/mysubs', '/subscriptions', '/unsubscribe', 'мої підписки', 'my subscriptions', 'اشتراک‌های من']);
const CANCEL = new Set(['/cancel', 'скасувати', 'cancel', 'لغو', 'отмена', ...allLangs('outages.bot.cancel')]);
const YES = new Set(['так', 'yes', 'y', 'ok', 'бله', 'بله', 'да', ...allLangs('outages.bot.yes')]);
const OTHER = new Set(allLangs('outages.bot.other'));
const END_ALL = new Set(allLangs('outages.bot.end_all'));

const asciiDigits = (s: string) => s.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))).replace(/[٠-٩]/g, (d) => String('٠١٢٣٤٥٦٧٨٩'.indexOf(d)));
/** "2", "2. вул. …", "❌ 2. …" → 1 (zero-based), when within the list. */
function picked(text: string, n: number): number | null {
  const m = /^(?:❌\s*)?(\d{1,2})(?:[.)]|\s|$)/u.exec(asciiDigits(text.trim()));
  const i = m ? Number(m[1]) - 1 : -1;
  return i >= 0 && i < n ? i : null;
}
const numbered = (lang: Lang, labels: string[], mark = '') => labels.map((l, i) => `${mark}${formatNumber(lang, i + 1)}. ${l}`);

async function load(tx: Tx, chatId: string) {
  return tx.selectFrom('telegram_conversations').select(['step', 'options']).where('chat_id', '=', chatId).where('expires_at', '>', new Date()).executeTakeFirst();
}
async function save(tx: Tx, communityId: string, chatId: string, step: Step, options: unknown[] = []) {
  const expires_at = new Date(Date.now() + TTL_MINUTES * 60_000);
  await tx.insertInto('telegram_conversations').values({ community_id: communityId, chat_id: chatId, step, options: JSON.stringify(options), expires_at })
    .onConflict((oc) => oc.columns(['community_id', 'chat_id']).doUpdateSet({ step, options: JSON.stringify(options), expires_at, updated_at: sql`now()` })).execute();
}
const clear = (tx: Tx, chatId: string) => tx.deleteFrom('telegram_conversations').where((eb) => eb.or([eb('chat_id', '=', chatId), eb('expires_at', '<', new Date())])).execute();

/**
 * One message of a private chat with the bot, in `community`. Returns the reply, or null when
 * the message is no part of an outage conversation (the caller answers with its help).
 */
export async function outageConversation(tx: Tx, input: { community: Community; chatId: string; text: string; lang: Lang }): Promise<BotReply | null> {
  const { community, chatId, lang } = input;
  const text = input.text.trim();
  const word = norm(text);
  const cancel = [[t(lang, 'outages.bot.cancel')]];

  if (CANCEL.has(word)) {
    await clear(tx, chatId);
    return { text: t(lang, 'outages.bot.cancelled') };
  }
  if (START.has(word) || word === '/start outages') {
    await clear(tx, chatId);
    await save(tx, community.id, chatId, 'address');
    return { text: t(lang, 'outages.bot.ask_address'), keyboard: cancel };
  }
  if (LIST.has(word)) return listSubscriptions(tx, community, chatId, lang);

  const state = await load(tx, chatId);
  if (!state) return null;
  const options = state.options as unknown[];
  switch (state.step) {
    case 'address':
      if (text.startsWith('/')) return null;
      return findAddress(tx, community, chatId, lang, text);
    case 'confirm': {
      if (YES.has(word)) return confirm(tx, community, chatId, lang, options[0] as Offered);
      if (OTHER.has(word)) {
        await save(tx, community.id, chatId, 'address');
        return { text: t(lang, 'outages.bot.ask_address'), keyboard: cancel };
      }
      if (text.startsWith('/')) return null;
      return findAddress(tx, community, chatId, lang, text);
    }
    case 'choose': {
      // Choosing from the list is the confirmation: the resident saw the address in full.
      const i = picked(text, options.length);
      if (i !== null) return confirm(tx, community, chatId, lang, options[i] as Offered);
      if (text.startsWith('/')) return null;
      return findAddress(tx, community, chatId, lang, text);
    }
    case 'unsubscribe': {
      const ids = (options as Listed[]).map((o) => o.id);
      if (END_ALL.has(word)) return endSubscriptions(tx, community, chatId, lang, ids, true);
      const i = picked(text, ids.length);
      if (i !== null) return endSubscriptions(tx, community, chatId, lang, [ids[i]], false);
      await clear(tx, chatId);
      return null;
    }
  }
}

/** The register's search on what the resident typed. */
async function findAddress(tx: Tx, community: Community, chatId: string, lang: Lang, text: string): Promise<BotReply> {
  const cancel = [t(lang, 'outages.bot.cancel')];
  const r = text.length <= MAX_ADDRESS ? await resolveAddress(tx, text, lang, community.default_lang) : ({ status: 'none' } as const);
  if (r.status === 'none') {
    await save(tx, community.id, chatId, 'address');
    return { text: t(lang, 'outages.bot.none'), keyboard: [cancel] };
  }
  if (r.status === 'matched') {
    const shown = await subscribedAddress(tx, community, lang, r.match);
    await save(tx, community.id, chatId, 'confirm', [offer(r.match)]);
    return { text: t(lang, 'outages.bot.confirm', { address: shown.label }), keyboard: [[t(lang, 'outages.bot.yes')], [t(lang, 'outages.bot.other')], cancel] };
  }
  const labels = await Promise.all(r.options.map(async (o) => (await subscribedAddress(tx, community, lang, o)).label));
  await save(tx, community.id, chatId, 'choose', r.options.map(offer));
  const choices = numbered(lang, labels);
  return { text: [t(lang, 'outages.bot.choose'), ...choices].join('\n'), keyboard: [...choices.map((c) => [c]), cancel] };
}

const offer = (m: AddressMatch): Offered => ({ streetId: m.streetId, buildingId: m.buildingId, number: m.number });

/** What a subscription covers: the building when the register has it, else the whole street
 * (a number the register does not know cannot be matched later), so the label says so. */
async function subscribedAddress(tx: Tx, community: Community, lang: Lang, o: Offered): Promise<AddressMatch> {
  return (await addressById(tx, o.streetId, o.buildingId, null, lang, community.default_lang)) ?? ({ ...o, label: '', formerName: null, lat: null, lon: null, districtId: null } as AddressMatch);
}

async function confirm(tx: Tx, community: Community, chatId: string, lang: Lang, o: Offered | undefined): Promise<BotReply> {
  const a = o ? await addressById(tx, o.streetId, o.buildingId, null, lang, community.default_lang) : null;
  if (!a) {
    // The register changed under the conversation: start the address again.
    await save(tx, community.id, chatId, 'address');
    return { text: `${t(lang, 'outages.bot.none')}\n${t(lang, 'outages.bot.ask_address')}`, keyboard: [[t(lang, 'outages.bot.cancel')]] };
  }
  // A chat bound to a resident of this community (the cabinet's "Connect Telegram") is theirs.
  const resident = await tx.selectFrom('residents').select('id').where('telegram_chat_id', '=', chatId).executeTakeFirst();
  const actor: Actor = resident ? { type: 'resident', id: resident.id, label: null, communityId: community.id, requestId: null, ip: null } : systemActor(community.id, 'telegram-bot');
  const made = await subscribe(tx, { communityId: community.id, residentId: resident?.id ?? null, channel: 'telegram', recipient: chatId, address: a, kinds: [], lang }, actor);
  await clear(tx, chatId);
  return { text: t(lang, made ? 'outages.bot.done' : 'outages.bot.already', { address: a.label }) };
}

const chatSubscriptions = (tx: Tx, chatId: string) => tx.selectFrom('outage_subscriptions').select(['id', 'street_id', 'building_id', 'unsubscribe_token'])
  .where('channel', '=', 'telegram').where('recipient', '=', chatId).where('ended_at', 'is', null).orderBy('created_at').limit(20).execute();

async function listSubscriptions(tx: Tx, community: Community, chatId: string, lang: Lang): Promise<BotReply> {
  const subs = await chatSubscriptions(tx, chatId);
  if (!subs.length) {
    await clear(tx, chatId);
    return { text: t(lang, 'outages.bot.list_none') };
  }
  const labels = await Promise.all(subs.map(async (s) => (await addressById(tx, s.street_id, s.building_id, null, lang, community.default_lang))?.label ?? '—'));
  await save(tx, community.id, chatId, 'unsubscribe', subs.map((s): Listed => ({ id: s.id })));
  const items = numbered(lang, labels);
  return {
    text: [t(lang, 'outages.bot.list'), ...items, '', t(lang, 'outages.bot.list_hint')].join('\n'),
    keyboard: [...numbered(lang, labels, '❌ ').map((b) => [b]), ...(subs.length > 1 ? [[t(lang, 'outages.bot.end_all')]] : []), [t(lang, 'outages.bot.cancel')]],
  };
}

async function endSubscriptions(tx: Tx, community: Community, chatId: string, lang: Lang, ids: string[], all: boolean): Promise<BotReply> {
  const subs = (await chatSubscriptions(tx, chatId)).filter((s) => ids.includes(s.id));
  for (const s of subs) await unsubscribe(tx, s.unsubscribe_token);
  await clear(tx, chatId);
  if (all || !subs.length) return { text: t(lang, all ? 'outages.bot.ended_all' : 'outages.bot.list_none') };
  const a = await addressById(tx, subs[0].street_id, subs[0].building_id, null, lang, community.default_lang);
  return { text: t(lang, 'outages.bot.ended', { address: a?.label ?? '—' }) };
}

/** The bot's /stop: no more outage messages to this chat either, in any community. */
export async function endChatSubscriptions(db: Db, chatId: string): Promise<number> {
  return withSystem(db, async (tx) => {
    await tx.deleteFrom('telegram_conversations').where('chat_id', '=', chatId).execute();
    return endSubscriptionsTo(tx, 'telegram', chatId);
  });
}
