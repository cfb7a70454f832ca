// The demo communities' street registers: a few hundred streets (some renamed, with their
// Soviet-era or pre-1979 names), districts and a few thousand buildings with coordinates.
// Generated from name lists with a seeded random, so every demo start gives the same city.
import type { Tx } from '../db/db.ts';
import type { Lang, Texts } from '../db/types.ts';
import { districtKey, type ImportBuilding, type ImportStreet } from '../modules/addresses/import-parse.ts';
import { upsertBuildings, upsertStreets } from '../modules/addresses/import.ts';
import { normaliseNumber, streetKey } from '../modules/addresses/normalise.ts';
import type { StreetKind } from '../modules/addresses/tables.ts';

type District = { names: Texts; angle: [number, number] | null };
type StreetSpec = { kind: StreetKind; names: Texts; former?: string[]; size: number };
type City = { lang: Lang; centre: [number, number]; districts: District[]; streets: StreetSpec[]; letters: string[] };

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', ʼ: '', "'": '',
};
const START: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

/** Ukrainian to Latin by the national table of 2010 (the one on road signs and passports). */
export function transliterate(s: string): string {
  return s.replace(/[\p{L}ʼ']+/gu, (word) => {
    const out = [...word].map((ch, i) => {
      const low = ch.toLowerCase();
      const prev = i > 0 ? word[i - 1].toLowerCase() : '';
      const latin = low === 'г' && prev === 'з' ? 'gh' : i === 0 && START[low] ? START[low] : (TRANSLIT[low] ?? ch);
      return ch !== low && latin ? latin[0].toUpperCase() + latin.slice(1) : latin;
    });
    return out.join('');
  });
}

const UK_PEOPLE = `Тараса Шевченка|Івана Франка|Лесі Українки|Михайла Грушевського|Григорія Сковороди|Івана Котляревського|Івана Мазепи|Богдана Хмельницького|Володимира Великого|Ярослава Мудрого|Княгині Ольги|Данила Галицького|Пилипа Орлика|Михайла Коцюбинського|Олександра Довженка|Миколи Лисенка|Василя Стуса|Вʼячеслава Чорновола|Олеся Гончара|Михайла Драгоманова|Пантелеймона Куліша|Марка Вовчка|Івана Богуна|Петра Сагайдачного|Івана Сірка|Дмитра Яворницького|Олени Теліги|Олега Ольжича|Степана Руданського|Бориса Грінченка|Агатангела Кримського|Михайла Старицького|Марії Заньковецької|Соломії Крушельницької|Івана Нечуя-Левицького|Панаса Мирного|Остапа Вишні|Юрія Гагаріна|Сергія Корольова|Миколи Амосова|Володимира Вернадського|Івана Пулюя|Євгена Коновальця|Андрія Шептицького|Героїв Майдану|Героїв Небесної Сотні|Героїв України|Захисників України|Січових Стрільців|Незалежності|Соборності|Свободи|Миру|Космонавтів|Будівельників|Металургів|Гірників|Енергетиків|Залізничників|Десантників|Волонтерів|Запорозьких Козаків|Григорія Квітки-Основʼяненка|Марка Кропивницького|Івана Огієнка|Михайла Вербицького|Кирила Осьмака|Левка Лукʼяненка|Юрія Кондратюка|Олександра Олеся|Івана Багряного|Ліни Костенко|Василя Симоненка|Івана Драча|Миколи Хвильового|Валерʼяна Підмогильного|Леся Курбаса|Миколи Зерова|Гната Юри|Катерини Білокур|Марії Приймаченко|Тетяни Яблонської|Олександри Екстер|Казимира Малевича|Сергія Параджанова|Архипа Куїнджі|Івана Кожедуба|Юрія Литвинова|Маркіяна Шашкевича|Якова Новицького`.split('|');
const UK_ADJECTIVES = `Садова|Вишнева|Зелена|Шкільна|Центральна|Польова|Лугова|Молодіжна|Паркова|Лісова|Степова|Квіткова|Сонячна|Соборна|Київська|Харківська|Дніпровська|Одеська|Львівська|Полтавська|Чернігівська|Запорізька|Херсонська|Вінницька|Козацька|Гетьманська|Українська|Заводська|Залізнична|Станційна|Робітнича|Трудова|Весняна|Світла|Тиха|Нова|Калинова|Горіхова|Яблунева|Абрикосова|Липова|Каштанова|Березова|Дубова|Кленова|Тополина|Соснова|Ясенева|Озерна|Річкова|Ставкова|Гірська|Підгірна|Нагірна|Приміська|Хліборобська|Медова|Виноградна|Ювілейна|Травнева|Зоряна|Мирна|Вільна|Дружна|Затишна|Джерельна|Веселкова|Промениста|Лагідна|Барвиста`.split('|');
// Renamed in 2015–2023 (decommunisation and derussification): the new name, the old one.
const UK_FORMER: Record<string, string[]> = {
  'Героїв Майдану': ['Леніна'], 'Соборна': ['Радянська'], 'Свободи': ['Карла Маркса'], 'Героїв Небесної Сотні': ['Кірова'],
  'Січових Стрільців': ['Комсомольська'], 'Гетьманська': ['Червоноармійська'], 'Захисників України': ['Жовтнева'], 'Пилипа Орлика': ['Щорса'],
  'Івана Мазепи': ['Фрунзе'], 'Володимира Великого': ['Калініна'], 'Ярослава Мудрого': ['Дзержинського'], 'Андрія Шептицького': ['Чапаєва'],
  'Василя Стуса': ['Пушкіна'], 'Левка Лукʼяненка': ['Куйбишева'], 'Євгена Коновальця': ['Котовського'], 'Олени Теліги': ['Крупської'],
  'Героїв України': ['50-річчя Жовтня'], 'Соборності': ['Петровського'], 'Кирила Осьмака': ['Ворошилова'], 'Пантелеймона Куліша': ['Орджонікідзе'],
  'Волонтерів': ['Піонерська'], 'Десантників': ['Ватутіна'], 'Українська': ['Московська'], 'Якова Новицького': ['Гоголя'], 'Незалежності': ['Жовтневої революції'],
};
const AVENUES = ['Незалежності', 'Миру', 'Металургів', 'Героїв України'];
const BOULEVARDS = ['Тараса Шевченка', 'Лесі Українки', 'Юрія Гагаріна'];
const SQUARES = ['Соборна', 'Центральна', 'Козацька'];

const masculine = (adj: string) => adj.replace(/а$/, 'ий');
const ukNames = (uk: string): Texts => ({ uk, en: transliterate(uk) });

function zelenodolsk(): City {
  const streets: StreetSpec[] = [];
  const rnd = random(1580);
  UK_PEOPLE.forEach((n, i) => {
    streets.push({ kind: 'street', names: ukNames(n), former: UK_FORMER[n], size: 12 + Math.floor(rnd() * 24) });
    if (i % 2 === 0) streets.push({ kind: 'lane', names: ukNames(n), size: 4 + Math.floor(rnd() * 8) });
  });
  UK_ADJECTIVES.forEach((n, i) => {
    streets.push({ kind: 'street', names: ukNames(n), former: UK_FORMER[n], size: 10 + Math.floor(rnd() * 20) });
    if (i % 2 === 0) streets.push({ kind: 'lane', names: ukNames(masculine(n)), size: 3 + Math.floor(rnd() * 8) });
    if (i % 9 === 4) streets.push({ kind: 'passage', names: ukNames(masculine(n)), size: 3 + Math.floor(rnd() * 5) });
  });
  AVENUES.forEach((n) => streets.push({ kind: 'avenue', names: ukNames(n), former: n === 'Незалежності' ? ['Жовтневої революції'] : undefined, size: 40 }));
  BOULEVARDS.forEach((n) => streets.push({ kind: 'boulevard', names: ukNames(n), size: 20 }));
  SQUARES.forEach((n) => streets.push({ kind: 'square', names: ukNames(n), size: 6 }));
  streets.push({ kind: 'embankment', names: ukNames('Дніпровська'), size: 18 }, { kind: 'dead_end', names: ukNames('Тихий'), size: 4 }, { kind: 'highway', names: ukNames('Криворізьке'), size: 12 });
  // The street register keeps the former name only on the street that carries the new one.
  for (const s of streets) if (s.kind !== 'street' && s.kind !== 'avenue') s.former = undefined;
  for (const s of streets) if (s.kind === 'street' && s.names.uk === 'Незалежності') s.former = undefined;
  return {
    lang: 'uk', centre: [47.5667, 33.6505], letters: ['а', 'б'], streets,
    districts: [
      { names: { uk: 'Центральний', en: 'Central' }, angle: null },
      { names: { uk: 'Північний', en: 'Northern' }, angle: [45, 135] },
      { names: { uk: 'Заводський', en: 'Zavodskyi' }, angle: [-45, 45] },
      { names: { uk: 'Південний', en: 'Southern' }, angle: [-135, -45] },
      { names: { uk: 'Садовий', en: 'Sadovyi' }, angle: [135, 225] },
    ],
  };
}

const FA_STREETS: [string, string, string?][] = [
  ['امام خمینی', 'Imam Khomeini', 'سپه'], ['شهید بهشتی', 'Shahid Beheshti'], ['شهید مطهری', 'Shahid Motahari'], ['طالقانی', 'Taleghani', 'تخت جمشید'],
  ['انقلاب', 'Enghelab', 'شاه'], ['آزادی', 'Azadi'], ['فردوسی', 'Ferdowsi'], ['حافظ', 'Hafez'], ['سعدی', 'Saadi'], ['مولوی', 'Molavi'],
  ['ولیعصر', 'Valiasr', 'پهلوی'], ['شریعتی', 'Shariati', 'شاهرضا'], ['آیت‌الله کاشانی', 'Ayatollah Kashani'], ['مدرس', 'Modarres'],
  ['جمهوری اسلامی', 'Jomhouri Eslami', 'شاهپور'], ['شهید چمران', 'Shahid Chamran'], ['شهید رجایی', 'Shahid Rajaei'], ['شهید باهنر', 'Shahid Bahonar'],
  ['شهید مفتح', 'Shahid Mofatteh'], ['دانشگاه', 'Daneshgah'], ['فرهنگ', 'Farhang'], ['پاسداران', 'Pasdaran'], ['۱۵ خرداد', '15 Khordad'],
  ['۱۷ شهریور', '17 Shahrivar'], ['بسیج', 'Basij'], ['شهدا', 'Shohada'], ['امام رضا', 'Imam Reza'], ['امام حسین', 'Imam Hossein'],
  ['فاطمیه', 'Fatemieh'], ['سلمان فارسی', 'Salman Farsi'], ['ابوذر', 'Abuzar'], ['خیام', 'Khayyam'], ['نظامی', 'Nezami'], ['عطار', 'Attar'],
  ['پروین اعتصامی', 'Parvin Etesami'], ['ملاصدرا', 'Mulla Sadra'], ['ابن سینا', 'Ibn Sina'], ['رازی', 'Razi'], ['کارگر', 'Kargar'],
  ['کشاورز', 'Keshavarz'], ['صنعت', 'Sanat'], ['بهار', 'Bahar'], ['گلستان', 'Golestan'], ['لاله', 'Laleh'], ['نرگس', 'Narges'],
];
const FA_BOULEVARDS: [string, string][] = [['آیت‌الله سعیدی', 'Ayatollah Saeedi'], ['شهید اشرفی اصفهانی', 'Shahid Ashrafi Esfahani'], ['معلم', 'Moallem'], ['جانبازان', 'Janbazan'], ['۲۲ بهمن', '22 Bahman'], ['کشاورز', 'Keshavarz']];
const FA_SQUARES: [string, string][] = [['امام', 'Imam'], ['شهدا', 'Shohada'], ['آزادی', 'Azadi'], ['فرهنگ', 'Farhang']];
const FA_FAMILIES: [string, string][] = [
  ['احمدی', 'Ahmadi'], ['محمدی', 'Mohammadi'], ['حسینی', 'Hosseini'], ['رضایی', 'Rezaei'], ['کریمی', 'Karimi'], ['موسوی', 'Mousavi'], ['جعفری', 'Jafari'],
  ['صادقی', 'Sadeghi'], ['رحیمی', 'Rahimi'], ['کاظمی', 'Kazemi'], ['قاسمی', 'Ghasemi'], ['نوری', 'Nouri'], ['حیدری', 'Heidari'], ['یوسفی', 'Yousefi'],
  ['اکبری', 'Akbari'], ['عباسی', 'Abbasi'], ['باقری', 'Bagheri'], ['زارعی', 'Zarei'], ['صفری', 'Safari'], ['سلیمانی', 'Soleimani'], ['نجفی', 'Najafi'],
  ['اسدی', 'Asadi'], ['مرادی', 'Moradi'], ['فتحی', 'Fathi'], ['عزیزی', 'Azizi'], ['رستمی', 'Rostami'], ['امینی', 'Amini'], ['نظری', 'Nazari'],
  ['کیانی', 'Kiani'], ['شریفی', 'Sharifi'], ['طاهری', 'Taheri'], ['ابراهیمی', 'Ebrahimi'], ['قربانی', 'Ghorbani'], ['نیک‌نام', 'Niknam'],
];
const FA_DEAD_ENDS: [string, string][] = [['یاس', 'Yas'], ['سرو', 'Sarv'], ['چنار', 'Chenar'], ['ارغوان', 'Arghavan'], ['نسترن', 'Nastaran']];

function khomein(): City {
  const rnd = random(137);
  const streets: StreetSpec[] = [];
  for (const [fa, en, former] of FA_STREETS) streets.push({ kind: 'street', names: { fa, en }, former: former ? [former] : undefined, size: 12 + Math.floor(rnd() * 20) });
  for (const [fa, en] of FA_BOULEVARDS) streets.push({ kind: 'boulevard', names: { fa, en }, size: 30 });
  for (const [fa, en] of FA_SQUARES) streets.push({ kind: 'square', names: { fa, en }, size: 5 });
  for (const [fa, en] of FA_FAMILIES) streets.push({ kind: 'alley', names: { fa: `شهید ${fa}`, en: `Shahid ${en}` }, size: 5 + Math.floor(rnd() * 12) });
  for (const [fa, en] of FA_DEAD_ENDS) streets.push({ kind: 'dead_end', names: { fa, en }, size: 4 });
  return {
    lang: 'fa', centre: [33.6374, 50.079], letters: [], streets,
    districts: [
      { names: { fa: 'منطقهٔ یک', en: 'District 1' }, angle: [-90, 90] },
      { names: { fa: 'منطقهٔ دو', en: 'District 2' }, angle: [90, 270] },
      { names: { fa: 'بافت تاریخی', en: 'Old Town' }, angle: null },
    ],
  };
}

/** mulberry32: small, fast and the same on every machine. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The district of a point: the centre within 700 m, else by its bearing from the centre. */
function districtOf(city: City, lat: number, lon: number): District {
  const dy = (lat - city.centre[0]) * 111_000;
  const dx = (lon - city.centre[1]) * 111_000 * Math.cos((city.centre[0] * Math.PI) / 180);
  const central = city.districts.find((d) => !d.angle);
  if (central && Math.hypot(dx, dy) < 700) return central;
  const deg = (Math.atan2(dy, dx) * 180) / Math.PI;
  return city.districts.find((d) => d.angle && [deg, deg + 360].some((x) => x >= d.angle![0] && x < d.angle![1])) ?? city.districts[0];
}

/** Streets as straight lines from a random point, buildings every ~30 m on both sides. */
export function demoRegister(slug: string): { city: City; streets: [string, ImportStreet][]; buildings: ImportBuilding[] } | null {
  const city = slug === 'zelenodolsk' ? zelenodolsk() : slug === 'khomein' ? khomein() : null;
  if (!city) return null;
  const rnd = random(slug.length * 7919);
  const streets: [string, ImportStreet][] = [];
  const buildings: ImportBuilding[] = [];
  const mPerLon = 111_000 * Math.cos((city.centre[0] * Math.PI) / 180);
  for (const s of city.streets) {
    const r = 2600 * Math.sqrt(rnd());
    const a = rnd() * 2 * Math.PI;
    const heading = rnd() * Math.PI;
    const start = [city.centre[0] + (r * Math.sin(a)) / 111_000, city.centre[1] + (r * Math.cos(a)) / mPerLon];
    const primary = s.names[city.lang]!;
    const ref = `${s.kind}|${streetKey(primary)}`;
    const district = districtOf(city, start[0], start[1]).names[city.lang]!;
    streets.push([ref, { key: streetKey(primary), kind: s.kind, names: s.names, former: s.former ?? [], district }]);
    for (let n = 1; n <= s.size; n++) {
      const along = Math.ceil(n / 2) * 30;
      const side = n % 2 ? 12 : -12;
      const lat = start[0] + (along * Math.sin(heading) + side * Math.cos(heading)) / 111_000;
      const lon = start[1] + (along * Math.cos(heading) - side * Math.sin(heading)) / mPerLon;
      const extra = city.letters.length && rnd() < 0.08 ? city.letters[Math.floor(rnd() * city.letters.length)] : '';
      const number = n % 17 === 0 ? `${n}/2` : `${n}${extra}`;
      buildings.push({ street: ref, number, numberKey: normaliseNumber(number), lat: round(lat), lon: round(lon), district: districtOf(city, lat, lon).names[city.lang]! });
    }
  }
  return { city, streets, buildings };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Loads one community's register in a few set-based statements (batches of 500 rows). */
export async function loadDemoStreets(tx: Tx, communityId: string, slug: string): Promise<void> {
  const reg = demoRegister(slug);
  if (!reg) return;
  await tx
    .insertInto('address_districts')
    .values(reg.city.districts.map((d) => ({ community_id: communityId, key: districtKey(d.names[reg.city.lang]!), names: JSON.stringify(d.names) })))
    .onConflict((oc) => oc.columns(['community_id', 'key']).doNothing())
    .execute();
  const ids = new Map<string, string>();
  for (let i = 0; i < reg.streets.length; i += 500) await upsertStreets(tx, communityId, reg.streets.slice(i, i + 500), ids);
  for (let i = 0; i < reg.buildings.length; i += 500) await upsertBuildings(tx, communityId, reg.buildings.slice(i, i + 500), ids);
}
