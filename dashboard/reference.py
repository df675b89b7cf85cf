"""Reference vocabularies: regions, sectors, budget classification, institution types.

Region codes, names, centres and populations come from ../shared/docs/domain.md (§1.2);
populations marked "A" there are placeholders that add up to the national total.
The budget classification lives in data/classification/ (see CLASSIFICATION_DIR below).
"""
from __future__ import annotations

from pathlib import Path

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

# The budget classification itself (functional groups, administrators, programs, subprograms,
# specifics) ships as the agency-shaped tables in data/classification/ (sources and confidence in
# SOURCES.md there), loaded by queries.reference.seed_reference and replaceable with the official
# tables by `python -m dashboard import classification FILE`. What the agency's tables do not
# carry is kept here: the sector of each functional group and the category of each specific.
CLASSIFICATION_DIR = Path(__file__).parent / "data" / "classification"

# functional group → sector (a group that is not listed goes to "other")
FUNCTIONAL_GROUP_SECTORS = {
    "01": "general", "02": "other", "03": "public_order", "04": "education", "05": "health", "06": "social",
    "07": "housing", "08": "culture", "09": "other", "10": "agriculture", "11": "other", "12": "transport",
    "13": "other", "14": "other", "15": "other",
}
SPECIFIC_CATEGORIES = ("wages", "taxes", "goods", "services", "travel", "other", "transfers", "capital")


def specific_category(code: int) -> str:
    """The spending category of an economic classification specific, from its subclass (the
    first two digits): 11x wages (116, the employer's pension contribution, with taxes), 12x
    taxes, 13x the same for technical staff, 14x goods, 15x services, 161–162 business trips,
    other 1xx other current expenses, 3xx transfers, 4xx capital, anything else other."""
    code = int(code)
    if code == 116 or 120 <= code <= 129 or code == 135:
        return "taxes"
    if 110 <= code <= 119 or 130 <= code <= 134:
        return "wages"
    if code in (136, 161, 162):
        return "travel"
    if 140 <= code <= 149:
        return "goods"
    if 150 <= code <= 159:
        return "services"
    if 300 <= code <= 399:
        return "transfers"
    if 400 <= code <= 499:
        return "capital"
    return "other"


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
