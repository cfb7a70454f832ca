// Words of the demo news: topics a city press service writes about every week (seed 003: a
// year of a Ukrainian city council's news; seed 002: a year of Khomein municipality's news).
// Slots: {street}, {district}, {n}, {count}, {school}. A topic with `en` may get an English version.

export type Slot = { uk: string; en: string };
export type Topic = { cat: string; rubric?: string; uk: [string, string]; en?: [string, string]; urgent?: boolean; type?: string };
export type FaTopic = { cat: string; rubric?: string; campaign?: boolean; fa: [string, string]; urgent?: boolean; type?: string };

export const STREETS: Slot[] = [
  { uk: 'Шевченка', en: 'Shevchenka' }, { uk: 'Соборній', en: 'Soborna' }, { uk: 'Київській', en: 'Kyivska' }, { uk: 'Незалежності', en: 'Nezalezhnosti' },
  { uk: 'Лесі Українки', en: 'Lesi Ukrainky' }, { uk: 'Героїв Майдану', en: 'Heroiv Maidanu' }, { uk: 'Садовій', en: 'Sadova' }, { uk: 'Грушевського', en: 'Hrushevskoho' },
  { uk: 'Набережній', en: 'Naberezhna' }, { uk: 'Миру', en: 'Myru' },
];
export const DISTRICTS: Slot[] = [
  { uk: 'Центральному', en: 'Central' }, { uk: 'Північному', en: 'Northern' }, { uk: 'Заводському', en: 'Zavodskyi' }, { uk: 'Приозерному', en: 'Pryozernyi' },
];

export const UK_TOPICS: Topic[] = [
  { cat: 'utilities', uk: ['Ремонт водогону на вулиці {street}: воду відновлять до вечора', 'Аварійна бригада КП «Зеленодольськводоканал» замінює ділянку труби. Мешканців {n} будинків просять набрати воду заздалегідь.'], en: ['Water main repair on {street} Street: supply back by evening', 'The Vodokanal emergency crew is replacing a section of pipe. Residents of {n} buildings are asked to store water in advance.'], urgent: true },
  { cat: 'utilities', uk: ['Планове відключення гарячої води в {district} районі', 'З понеділка тривають гідравлічні випробування тепломереж. Графік відключень — на сайті та в Telegram-каналі міської ради.'], en: ['Planned hot water shutdown in the {district} district', 'Hydraulic tests of the heating network begin on Monday. The shutdown schedule is on the website and the council\'s Telegram channel.'] },
  { cat: 'utilities', uk: ['Програма «Енергодім»: ще {n} будинків отримали компенсацію за утеплення', 'Співвласники багатоквартирних будинків можуть подати заявку на часткове відшкодування вартості енергоефективних заходів.'], en: ['Energodim programme: {n} more buildings get insulation refunds', 'Co-owners of apartment buildings can apply for partial reimbursement of energy-efficiency works.'] },
  { cat: 'utilities', uk: ['Місто готується до опалювального сезону в умовах воєнного стану', 'Комунальники перевірили {n} котелень і встановили резервні генератори на ключових об\'єктах теплопостачання.'] },
  { cat: 'transport', uk: ['Ремонт дороги на вулиці {street}: рух транспорту обмежено', 'Дорожники оновлюють покриття та тротуари. Громадський транспорт курсує об\'їзними маршрутами до завершення робіт.'], en: ['Road repairs on {street} Street: traffic restricted', 'Road crews are renewing the surface and pavements. Public transport follows detours until the works end.'] },
  { cat: 'transport', uk: ['Зміни в русі тролейбусів маршруту №{n}', 'Через ремонт контактної мережі тролейбуси тимчасово прямують скороченою схемою. Перевізник додав автобуси на лінію.'] },
  { cat: 'transport', rubric: 'nine-questions', uk: ['Громадська асамблея напрацювала рекомендації щодо міської мобільності', 'Учасники, обрані випадковим відбором, запропонували {n} рішень для транспортної інфраструктури та сталої мобільності.'], en: ['Citizens\' assembly drafts recommendations on urban mobility', 'Members chosen by random selection proposed {n} measures for transport infrastructure and sustainable mobility.'] },
  { cat: 'transport', uk: ['На вулиці {street} встановили нові зупинкові комплекси', 'Зупинки обладнані пандусами, тактильною плиткою та табло з часом прибуття транспорту.'] },
  { cat: 'social-support', rubric: 'for-veterans', uk: ['Для ветерана: нові програми підтримки ветеранського бізнесу', 'Захисники та Захисниці можуть отримати грант до {n} тисяч гривень на власну справу. Консультації — у ЦНАПі.'], en: ['For veterans: new support programmes for veteran businesses', 'Veterans can receive a grant of up to {n} thousand hryvnias for their own business. Advice is available at the administrative services centre.'] },
  { cat: 'social-support', rubric: 'for-veterans', uk: ['Центр психічного здоров\'я відкрив ще один кабінет у {district} районі', 'Безоплатні консультації психологів доступні ветеранам, членам їхніх родин та внутрішньо переміщеним особам.'] },
  { cat: 'social-support', uk: ['Міські виплати родинам захисників: як подати заяву', 'Заяву приймають у ЦНАПі та онлайн. Виплату отримали вже {count} родин.'], en: ['City payments to defenders\' families: how to apply', 'Applications are accepted at the administrative services centre and online. {count} families have already received the payment.'] },
  { cat: 'social-support', uk: ['Пункти незламності у {district} районі працюють цілодобово', 'Тут можна зігрітися, зарядити телефон і отримати гарячий чай. Адреси пунктів — на мапі міста.'] },
  { cat: 'education', uk: ['У школі №{school} облаштували нове укриття', 'Укриття розраховане на {n} учнів і вчителів, має вентиляцію, освітлення та запас води.'], en: ['New shelter opens at School No. {school}', 'The shelter holds {n} pupils and teachers and has ventilation, lighting and a water supply.'] },
  { cat: 'education', uk: ['Стартувала реєстрація дітей до першого класу', 'Батьки можуть подати документи онлайн або у школі. Цього року місто планує відкрити {n} перших класів.'] },
  { cat: 'health', uk: ['Міська лікарня отримала сучасне обладнання від партнерів', 'Новий апарат УЗД та {n} моніторів пацієнта передали в межах міжнародного проєкту.'], en: ['City hospital receives modern equipment from partners', 'A new ultrasound scanner and {n} patient monitors were donated under an international project.'] },
  { cat: 'health', uk: ['Безкоштовний скринінг здоров\'я для мешканців віком 40+', 'Пройти обстеження можна в амбулаторіях сімейної медицини за записом.'] },
  { cat: 'culture', uk: ['Місто відзначило День Незалежності', 'Урочисте підняття прапора, хвилина мовчання та благодійний ярмарок на площі зібрали {count} мешканців.'], en: ['The city celebrated Independence Day', 'A flag ceremony, a minute of silence and a charity fair on the square gathered {count} residents.'], type: 'post_release' },
  { cat: 'culture', uk: ['Міська бібліотека запрошує на вечір сучасної української поезії', 'Вхід вільний, зібрані кошти передадуть на потреби бригади, де служать земляки.'], type: 'announcement' },
  { cat: 'culture', uk: ['Фоторепортаж: ярмарок місцевих виробників на Соборній площі', 'Понад {n} підприємців представили продукцію, частину виторгу передали на підтримку ЗСУ.'], type: 'photo_report' },
  { cat: 'security', uk: ['Наслідки нічної атаки: пошкоджено {n} будинків у {district} районі', 'Комунальні служби закривають вікна плівкою, мешканцям надають допомогу. Пункт прийому заяв працює в школі №{school}.'], en: ['After the night attack: {n} buildings damaged in the {district} district', 'Municipal services are sealing windows; residents receive aid. Applications are taken at School No. {school}.'], urgent: true },
  { cat: 'security', uk: ['Увага: ускладнені погодні умови, ожеледиця', 'Синоптики попереджають про ожеледицю. Комунальна техніка посипає дороги та тротуари з ночі.'], urgent: true },
  { cat: 'security', uk: ['Виявили боєприпас біля вулиці {street}: працюють піротехніки', 'Територію оточено. Просимо мешканців не наближатися до місця та виконувати вказівки поліції.'], urgent: true },
  { cat: 'council', rubric: 'city-in-numbers', uk: ['Виконавчий комітет ухвалив {n} рішень: головне', 'На засіданні виконкому погодили ремонт шкіл, тарифи на перевезення та допомогу родинам загиблих воїнів.'], en: ['The executive committee adopted {n} decisions: key points', 'The committee approved school repairs, public transport fares and aid to families of fallen soldiers.'], type: 'official_notice' },
  { cat: 'council', rubric: 'nine-minutes-mayor', uk: ['9 хвилин з міським головою: головне за тиждень', 'Міський голова розповів про відбудову пошкоджених будинків, підготовку до зими та підтримку родин захисників.'], en: ['9 minutes with the mayor: the week in brief', 'The mayor spoke about rebuilding damaged homes, winter preparations and support for defenders\' families.'], type: 'video_report' },
  { cat: 'utilities', rubric: 'nine-questions', uk: ['9 питань посадовцю: як місто пройде опалювальний сезон', 'Директор департаменту житлово-комунального господарства відповів на запитання мешканців про тепло, воду та світло.'] },
  { cat: 'sport', uk: ['На стадіоні «Авангард» оновили бігові доріжки', 'Тренуватися тут можуть усі охочі; для ветеранів діє окремий розклад занять з реабілітологом.'] },
  { cat: 'council', uk: ['Сесія міської ради: депутати затвердили зміни до бюджету', 'Додаткові кошти спрямують на укриття, енергонезалежність і підтримку військових. Поіменне голосування — на сайті.'], type: 'official_notice' },
  { cat: 'council', uk: ['Делегація міста-партнера відвідала громаду', 'Гості ознайомилися з відбудовою та домовилися про {n} спільних проєктів у сфері освіти й енергетики.'], en: ['Partner city delegation visits the community', 'The guests saw the reconstruction and agreed on {n} joint projects in education and energy.'] },
  { cat: 'council', uk: ['Місто підписало меморандум про партнерство з європейським містом', 'Угода передбачає обмін досвідом у сферах культури, освіти та місцевого самоврядування.'] },
];

// "Рух без бар'єрів" (seed 003): 50 publications under the tag "безбар'єрність".
export const ACCESS_TOPICS: Topic[] = [
  { cat: 'civil-works', uk: ['Рух без бар\'єрів: на вулиці {street} облаштували пониження бордюрів', 'Безбар\'єрний маршрут продовжується: пішохідні переходи стали зручними для людей на кріслах колісних, батьків із візочками та літніх людей.'], en: ['Movement without barriers: kerbs lowered on {street} Street', 'The barrier-free route continues: crossings are now easy for wheelchair users, parents with prams and older people.'] },
  { cat: 'civil-works', uk: ['Історія ветерана: як безбар\'єрний маршрут змінив щоденні поїздки', 'Ветеран війни розповідає, як оновлений простір допомагає йому самостійно діставатися роботи та реабілітації.'] },
  { cat: 'civil-works', uk: ['Амбасадори безбар\'єрності перевірили доступність ЦНАПу', 'Експерти з інвалідністю оцінили вхідну групу, навігацію та санвузли. Зауваження виправлять до кінця місяця.'] },
  { cat: 'civil-works', uk: ['Ще {n} пішохідних переходів отримали тактильну плитку', 'Роботи виконали в межах першої черги проєкту «Рух без бар\'єрів».'] },
];

export const UK_BODY: Record<string, string[]> = {
  sport: ['Спортивні секції для дітей працюють безкоштовно.', 'Розклад тренувань — на сайті управління у справах молоді та спорту.'],
  any: [
    'Про хід робіт міська рада інформуватиме на офіційному сайті та в соціальних мережах.',
    'Звернутися з питаннями можна на гарячу лінію 15-80 або через форму звернень на порталі.',
    'Просимо мешканців з розумінням поставитися до тимчасових незручностей.',
    'Фото- та відеоматеріали з місця подій опубліковано на сторінках міської ради.',
    'Нагадуємо: під час повітряної тривоги слід негайно пройти до найближчого укриття.',
  ],
  utilities: ['Комунальники працюють у посиленому режимі, щоб швидше завершити роботи.', 'Аварійні бригади чергують цілодобово; повідомити про пошкодження мереж можна за номером 15-80.'],
  transport: ['Водіїв просять заздалегідь планувати маршрут і стежити за дорожніми знаками.', 'Після ремонту на дорозі з\'явиться нова розмітка та освітлення.'],
  'social-support': ['Консультації надають фахівці департаменту соціального захисту у робочі дні.', 'Перелік документів і зразки заяв розміщено на сайті міської ради.'],
  education: ['Управління освіти дякує батькам і вчителям за підтримку.', 'Навчання відбувається у змішаному форматі з урахуванням безпекової ситуації.'],
  health: ['Запис на прийом — через сімейного лікаря або онлайн.', 'Медичні заклади міста працюють у звичному режимі.'],
  culture: ['Захід відбувся з дотриманням правил безпеки; в разі тривоги учасники переходили в укриття.', 'Дякуємо всім, хто долучився до підтримки наших захисників.'],
  security: ['Інформація уточнюється; стежте за офіційними повідомленнями.', 'Рятувальники, поліція та комунальні служби працюють на місці.'],
  council: ['Повні тексти рішень оприлюднено у розділі «Документи».', 'Засідання транслювали наживо на сайті та в соціальних мережах.'],
  'civil-works': ['Безбар\'єрність — це про зручний простір для кожного: людей з інвалідністю, батьків, літніх людей.', 'Проєкт реалізують за підтримки міжнародних партнерів.'],
};

export const EN_BODY = [
  'The city council will keep residents informed on its website and social media.',
  'Questions can be sent to the 15-80 hotline or through the appeals form on the portal.',
  'During an air raid alert, please go to the nearest shelter at once.',
];

export const FA_TOPICS: FaTopic[] = [
  { cat: 'civil-works', fa: ['آسفالت‌ریزی خیابان {street} آغاز شد', 'معاونت عمرانی شهرداری خمین از آغاز عملیات آسفالت‌ریزی {n} متر از معابر این خیابان خبر داد.'] },
  { cat: 'civil-works', rubric: 'city-projects', fa: ['پیشرفت {n} درصدی پروژهٔ پارک محله‌ای', 'شهردار خمین در بازدید از پروژه گفت: این پارک تا پایان فصل به بهره‌برداری می‌رسد.'] },
  { cat: 'utilities', campaign: true, fa: ['جمع‌آوری پسماند در روزهای تعطیل طبق برنامه انجام می‌شود', 'واحد خدمات شهری از شهروندان خواست پسماند را در ساعات مقرر بیرون بگذارند.'] },
  { cat: 'utilities', fa: ['قطعی موقت آب در خیابان {street}', 'به دلیل تعمیر خط لوله، آب این محدوده تا ساعت {n} قطع است. از صبوری شهروندان سپاسگزاریم.'], urgent: true },
  { cat: 'civil-works', fa: ['لکه‌گیری و ترمیم معابر سطح شهر', 'اکیپ‌های شهرداری در {n} نقطه از شهر عملیات ترمیم آسفالت را انجام دادند.'] },
  { cat: 'culture', fa: ['برگزاری جشن میلاد در بوستان شهر', 'روابط عمومی شهرداری خمین به مناسبت این روز بنر و پوستر طراحی و در سطح شهر نصب کرد.'], type: 'post_release' },
  { cat: 'culture', fa: ['گرامیداشت هفتهٔ دفاع مقدس در خمین', 'مراسم با حضور مسئولان و خانواده‌های شهدا در میدان اصلی شهر برگزار شد.'] },
  { cat: 'council', rubric: 'meet-the-mayor', fa: ['گزارش عملکرد سه‌ماههٔ شهرداری منتشر شد', 'در این گزارش {n} پروژهٔ عمرانی و خدماتی شهرداری خمین معرفی شده است.'], type: 'official_notice' },
  { cat: 'utilities', campaign: true, fa: ['تفکیک زباله از مبدأ در {n} محله آغاز شد', 'در پویش «شهر پاک» سطل‌های تفکیک پسماند خشک و تر در محله‌ها نصب شد.'] },
  { cat: 'council', rubric: 'citizens-ask', fa: ['شهروندان می‌پرسند: زمان بازگشایی خیابان {street}', 'معاون عمرانی شهرداری به پرسش شهروندان دربارهٔ زمان پایان عملیات عمرانی پاسخ داد.'] },
  { cat: 'council', fa: ['جلسهٔ شورای اسلامی شهر با موضوع بودجه برگزار شد', 'اعضای شورا لایحهٔ اصلاح بودجه را بررسی و تصویب کردند.'] },
  { cat: 'security', fa: ['هشدار: بارش برف و یخبندان در شهر', 'شهرداری با {n} دستگاه ماشین‌آلات آمادهٔ برف‌روبی معابر است. از تردد غیرضروری پرهیز کنید.'], urgent: true },
];
export const FA_STREETS = ['امام', 'آیت‌الله کاشانی', 'شهید بهشتی', 'طالقانی', 'فردوسی', 'ولیعصر'];
export const FA_BODY = [
  'شهروندان می‌توانند پیشنهادها و انتقادهای خود را با کانال اطلاع‌رسانی شهرداری در ایتا و تلگرام در میان بگذارند.',
  'واحد روابط عمومی شهرداری خمین از همهٔ پروژه‌ها عکس‌برداری و مستندسازی می‌کند.',
  'اخبار تکمیلی در سایت شهرداری و کانال‌های رسمی منتشر می‌شود.',
];
