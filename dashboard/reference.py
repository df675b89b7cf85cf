"""Reference vocabularies: regions, sectors, budget classification, institution types.

Region codes, names, centres and populations come from ../shared/docs/domain.md (§1.2);
populations marked "A" there are placeholders that add up to the national total.
Functional groups and specifics follow the unified budget classification (§2); their Kazakh
names are our own translations where the source has none. Programs are a representative
subset of local-budget programs (administrator + program code), enough to classify lines.
"""
from __future__ import annotations

# code, name_en, name_ru, name_kk, centre en/ru/kk, lat, lon, population (late 2025)
REGIONS = [
    ("KZ-10", "Abai Region", "область Абай", "Абай облысы", "Semey", "Семей", "Семей", 50.41, 80.23, 596000),
    ("KZ-11", "Akmola Region", "Акмолинская область", "Ақмола облысы", "Kokshetau", "Кокшетау", "Көкшетау", 53.28, 69.40, 790000),
    ("KZ-15", "Aktobe Region", "Актюбинская область", "Ақтөбе облысы", "Aktobe", "Актобе", "Ақтөбе", 50.28, 57.17, 930000),
    ("KZ-19", "Almaty Region", "Алматинская область", "Алматы облысы", "Konayev", "Конаев", "Қонаев", 43.87, 77.07, 1592652),
    ("KZ-23", "Atyrau Region", "Атырауская область", "Атырау облысы", "Atyrau", "Атырау", "Атырау", 47.10, 51.92, 703180),
    ("KZ-27", "West Kazakhstan Region", "Западно-Казахстанская область", "Батыс Қазақстан облысы", "Oral", "Уральск", "Орал", 51.23, 51.37, 690000),
    ("KZ-31", "Zhambyl Region", "Жамбылская область", "Жамбыл облысы", "Taraz", "Тараз", "Тараз", 42.90, 71.37, 1215892),
    ("KZ-33", "Jetisu Region", "область Жетісу", "Жетісу облысы", "Taldykorgan", "Талдыкорган", "Талдықорған", 45.02, 78.37, 700000),
    ("KZ-35", "Karaganda Region", "Карагандинская область", "Қарағанды облысы", "Karaganda", "Караганда", "Қарағанды", 49.81, 73.09, 1131438),
    ("KZ-39", "Kostanay Region", "Костанайская область", "Қостанай облысы", "Kostanay", "Костанай", "Қостанай", 53.21, 63.63, 830000),
    ("KZ-43", "Kyzylorda Region", "Кызылординская область", "Қызылорда облысы", "Kyzylorda", "Кызылорда", "Қызылорда", 44.85, 65.51, 840000),
    ("KZ-47", "Mangystau Region", "Мангистауская область", "Маңғыстау облысы", "Aktau", "Актау", "Ақтау", 43.65, 51.17, 818345),
    ("KZ-55", "Pavlodar Region", "Павлодарская область", "Павлодар облысы", "Pavlodar", "Павлодар", "Павлодар", 52.29, 76.97, 750000),
    ("KZ-59", "North Kazakhstan Region", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы", "Petropavl", "Петропавловск", "Петропавл", 54.87, 69.15, 514732),
    ("KZ-61", "Turkistan Region", "Туркестанская область", "Түркістан облысы", "Turkistan", "Туркестан", "Түркістан", 43.30, 68.27, 2148168),
    ("KZ-62", "Ulytau Region", "область Улытау", "Ұлытау облысы", "Zhezkazgan", "Жезказган", "Жезқазған", 47.80, 67.71, 219200),
    ("KZ-63", "East Kazakhstan Region", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы", "Oskemen", "Усть-Каменогорск", "Өскемен", 49.95, 82.62, 720000),
    ("KZ-71", "Astana", "г. Астана", "Астана қаласы", "Astana", "Астана", "Астана", 51.12, 71.43, 1630640),
    ("KZ-75", "Almaty", "г. Алматы", "Алматы қаласы", "Almaty", "Алматы", "Алматы", 43.24, 76.88, 2345012),
    ("KZ-79", "Shymkent", "г. Шымкент", "Шымкент қаласы", "Shymkent", "Шымкент", "Шымкент", 42.32, 69.59, 1291011),
]
REGION_CODES = tuple(r[0] for r in REGIONS)
# Population growth used to back-fill earlier years (national growth ≈ 1.1–1.3 % a year).
POPULATION_GROWTH = 0.012
POPULATION_BASE_YEAR = 2025

# code, en, ru, kk, colour, Bootstrap icon
SECTORS = [
    ("education", "Education", "Образование", "Білім беру", "#1f77b4", "bi-mortarboard"),
    ("health", "Health care", "Здравоохранение", "Денсаулық сақтау", "#d62728", "bi-heart-pulse"),
    ("transport", "Transport and roads", "Транспорт и дороги", "Көлік және жолдар", "#7f7f7f", "bi-sign-turn-right"),
    ("social", "Social protection", "Социальная защита", "Әлеуметтік қорғау", "#9467bd", "bi-people"),
    ("culture", "Culture and sport", "Культура и спорт", "Мәдениет және спорт", "#e377c2", "bi-trophy"),
    ("housing", "Housing and utilities", "Жилищно-коммунальное хозяйство", "Тұрғын үй-коммуналдық шаруашылық", "#ff7f0e", "bi-house"),
    ("agriculture", "Agriculture", "Сельское хозяйство", "Ауыл шаруашылығы", "#2ca02c", "bi-tree"),
    ("public_order", "Public order", "Общественный порядок", "Қоғамдық тәртіп", "#17becf", "bi-shield-check"),
    ("general", "General public services", "Государственные услуги общего характера", "Жалпы сипаттағы мемлекеттік қызметтер", "#8c564b", "bi-bank"),
    ("other", "Other", "Прочие", "Басқалар", "#bcbd22", "bi-three-dots"),
]
SECTOR_CODES = tuple(s[0] for s in SECTORS)

# code, en, ru, kk, sector
FUNCTIONAL_GROUPS = [
    ("01", "General public services", "Государственные услуги общего характера", "Жалпы сипаттағы мемлекеттік қызметтер", "general"),
    ("02", "Defence", "Оборона", "Қорғаныс", "other"),
    ("03", "Public order, security, legal, judicial, penal activity", "Общественный порядок, безопасность, правовая, судебная, уголовно-исполнительная деятельность", "Қоғамдық тәртіп, қауіпсіздік, құқықтық, сот, қылмыстық-атқару қызметі", "public_order"),
    ("04", "Education", "Образование", "Білім беру", "education"),
    ("05", "Health care", "Здравоохранение", "Денсаулық сақтау", "health"),
    ("06", "Social assistance and social security", "Социальная помощь и социальное обеспечение", "Әлеуметтік көмек және әлеуметтік қамсыздандыру", "social"),
    ("07", "Housing and utilities", "Жилищно-коммунальное хозяйство", "Тұрғын үй-коммуналдық шаруашылық", "housing"),
    ("08", "Culture, sport, tourism and information space", "Культура, спорт, туризм и информационное пространство", "Мәдениет, спорт, туризм және ақпараттық кеңістік", "culture"),
    ("09", "Fuel and energy complex, subsoil use", "Топливно-энергетический комплекс и недропользование", "Отын-энергетика кешені және жер қойнауын пайдалану", "other"),
    ("10", "Agriculture, water, forestry, fishery, protected areas, environment, land relations", "Сельское, водное, лесное, рыбное хозяйство, особо охраняемые природные территории, охрана окружающей среды и животного мира, земельные отношения", "Ауыл, су, орман, балық шаруашылығы, ерекше қорғалатын табиғи аумақтар, қоршаған ортаны және жануарлар дүниесін қорғау, жер қатынастары", "agriculture"),
    ("11", "Industry, architecture, urban planning and construction", "Промышленность, архитектурная, градостроительная и строительная деятельность", "Өнеркәсіп, сәулет, қала құрылысы және құрылыс қызметі", "other"),
    ("12", "Transport and communications", "Транспорт и коммуникации", "Көлік және коммуникация", "transport"),
    ("13", "Other", "Прочие", "Басқалар", "other"),
    ("14", "Debt service", "Обслуживание долга", "Борышқа қызмет көрсету", "other"),
    ("15", "Transfers", "Трансферты", "Трансферттер", "other"),
]

# code, category, en, ru, kk
SPECIFICS = [
    (111, "wages", "Wages", "Оплата труда", "Еңбекақы төлеу"),
    (112, "wages", "Additional cash payments", "Дополнительные денежные выплаты", "Қосымша ақшалай төлемдер"),
    (113, "wages", "Compensation payments", "Компенсационные выплаты", "Өтемақы төлемдері"),
    (116, "taxes", "Employer's pension contributions", "Обязательные пенсионные взносы работодателя", "Жұмыс берушінің міндетті зейнетақы жарналары"),
    (121, "taxes", "Social tax", "Социальный налог", "Әлеуметтік салық"),
    (122, "taxes", "Social insurance contributions", "Социальные отчисления в Государственный фонд социального страхования", "Мемлекеттік әлеуметтік сақтандыру қорына әлеуметтік аударымдар"),
    (124, "taxes", "Mandatory social health insurance contributions", "Отчисления на обязательное социальное медицинское страхование", "Міндетті әлеуметтік медициналық сақтандыруға аударымдар"),
    (141, "goods", "Food", "Приобретение продуктов питания", "Азық-түлік өнімдерін сатып алу"),
    (142, "goods", "Medicines and medical supplies", "Приобретение медикаментов и прочих средств медицинского назначения", "Дәрі-дәрмектер мен медициналық мақсаттағы өзге де құралдарды сатып алу"),
    (143, "goods", "Uniforms and clothing", "Приобретение, пошив и ремонт предметов вещевого имущества", "Заттай мүлік заттарын сатып алу, тігу және жөндеу"),
    (144, "goods", "Fuel and lubricants", "Приобретение топлива, горюче-смазочных материалов", "Отын, жанар-жағар май материалдарын сатып алу"),
    (149, "goods", "Other supplies", "Приобретение прочих запасов", "Өзге де қорларды сатып алу"),
    (151, "services", "Utilities", "Оплата коммунальных услуг", "Коммуналдық қызметтерге ақы төлеу"),
    (152, "services", "Communication services", "Оплата услуг связи", "Байланыс қызметтеріне ақы төлеу"),
    (153, "services", "Transport services", "Оплата транспортных услуг", "Көлік қызметтеріне ақы төлеу"),
    (154, "services", "Rent of premises", "Оплата аренды за помещение", "Үй-жайды жалға алу ақысын төлеу"),
    (159, "services", "Other services and works", "Оплата прочих услуг и работ", "Өзге де қызметтер мен жұмыстарға ақы төлеу"),
    (161, "travel", "Domestic business trips", "Командировки и служебные разъезды внутри страны", "Ел ішіндегі іссапарлар мен қызметтік сапарлар"),
    (169, "other", "Other current expenses", "Прочие текущие затраты", "Өзге де ағымдағы шығындар"),
    (414, "capital", "Machinery, equipment and inventory", "Приобретение машин, оборудования, инструментов, производственного и хозяйственного инвентаря", "Машиналар, жабдықтар, құрал-саймандар, өндірістік және шаруашылық мүкәммалын сатып алу"),
    (421, "capital", "Capital repair of buildings", "Капитальный ремонт помещений, зданий, сооружений, передаточных устройств", "Үй-жайларды, ғимараттарды, құрылыстарды күрделі жөндеу"),
    (429, "capital", "Capital repair of other assets", "Капитальный ремонт прочих основных средств", "Өзге де негізгі құралдарды күрделі жөндеу"),
    (431, "capital", "New construction and reconstruction", "Строительство новых объектов и реконструкция имеющихся объектов", "Жаңа объектілер салу және барларын реконструкциялау"),
]
SPECIFIC_CODES = tuple(s[0] for s in SPECIFICS)

# program code (administrator-program), functional group, en, ru, kk
PROGRAMS = [
    ("464-003", "04", "General education", "Общеобразовательное обучение", "Жалпы білім беру"),
    ("464-040", "04", "State order in pre-school organisations", "Реализация государственного образовательного заказа в дошкольных организациях образования", "Мектепке дейінгі білім беру ұйымдарында мемлекеттік білім беру тапсырысын іске асыру"),
    ("261-024", "04", "Training of specialists in technical and vocational education", "Подготовка специалистов в организациях технического и профессионального образования", "Техникалық және кәсіптік білім беру ұйымдарында мамандар даярлау"),
    ("253-015", "05", "Inpatient medical care", "Оказание стационарной медицинской помощи", "Стационарлық медициналық көмек көрсету"),
    ("253-033", "05", "Capital expenditure of health organisations", "Капитальные расходы медицинских организаций здравоохранения", "Денсаулық сақтау ұйымдарының күрделі шығыстары"),
    ("253-039", "05", "Primary health care", "Оказание амбулаторно-поликлинических услуг и медицинских услуг субъектами первичной медико-санитарной помощи", "Бастапқы медициналық-санитариялық көмек көрсету"),
    ("253-011", "05", "Emergency medical care", "Оказание скорой медицинской помощи", "Жедел медициналық көмек көрсету"),
    ("458-023", "12", "Operation of the road network", "Обеспечение функционирования автомобильных дорог", "Автомобиль жолдарының жұмыс істеуін қамтамасыз ету"),
    ("458-045", "12", "Capital and medium repair of roads", "Капитальный и средний ремонт автомобильных дорог", "Автомобиль жолдарын күрделі және орташа жөндеу"),
    ("451-002", "06", "Employment and social programmes", "Программа занятости и социальные программы", "Жұмыспен қамту бағдарламасы және әлеуметтік бағдарламалар"),
    ("451-005", "06", "Special social services", "Оказание специальных социальных услуг", "Арнаулы әлеуметтік қызметтер көрсету"),
    ("455-003", "08", "Support of culture and leisure", "Поддержка культурно-досуговой работы", "Мәдени-демалыс жұмысын қолдау"),
    ("465-004", "08", "Children and youth sport", "Дополнительное образование для детей и юношества по спорту", "Балалар мен жасөспірімдерге спорт бойынша қосымша білім беру"),
    ("458-033", "07", "Heat, water and sewerage networks", "Развитие коммунального хозяйства", "Коммуналдық шаруашылықты дамыту"),
    ("458-015", "07", "Street lighting and public amenities", "Освещение улиц и благоустройство населённых пунктов", "Елді мекендердің көшелерін жарықтандыру және абаттандыру"),
    ("474-001", "10", "Local agriculture policy", "Услуги по реализации государственной политики в области сельского хозяйства", "Ауыл шаруашылығы саласындағы мемлекеттік саясатты іске асыру"),
    ("474-012", "10", "Veterinary measures", "Проведение ветеринарных мероприятий", "Ветеринариялық іс-шаралар жүргізу"),
    ("471-001", "03", "Public order and road safety", "Обеспечение общественного порядка и безопасности дорожного движения", "Қоғамдық тәртіпті және жол жүрісі қауіпсіздігін қамтамасыз ету"),
    ("122-001", "01", "Services of the akim's office", "Услуги по обеспечению деятельности акима", "Әкімнің қызметін қамтамасыз ету жөніндегі қызметтер"),
    ("123-001", "01", "Akim's office of a town, village or rural district", "Услуги по обеспечению деятельности акима города районного значения, села, поселка, сельского округа", "Аудандық маңызы бар қала, ауыл, кент, ауылдық округ әкімінің қызметін қамтамасыз ету"),
]
# Every program has these subprograms: 015 funded locally, 011 by republican transfers.
SUBPROGRAMS = [
    ("015", "Local budget", "За счёт средств местного бюджета", "Жергілікті бюджет қаражаты есебінен"),
    ("011", "Transfers from the republican budget", "За счёт трансфертов из республиканского бюджета", "Республикалық бюджеттен берілетін трансферттер есебінен"),
]

# code, en, ru, kk, sector, unit kind
INSTITUTION_TYPES = [
    ("school", "School", "Школа", "Мектеп", "education", "pupils"),
    ("kindergarten", "Kindergarten", "Детский сад", "Балабақша", "education", "children"),
    ("college", "College", "Колледж", "Колледж", "education", "students"),
    ("hospital", "Hospital", "Больница", "Аурухана", "health", "beds"),
    ("polyclinic", "Polyclinic", "Поликлиника", "Емхана", "health", "patients"),
    ("ambulance", "Ambulance station", "Станция скорой помощи", "Жедел жәрдем станциясы", "health", None),
    ("road_department", "Road department", "Отдел автомобильных дорог", "Автомобиль жолдары бөлімі", "transport", "km"),
    ("social_service", "Social service centre", "Центр социального обслуживания", "Әлеуметтік қызмет көрсету орталығы", "social", "clients"),
    ("culture_house", "House of culture", "Дом культуры", "Мәдениет үйі", "culture", None),
    ("sport_school", "Sports school", "Спортивная школа", "Спорт мектебі", "culture", "children"),
    ("utility", "Utility enterprise", "Коммунальное предприятие", "Коммуналдық кәсіпорын", "housing", None),
    ("agriculture_department", "Agriculture and veterinary department", "Отдел сельского хозяйства и ветеринарии", "Ауыл шаруашылығы және ветеринария бөлімі", "agriculture", None),
    ("police_department", "Police department", "Отдел полиции", "Полиция бөлімі", "public_order", None),
    ("akimat", "Akimat", "Аппарат акима", "Әкім аппараты", "general", None),
]
INSTITUTION_TYPE_CODES = tuple(t[0] for t in INSTITUTION_TYPES)
BUDGET_LEVELS = ("republican", "regional", "district")
UNIT_KINDS = ("pupils", "children", "students", "beds", "patients", "km", "clients")
