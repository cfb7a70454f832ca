import type { DemoTexts } from './data.ts';
import type { OutageKind } from '../modules/outages/tables.ts';

/** The demo communities' appeal catalogues: which organisation executes, the service target
 * (hours) and the legal term (15 or 30 days). Keys name organisations in data.ts. */
export type DemoCategory = { code: string; icon: string; names: DemoTexts; keywords?: DemoTexts; org: string; hours: number; mode?: 'working' | 'calendar'; legal?: 15 | 30; isPublic?: boolean; /** appeals linked to a known outage of this kind */ outage?: OutageKind };

export const DEMO_CATEGORIES: Record<string, DemoCategory[]> = {
  zelenodolsk: [
    { code: 'water-leak', outage: 'cold_water', icon: '🚰', org: 'vodokanal', hours: 24, mode: 'calendar', isPublic: true, names: { uk: 'Порив водопроводу, витік води', en: 'Burst water pipe, leak', fa: 'ترکیدگی لوله آب' }, keywords: { uk: 'вода труба теча порив каналізація', en: 'water pipe leak sewer' } },
    { code: 'no-water', outage: 'cold_water', icon: '💧', org: 'vodokanal', hours: 12, mode: 'calendar', isPublic: true, names: { uk: 'Відсутність водопостачання', en: 'No water supply', fa: 'قطعی آب' } },
    { code: 'no-heating', outage: 'heating', icon: '🌡️', org: 'teplo', hours: 24, mode: 'calendar', isPublic: true, names: { uk: 'Відсутність або недогрів опалення', en: 'No or insufficient heating', fa: 'قطعی یا کمبود گرمایش' }, keywords: { uk: 'тепло батареї холодно опалення' } },
    { code: 'street-light', icon: '💡', org: 'blagoustrii', hours: 72, isPublic: true, names: { uk: 'Не працює вуличне освітлення', en: 'Street light out', fa: 'خاموشی روشنایی معابر' }, keywords: { uk: 'ліхтар світло стовп' } },
    { code: 'pothole', icon: '🕳️', org: 'transport', hours: 120, legal: 30, isPublic: true, names: { uk: 'Ями на дорозі, пошкоджене покриття', en: 'Pothole, damaged road', fa: 'چاله و خرابی آسفالت' }, keywords: { uk: 'дорога яма асфальт тротуар' } },
    { code: 'waste', icon: '🗑️', org: 'blagoustrii', hours: 48, isPublic: true, names: { uk: 'Невивезене сміття, стихійне звалище', en: 'Uncollected waste, illegal dump', fa: 'زباله جمع‌آوری‌نشده' } },
    { code: 'trees', icon: '🌳', org: 'blagoustrii', hours: 120, legal: 30, isPublic: true, names: { uk: 'Аварійні дерева, обрізка, прибирання', en: 'Dangerous trees, pruning, cleaning', fa: 'درختان خطرناک و هرس' } },
    { code: 'transport', icon: '🚎', org: 'electrotrans', hours: 72, isPublic: true, names: { uk: 'Громадський транспорт: графік, маршрути', en: 'Public transport: schedule, routes', fa: 'حمل‌ونقل عمومی' } },
    { code: 'power', outage: 'electricity', icon: '⚡', org: 'oblenergo', hours: 24, mode: 'calendar', isPublic: true, names: { uk: 'Відсутність електропостачання', en: 'Power outage', fa: 'قطعی برق' } },
    { code: 'housing', icon: '🏢', org: 'housing', hours: 120, legal: 30, names: { uk: 'Утримання будинку, прибудинкова територія', en: 'Building maintenance, courtyard', fa: 'نگهداری ساختمان' } },
    { code: 'social', icon: '🤝', org: 'social', hours: 120, legal: 30, names: { uk: 'Соціальна допомога, пільги', en: 'Social support, benefits', fa: 'کمک‌های اجتماعی' } },
    { code: 'other', icon: '📌', org: 'service1580', hours: 72, names: { uk: 'Інше', en: 'Other', fa: 'سایر' } },
  ],
  khomein: [
    { code: 'street-light', icon: '💡', org: 'urban_services', hours: 72, isPublic: true, names: { fa: 'خاموشی روشنایی معابر', en: 'Street light out' } },
    { code: 'asphalt', icon: '🕳️', org: 'civil_works', hours: 120, legal: 30, isPublic: true, names: { fa: 'چاله و خرابی آسفالت', en: 'Pothole, damaged road' } },
    { code: 'waste', icon: '🗑️', org: 'urban_services', hours: 48, isPublic: true, names: { fa: 'جمع‌آوری زباله', en: 'Waste collection' } },
    { code: 'green-space', icon: '🌳', org: 'parks', hours: 120, isPublic: true, names: { fa: 'فضای سبز و درختان', en: 'Parks and trees' } },
    { code: 'water', outage: 'cold_water', icon: '💧', org: 'water', hours: 24, mode: 'calendar', isPublic: true, names: { fa: 'آب و فاضلاب', en: 'Water and sewage' } },
    { code: 'safety', icon: '🚒', org: 'fire', hours: 4, mode: 'calendar', names: { fa: 'ایمنی و آتش‌نشانی', en: 'Fire safety' } },
    { code: 'other', icon: '📌', org: 'system137', hours: 72, names: { fa: 'سایر', en: 'Other' } },
  ],
};
