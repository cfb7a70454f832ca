/**
 * Demo data that CityDesk loads on a fresh install (see ./load.ts).
 *
 * Everything here is fictional: people, phone numbers and e-mail addresses
 * (all e-mail addresses use the reserved `.example` domain).
 */

export type DemoTexts = { uk?: string; en?: string; fa?: string };

export type DemoOrg = {
  key: string;
  kind: 'department' | 'communal_enterprise' | 'private_enterprise' | 'press_service' | 'leadership' | 'council';
  names: DemoTexts;
  phone?: string;
  email?: string;
};

export type DemoUser = { email: string; display_name: string; org?: string /* DemoOrg.key */; roles: string[]; lang: 'uk' | 'en' | 'fa' };

export type DemoCommunity = {
  slug: string;
  names: DemoTexts;
  default_lang: 'uk' | 'fa';
  time_zone: string;
  calendar: 'gregorian' | 'persian';
  weekend_days: number[];
  holidays: string[] /* YYYY-MM-DD, 2026 and 2027 */;
  hosts: string[];
  contacts: Record<string, string> /* keys: phone, email, address_uk, address_en, address_fa, hours_uk, hours_en, hours_fa */;
  orgs: DemoOrg[];
  users: DemoUser[];
  /** Whose appeals law applies: 'ua' (default) or 'none'. */
  appeals_law?: 'ua' | 'none';
};

// ---------------------------------------------------------------------------
// Zelenodolsk (Ukraine)
// ---------------------------------------------------------------------------

/**
 * Statutory public holidays of Ukraine (Labour Code, art. 73), 2026–2027.
 * Under martial law these days are not days off, but they are listed anyway.
 * Easter and Trinity follow the New Julian (Orthodox) computus:
 * Easter 2026 = Apr 12, Trinity = Easter + 49 days = May 31;
 * Easter 2027 = May 2, Trinity = Jun 20.
 */
const UA_HOLIDAYS: string[] = [
  // 2026
  '2026-01-01', // Новий рік
  '2026-03-08', // Міжнародний жіночий день
  '2026-04-12', // Великдень
  '2026-05-01', // День праці
  '2026-05-08', // День памʼяті та перемоги над нацизмом у Другій світовій війні
  '2026-05-31', // Трійця
  '2026-06-28', // День Конституції України
  '2026-07-15', // День Української Державності
  '2026-08-24', // День Незалежності України
  '2026-10-01', // День захисників і захисниць України
  '2026-12-25', // Різдво Христове
  // 2027
  '2027-01-01',
  '2027-03-08',
  '2027-05-01',
  '2027-05-02', // Великдень
  '2027-05-08',
  '2027-06-20', // Трійця
  '2027-06-28',
  '2027-07-15',
  '2027-08-24',
  '2027-10-01',
  '2027-12-25',
];

const ZELENODOLSK: DemoCommunity = {
  slug: 'zelenodolsk',
  names: { uk: 'Зеленодольськ', en: 'Zelenodolsk', fa: 'زلنودولسک' },
  default_lang: 'uk',
  time_zone: 'Europe/Kyiv',
  calendar: 'gregorian',
  weekend_days: [6, 0],
  holidays: UA_HOLIDAYS,
  hosts: [],
  contacts: {
    phone: '+380 (3244) 1-55-80',
    email: 'info@zelenodolsk.example',
    address_uk: 'вул. Соборна, 1, м. Зеленодольськ (будівля міської ради)',
    address_en: '1 Soborna St, Zelenodolsk (City Hall building)',
    address_fa: 'زلنودولسک، خیابان سابورنا، شمارهٔ ۱ (ساختمان شهرداری)',
    hours_uk: 'Понеділок–пʼятниця, 8:00–17:00',
    hours_en: 'Monday–Friday, 8:00–17:00',
    hours_fa: 'دوشنبه تا جمعه، ساعت ۸:۰۰ تا ۱۷:۰۰',
  },
  orgs: [
    {
      key: 'leadership', kind: 'leadership',
      names: { uk: 'Міський голова та виконавчий комітет', en: 'Mayor and Executive Committee' },
      phone: '+380 (3244) 2-10-01', email: 'mayor.office@zelenodolsk.example',
    },
    {
      key: 'press', kind: 'press_service',
      names: { uk: 'Відділ інформаційної політики та звʼязків з громадськістю', en: 'Press Service (Department of Information Policy and Public Relations)' },
      phone: '+380 (3244) 2-10-15', email: 'press@zelenodolsk.example',
    },
    {
      key: 'service1580', kind: 'department',
      names: { uk: 'Служба оперативного реагування 15-80', en: 'Rapid Response Service 15-80' },
      phone: '+380 (3244) 1-55-80', email: '1580@zelenodolsk.example',
    },
    {
      key: 'housing', kind: 'department',
      names: { uk: 'Департамент житлово-комунального господарства', en: 'Department of Housing and Communal Services' },
      phone: '+380 (3244) 2-11-20', email: 'housing@zelenodolsk.example',
    },
    {
      key: 'transport', kind: 'department',
      names: { uk: 'Управління транспорту та дорожнього господарства', en: 'Department of Transport and Roads' },
      phone: '+380 (3244) 2-11-35', email: 'transport@zelenodolsk.example',
    },
    {
      key: 'social', kind: 'department',
      names: { uk: 'Департамент соціального захисту населення', en: 'Department of Social Protection' },
      phone: '+380 (3244) 2-12-40', email: 'social@zelenodolsk.example',
    },
    {
      key: 'education', kind: 'department',
      names: { uk: 'Управління освіти', en: 'Department of Education' },
      phone: '+380 (3244) 2-12-55', email: 'osvita@zelenodolsk.example',
    },
    {
      key: 'health', kind: 'department',
      names: { uk: 'Управління охорони здоровʼя', en: 'Department of Health' },
      phone: '+380 (3244) 2-12-70', email: 'health@zelenodolsk.example',
    },
    {
      key: 'cnap', kind: 'department',
      names: { uk: 'Центр надання адміністративних послуг (ЦНАП)', en: 'Administrative Services Centre (TsNAP)' },
      phone: '+380 (3244) 2-13-00', email: 'cnap@zelenodolsk.example',
    },
    {
      key: 'council', kind: 'council',
      names: { uk: 'Секретаріат міської ради', en: 'City Council Secretariat' },
      phone: '+380 (3244) 2-10-05', email: 'rada@zelenodolsk.example',
    },
    {
      key: 'vodokanal', kind: 'communal_enterprise',
      names: { uk: 'КП «Зеленодольськводоканал»', en: 'Zelenodolskvodokanal Municipal Enterprise (water supply and sewerage)' },
      phone: '+380 (3244) 3-40-10', email: 'info@vodokanal.zelenodolsk.example',
    },
    {
      key: 'teplo', kind: 'communal_enterprise',
      names: { uk: 'КП «Зеленодольськтеплокомуненерго»', en: 'Zelenodolskteplokomunenergo Municipal Enterprise (district heating)' },
      phone: '+380 (3244) 3-41-20', email: 'info@teplo.zelenodolsk.example',
    },
    {
      key: 'blagoustrii', kind: 'communal_enterprise',
      names: { uk: 'КП «Благоустрій»', en: 'Blahoustrii Municipal Enterprise (city improvement and landscaping)' },
      phone: '+380 (3244) 3-42-30', email: 'info@blagoustrii.zelenodolsk.example',
    },
    {
      key: 'electrotrans', kind: 'communal_enterprise',
      names: { uk: 'КП «Електротранс»', en: 'Elektrotrans Municipal Enterprise (trams and trolleybuses)' },
      phone: '+380 (3244) 3-43-40', email: 'info@electrotrans.zelenodolsk.example',
    },
    {
      key: 'oblenergo', kind: 'private_enterprise',
      names: { uk: 'ПрАТ «Обленерго»', en: 'Oblenergo PrJSC (regional power distribution operator)' },
      phone: '+380 (3244) 3-50-00', email: 'info@oblenergo.example',
    },
  ],
  users: [
    { email: 'admin@zelenodolsk.example', display_name: 'Андрій Мельничук', org: 'leadership', roles: ['community_admin'], lang: 'uk' },
    { email: 'editor@zelenodolsk.example', display_name: 'Наталія Бондаренко', org: 'press', roles: ['press_editor'], lang: 'uk' },
    { email: 'author@zelenodolsk.example', display_name: 'Дмитро Ткачук', org: 'press', roles: ['press_author'], lang: 'uk' },
    { email: 'operator@zelenodolsk.example', display_name: 'Оксана Савчук', org: 'service1580', roles: ['appeals_operator'], lang: 'uk' },
    { email: 'controller@zelenodolsk.example', display_name: 'Ірина Литвиненко', org: 'service1580', roles: ['appeals_controller'], lang: 'uk' },
    { email: 'executor.water@zelenodolsk.example', display_name: 'Василь Гнатюк', org: 'vodokanal', roles: ['executor'], lang: 'uk' },
    { email: 'executor.roads@zelenodolsk.example', display_name: 'Сергій Остапенко', org: 'transport', roles: ['executor'], lang: 'uk' },
    { email: 'dispatcher@zelenodolsk.example', display_name: 'Людмила Данилюк', org: 'teplo', roles: ['utility_dispatcher'], lang: 'uk' },
    { email: 'duty@zelenodolsk.example', display_name: 'Марʼян Ковальчук', org: 'leadership', roles: ['duty_officer'], lang: 'uk' },
    { email: 'secretary@zelenodolsk.example', display_name: 'Тетяна Яковенко', org: 'council', roles: ['council_secretary'], lang: 'uk' },
    { email: 'media@zelenodolsk.example', display_name: 'Софія Лукʼяненко', org: 'press', roles: ['media_officer'], lang: 'en' },
    { email: 'mayor@zelenodolsk.example', display_name: 'Роман Прокопенко', org: 'leadership', roles: ['leadership'], lang: 'uk' },
  ],
};

// ---------------------------------------------------------------------------
// Khomein (Iran)
// ---------------------------------------------------------------------------

/**
 * Iranian official holidays fixed in the Solar Hijri calendar, as Gregorian dates
 * (1 Farvardin 1405 = 2026-03-21, 1 Farvardin 1406 = 2027-03-21).
 */
const IR_SOLAR_HOLIDAYS: string[] = [
  // 2026
  '2026-02-11', // 22 Bahman 1404 — Victory of the Islamic Revolution
  '2026-03-20', // 29 Esfand 1404 — Nationalisation of the oil industry
  '2026-03-21', '2026-03-22', '2026-03-23', '2026-03-24', // 1–4 Farvardin 1405 — Nowruz
  '2026-04-01', // 12 Farvardin — Islamic Republic Day
  '2026-04-02', // 13 Farvardin — Sizdah Bedar (Nature Day)
  '2026-06-04', // 14 Khordad — passing of Imam Khomeini
  '2026-06-05', // 15 Khordad — 15 Khordad uprising
  // 2027
  '2027-02-11', // 22 Bahman 1405
  '2027-03-20', // 29 Esfand 1405
  '2027-03-21', '2027-03-22', '2027-03-23', '2027-03-24', // 1–4 Farvardin 1406 — Nowruz
  '2027-04-01', // 12 Farvardin
  '2027-04-02', // 13 Farvardin
  '2027-06-04', // 14 Khordad
  '2027-06-05', // 15 Khordad
];

/**
 * Iranian official holidays fixed in the LUNAR Hijri calendar — APPROXIMATE.
 * Iran fixes these by moon sighting; the dates below are the Umm al-Qura dates
 * plus one day (Iran's dates usually fall one day later). They MUST be checked
 * every year against the official calendar (Calendar Centre of the Institute of
 * Geophysics, University of Tehran) and corrected; a one-day shift is common.
 */
const IR_LUNAR_HOLIDAYS_APPROX: string[] = [
  // 2026 (1447–1448 AH)
  '2026-01-03', // 13 Rajab — birth of Imam Ali
  '2026-01-17', // 27 Rajab — Mab'ath
  '2026-02-04', // 15 Sha'ban — birth of Imam Mahdi
  '2026-03-11', // 21 Ramadan — martyrdom of Imam Ali
  '2026-03-21', '2026-03-22', // 1–2 Shawwal — Eid al-Fitr (coincides with Nowruz)
  '2026-04-14', // 25 Shawwal — martyrdom of Imam Sadiq
  '2026-05-28', // 10 Dhu al-Hijjah — Eid al-Adha (Qurban)
  '2026-06-05', // 18 Dhu al-Hijjah — Eid al-Ghadir (coincides with 15 Khordad)
  '2026-06-25', // 9 Muharram — Tasua
  '2026-06-26', // 10 Muharram — Ashura
  '2026-08-04', // 20 Safar — Arbaeen
  '2026-08-12', // 28 Safar — passing of the Prophet, martyrdom of Imam Hasan
  '2026-08-14', // last day of Safar — martyrdom of Imam Reza
  '2026-08-22', // 8 Rabi al-Awwal — martyrdom of Imam Hasan Askari
  '2026-08-31', // 17 Rabi al-Awwal — birth of the Prophet and Imam Sadiq
  '2026-11-14', // 3 Jumada al-Thani — martyrdom of Fatima
  '2026-12-23', // 13 Rajab
  // 2027 (1448–1449 AH)
  '2027-01-06', // 27 Rajab
  '2027-01-24', // 15 Sha'ban
  '2027-03-01', // 21 Ramadan
  '2027-03-10', '2027-03-11', // 1–2 Shawwal — Eid al-Fitr
  '2027-04-03', // 25 Shawwal
  '2027-05-17', // 10 Dhu al-Hijjah
  '2027-05-25', // 18 Dhu al-Hijjah
  '2027-06-15', // 9 Muharram
  '2027-06-16', // 10 Muharram
  '2027-07-25', // 20 Safar
  '2027-08-02', // 28 Safar
  '2027-08-03', // last day of Safar
  '2027-08-11', // 8 Rabi al-Awwal
  '2027-08-20', // 17 Rabi al-Awwal
  '2027-11-03', // 3 Jumada al-Thani
  '2027-12-12', // 13 Rajab
  '2027-12-26', // 27 Rajab
];

const IR_HOLIDAYS: string[] = [...new Set([...IR_SOLAR_HOLIDAYS, ...IR_LUNAR_HOLIDAYS_APPROX])].sort();

const KHOMEIN: DemoCommunity = {
  slug: 'khomein',
  appeals_law: 'none',
  names: { fa: 'خمین', en: 'Khomein', uk: 'Хомейн' },
  default_lang: 'fa',
  time_zone: 'Asia/Tehran',
  calendar: 'persian',
  weekend_days: [5],
  holidays: IR_HOLIDAYS,
  hosts: [],
  contacts: {
    phone: '+98 86 4622 0000',
    email: 'info@khomein.example',
    address_fa: 'استان مرکزی، خمین، بلوار امام خمینی، ساختمان شهرداری',
    address_en: 'Municipality Building, Imam Khomeini Blvd, Khomein, Markazi Province',
    hours_fa: 'شنبه تا چهارشنبه، ساعت ۷:۳۰ تا ۱۴:۳۰',
    hours_en: 'Saturday–Wednesday, 7:30–14:30',
  },
  orgs: [
    {
      key: 'mayor', kind: 'leadership',
      names: { fa: 'شهردار', en: 'Mayor’s Office' },
      phone: '+98 86 4622 0001', email: 'mayor.office@khomein.example',
    },
    {
      key: 'press', kind: 'press_service',
      names: { fa: 'روابط عمومی شهرداری', en: 'Municipality Public Relations' },
      phone: '+98 86 4622 0010', email: 'pr@khomein.example',
    },
    {
      key: 'system137', kind: 'department',
      names: { fa: 'سامانه ۱۳۷', en: '137 Citizens’ Requests Service' },
      phone: '+98 86 4622 0137', email: '137@khomein.example',
    },
    {
      key: 'urban_services', kind: 'department',
      names: { fa: 'معاونت خدمات شهری', en: 'Deputy Mayor’s Office for Urban Services' },
      phone: '+98 86 4622 0020', email: 'services@khomein.example',
    },
    {
      key: 'civil_works', kind: 'department',
      names: { fa: 'معاونت فنی و عمرانی', en: 'Deputy Mayor’s Office for Technical and Civil Works' },
      phone: '+98 86 4622 0030', email: 'works@khomein.example',
    },
    {
      key: 'fire', kind: 'communal_enterprise',
      names: { fa: 'سازمان آتش‌نشانی و خدمات ایمنی', en: 'Fire and Safety Services Organisation' },
      phone: '+98 86 4622 0125', email: 'fire@khomein.example',
    },
    {
      key: 'parks', kind: 'communal_enterprise',
      names: { fa: 'سازمان پارک‌ها و فضای سبز', en: 'Parks and Green Spaces Organisation' },
      phone: '+98 86 4622 0040', email: 'parks@khomein.example',
    },
    {
      // A state-owned water and wastewater company, outside the municipality.
      key: 'water', kind: 'private_enterprise',
      names: { fa: 'اداره آب و فاضلاب', en: 'Water and Wastewater Office' },
      phone: '+98 86 4622 0122', email: 'info@abfa-khomein.example',
    },
    {
      key: 'council', kind: 'council',
      names: { fa: 'شورای اسلامی شهر', en: 'Islamic City Council' },
      phone: '+98 86 4622 0050', email: 'council@khomein.example',
    },
  ],
  users: [
    { email: 'admin@khomein.example', display_name: 'محمدرضا کاظمی', org: 'mayor', roles: ['community_admin'], lang: 'fa' },
    { email: 'editor@khomein.example', display_name: 'فاطمه رحیمی', org: 'press', roles: ['press_editor'], lang: 'fa' },
    { email: 'author@khomein.example', display_name: 'علی اکبری', org: 'press', roles: ['press_author'], lang: 'fa' },
    { email: 'operator@khomein.example', display_name: 'زهرا موسوی', org: 'system137', roles: ['appeals_operator'], lang: 'fa' },
    { email: 'controller@khomein.example', display_name: 'حسین نوروزی', org: 'system137', roles: ['appeals_controller'], lang: 'fa' },
    { email: 'executor.services@khomein.example', display_name: 'مهدی قربانی', org: 'urban_services', roles: ['executor'], lang: 'fa' },
    { email: 'executor.works@khomein.example', display_name: 'سعید جعفری', org: 'civil_works', roles: ['executor'], lang: 'fa' },
    { email: 'dispatcher@khomein.example', display_name: 'رضا صادقی', org: 'urban_services', roles: ['utility_dispatcher'], lang: 'fa' },
    { email: 'duty@khomein.example', display_name: 'امیر حسینی', org: 'mayor', roles: ['duty_officer'], lang: 'fa' },
    { email: 'secretary@khomein.example', display_name: 'مریم احمدی', org: 'council', roles: ['council_secretary'], lang: 'fa' },
    { email: 'media@khomein.example', display_name: 'نرگس کریمی', org: 'press', roles: ['media_officer'], lang: 'fa' },
    { email: 'mayor@khomein.example', display_name: 'حمید رضایی', org: 'mayor', roles: ['leadership'], lang: 'fa' },
  ],
};

export const DEMO_COMMUNITIES: DemoCommunity[] = [ZELENODOLSK, KHOMEIN];
