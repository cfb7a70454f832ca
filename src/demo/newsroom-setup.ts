// Demo newsroom vocabulary: categories, rubrics (recurring series) and campaigns per community.
// The demo materials (src/demo/news.ts) use these codes.
import type { Tx } from '../db/db.ts';
import type { Texts } from '../db/types.ts';
import { ensureTags } from '../modules/newsroom/taxonomy.ts';

type Term = { code: string; names: Texts };
type DemoCampaign = { code: string; names: Texts; goals: Texts; tag: string; startsOn: string; endsOn: string; channels: string[] };

export const DEMO_NEWS_CATEGORIES: Term[] = [
  { code: 'civil-works', names: { uk: 'Благоустрій і будівництво', en: 'Civil works', fa: 'عمران و ساخت‌وساز' } },
  { code: 'utilities', names: { uk: 'Комунальні послуги', en: 'Utilities', fa: 'خدمات شهری' } },
  { code: 'culture', names: { uk: 'Культура', en: 'Culture', fa: 'فرهنگ' } },
  { code: 'social-support', names: { uk: 'Соціальний захист', en: 'Social support', fa: 'حمایت اجتماعی' } },
  { code: 'security', names: { uk: 'Безпека', en: 'Security', fa: 'امنیت' } },
  { code: 'education', names: { uk: 'Освіта', en: 'Education', fa: 'آموزش' } },
  { code: 'health', names: { uk: 'Здоров’я', en: 'Health', fa: 'سلامت' } },
  { code: 'transport', names: { uk: 'Транспорт', en: 'Transport', fa: 'حمل‌ونقل' } },
  { code: 'council', names: { uk: 'Рада і влада', en: 'Council and government', fa: 'شورا و مدیریت شهری' } },
  { code: 'sport', names: { uk: 'Спорт', en: 'Sport', fa: 'ورزش' } },
];

export const DEMO_NEWS_RUBRICS: Record<string, Term[]> = {
  zelenodolsk: [
    { code: 'nine-questions', names: { uk: '9 питань посадовцю', en: '9 questions to an official', fa: '۹ پرسش از یک مسئول' } },
    { code: 'for-veterans', names: { uk: 'Для ветеранів', en: 'For veterans', fa: 'برای کهنه‌سربازان' } },
    { code: 'nine-minutes-mayor', names: { uk: '9 хвилин з міським головою', en: '9 minutes with the mayor', fa: '۹ دقیقه با شهردار' } },
    { code: 'city-in-numbers', names: { uk: 'Місто в цифрах', en: 'The city in numbers', fa: 'شهر در اعداد' } },
  ],
  khomein: [
    { code: 'meet-the-mayor', names: { fa: 'دیدار با شهردار', en: 'Meet the mayor', uk: 'Зустріч із мером' } },
    { code: 'city-projects', names: { fa: 'پروژه‌های شهری', en: 'City projects', uk: 'Міські проєкти' } },
    { code: 'citizens-ask', names: { fa: 'شهروندان می‌پرسند', en: 'Citizens ask', uk: 'Мешканці питають' } },
  ],
};

export const DEMO_CAMPAIGNS: Record<string, DemoCampaign[]> = {
  zelenodolsk: [{
    code: 'barrier-free', names: { uk: 'Рух без бар’єрів', en: 'Movement without barriers', fa: 'حرکت بدون مانع' },
    goals: { uk: 'Зробити вулиці, транспорт і установи громади доступними для всіх: людей на візках, з дітьми, літніх, ветеранів.', en: 'Make the community’s streets, transport and offices accessible to everyone.' },
    tag: 'безбар’єрність', startsOn: '2026-01-01', endsOn: '2026-12-31', channels: ['telegram', 'facebook', 'webpush'],
  }],
  khomein: [{
    code: 'clean-city', names: { fa: 'شهر پاک', en: 'Clean city', uk: 'Чисте місто' },
    goals: { fa: 'کاهش پسماند و تفکیک زباله از مبدأ با همراهی شهروندان.', en: 'Less waste and sorting at source, together with residents.' },
    tag: 'شهر پاک', startsOn: '2026-03-21', endsOn: '2027-03-20', channels: ['eitaa', 'webpush'],
  }],
};

/** Loads the vocabulary into the community whose `app.community_id` the transaction carries. */
export async function loadDemoNewsroom(tx: Tx, communityId: string, slug: string, lang: 'uk' | 'fa') {
  for (const [i, c] of DEMO_NEWS_CATEGORIES.entries()) {
    await tx.insertInto('news_categories').values({ community_id: communityId, code: c.code, names: JSON.stringify(c.names), position: i }).execute();
  }
  for (const r of DEMO_NEWS_RUBRICS[slug] ?? []) {
    await tx.insertInto('news_rubrics').values({ community_id: communityId, code: r.code, names: JSON.stringify(r.names) }).execute();
  }
  for (const c of DEMO_CAMPAIGNS[slug] ?? []) {
    const [tagId] = await ensureTags(tx, communityId, lang, [c.tag]);
    await tx.insertInto('campaigns').values({
      community_id: communityId, code: c.code, names: JSON.stringify(c.names), goals: JSON.stringify(c.goals), tag_id: tagId,
      starts_on: c.startsOn, ends_on: c.endsOn, channels: c.channels,
    }).execute();
  }
}
