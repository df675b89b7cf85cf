"""Institution names and addresses in Kazakh, Russian and English, as officials write them."""
from __future__ import annotations

STREETS_RU = ["Абая", "Тауелсиздик", "Достык", "Жамбыла", "Сейфуллина", "Кунаева", "Ауэзова",
              "Момышулы", "Сатпаева", "Бейбитшилик", "Республики", "Желтоксан", "Байтурсынова",
              "Казыбек би", "Толе би", "Айтеке би", "Наурызбай батыра", "Валиханова"]
OKRUGS = ["Бирлик", "Жанаталап", "Акколь", "Коктерек", "Береке", "Достык", "Жанажол", "Караой",
          "Кенес", "Коктал", "Тасты", "Акбулак", "Енбек", "Жана жол", "Талапты", "Шуак"]
OKRUGS_KK = ["Бірлік", "Жаңаталап", "Ақкөл", "Көктерек", "Береке", "Достық", "Жаңажол", "Қараой",
             "Кеңес", "Көктал", "Тасты", "Ақбұлақ", "Еңбек", "Жаңа жол", "Талапты", "Шуақ"]


def ru_genitive(name: str) -> str:
    """'Аршалынский район' → 'Аршалынского района'; 'г. Кокшетау' → 'города Кокшетау'."""
    if name.startswith("г. "):
        return "города " + name[3:]
    if name.startswith("район "):
        return "района " + name[6:]
    if name.endswith(" район"):
        adjective = name[: -len(" район")]
        for ending, replacement in (("ский", "ского"), ("цкий", "цкого"), ("ный", "ного"),
                                    ("ой", "ого"), ("ий", "его"), ("ый", "ого")):
            if adjective.endswith(ending):
                adjective = adjective[: -len(ending)] + replacement
                break
        return adjective + " района"
    return name


def place_phrases(district: dict, region: dict) -> dict:
    """Genitive/attributive phrases for a district, e.g. for 'отдела образования {ru}'."""
    ru = ru_genitive(district["name_ru"])
    if district["kind"] == "city_district":
        ru = f"{ru} {ru_genitive(region['name_ru'])}"
    return {"ru": ru, "kk": district["name_kk"], "en": district["name_en"]}


# type -> (ru, kk, en) templates; {n} number, {p} place phrase, {o} rural okrug
TEMPLATES = {
    "school": ("КГУ «Средняя школа № {n}» отдела образования {p}",
               "{p} білім бөлімінің «№ {n} орта мектебі» КММ",
               "Secondary School No. {n}, Education Department of {p}"),
    "kindergarten": ("ГККП «Ясли-сад № {n}» отдела образования {p}",
                     "{p} білім бөлімінің «№ {n} бөбекжай-бақшасы» МКҚК",
                     "Nursery-Kindergarten No. {n}, Education Department of {p}"),
    "college": ("ГККП «Колледж № {n}» управления образования {p}",
                "{p} білім басқармасының «№ {n} колледжі» МКҚК",
                "College No. {n}, Education Office of {p}"),
    "hospital": ("ГКП на ПХВ «Многопрофильная больница № {n}» {p}",
                 "{p} «№ {n} көпбейінді ауруханасы» ШЖҚ МКК",
                 "Multidisciplinary Hospital No. {n}, {p}"),
    "polyclinic": ("ГКП на ПХВ «Поликлиника № {n}» {p}",
                   "{p} «№ {n} емханасы» ШЖҚ МКК",
                   "Polyclinic No. {n}, {p}"),
    "ambulance": ("ГКП на ПХВ «Станция скорой медицинской помощи» {p}",
                  "{p} «Жедел медициналық жәрдем станциясы» ШЖҚ МКК",
                  "Ambulance Station, {p}"),
    "road_department": ("ГУ «Отдел пассажирского транспорта и автомобильных дорог {p}»",
                        "«{p} жолаушылар көлігі және автомобиль жолдары бөлімі» ММ",
                        "Passenger Transport and Roads Department of {p}"),
    "social_service": ("КГУ «Центр оказания специальных социальных услуг № {n}» {p}",
                       "{p} «№ {n} арнаулы әлеуметтік қызметтер көрсету орталығы» КММ",
                       "Special Social Services Centre No. {n}, {p}"),
    "culture_house": ("ГККП «Дом культуры № {n}» {p}",
                      "{p} «№ {n} мәдениет үйі» МКҚК",
                      "House of Culture No. {n}, {p}"),
    "sport_school": ("ГККП «Детско-юношеская спортивная школа № {n}» {p}",
                     "{p} «№ {n} балалар мен жасөспірімдер спорт мектебі» МКҚК",
                     "Children and Youth Sports School No. {n}, {p}"),
    "utility": ("ГКП на ПХВ «Жилищно-коммунальное хозяйство № {n}» {p}",
                "{p} «№ {n} тұрғын үй-коммуналдық шаруашылығы» ШЖҚ МКК",
                "Housing and Utilities Enterprise No. {n}, {p}"),
    "agriculture_department": ("ГУ «Отдел сельского хозяйства и ветеринарии {p}»",
                               "«{p} ауыл шаруашылығы және ветеринария бөлімі» ММ",
                               "Agriculture and Veterinary Department of {p}"),
    "police_department": ("ГУ «Отдел полиции {p}»",
                          "«{p} полиция бөлімі» ММ",
                          "Police Department of {p}"),
    "akimat": ("ГУ «Аппарат акима сельского округа {o}» {p}",
               "{p} «{ok} ауылдық округі әкімінің аппараты» ММ",
               "Office of the Akim of {oe} Rural District, {p}"),
}
# Types of which a district has only one: no number in the name.
SINGLETONS = {"ambulance", "road_department", "agriculture_department", "police_department"}


def institution_names(type_code: str, n: int, place: dict) -> tuple[str, str, str]:
    """(kk, ru, en) names for the n-th institution of a type in a place."""
    ru_t, kk_t, en_t = TEMPLATES[type_code]
    if type_code == "akimat":
        i = (n - 1) % len(OKRUGS)
        suffix = f" {(n - 1) // len(OKRUGS) + 1}" if n > len(OKRUGS) else ""
        o, ok = OKRUGS[i] + suffix, OKRUGS_KK[i] + suffix
        return (kk_t.format(p=place["kk"], ok=ok), ru_t.format(p=place["ru"], o=o),
                en_t.format(p=place["en"], oe=o))
    if type_code in SINGLETONS and n > 1:
        # A second one in the same district is a branch: keep names distinct.
        return (kk_t.format(p=place["kk"], n=n) + f" ({n}-филиал)",
                ru_t.format(p=place["ru"], n=n) + f" (филиал № {n})",
                en_t.format(p=place["en"], n=n) + f" (branch {n})")
    return kk_t.format(p=place["kk"], n=n), ru_t.format(p=place["ru"], n=n), en_t.format(p=place["en"], n=n)


# The same streets as Kazakh addresses write them (a person's name in the nominative + "көшесі").
STREETS_KK = ["Абай", "Тәуелсіздік", "Достық", "Жамбыл", "Сейфуллин", "Қонаев", "Әуезов",
              "Момышұлы", "Сәтбаев", "Бейбітшілік", "Республика", "Желтоқсан", "Байтұрсынов",
              "Қазыбек би", "Төле би", "Әйтеке би", "Наурызбай батыр", "Уәлиханов"]


def address(district: dict, street_index: int, house: int) -> str:
    """A Russian-language postal address in the district's administrative centre."""
    centre = district["center_name_ru"]
    prefix = "г." if district["kind"] in ("city", "city_district") else "с."
    street = STREETS_RU[street_index % len(STREETS_RU)]
    return f"{prefix} {centre}, ул. {street}, {house}"


def address_kk(district: dict, street_index: int, house: int) -> str:
    """The same address in Kazakh: "Көкшетау қ., Абай көшесі, 12" ("а." for a village, ауыл)."""
    centre = district["center_name_kk"]
    suffix = "қ." if district["kind"] in ("city", "city_district") else "а."
    street = STREETS_KK[street_index % len(STREETS_KK)]
    return f"{centre} {suffix}, {street} көшесі, {house}"
