"""Region and district names as people write them, matched to codes.

Beyond the stored names (queries.imports.load_vocabulary, compared by text_key), a name is
compared by its *skeleton*: Kazakh letters folded to their Russian neighbours and everything
transliterated to Latin the way both are commonly spelt (so «Жетісу», «Жетысу» — a Windows-1251
file cannot write «і» — «Zhetysu» and «Jetisu» meet), with the words that say what the place
is («область», «обл.», «облысы», «Region»; «город», «г.», «қаласы», «city»; «район», «р-н»,
«ауданы», «District») set aside as a marker and the word order ignored. Abbreviations (ВКО,
СКО, ЗКО, …) and former names (Нур-Султан) come from a list. A skeleton naming two places is
no match. What was matched this way is reported as a note, with the place it was taken for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.importer.cells import text_key

_MARKERS = {
    "region": {"область", "обл", "облысы", "облыс", "region", "oblast", "oblysy", "obl"},
    "city": {"город", "гор", "г", "қаласы", "қала", "қ", "city", "gorod", "qalasy", "kalasy"},
    "district": {"район", "р-н", "р", "н", "ауданы", "аудан", "district", "raion", "rayon", "audany", "audan"},
}
# Abbreviations and former names, as text_key gives them → region code.
REGION_SYNONYMS = {
    "вко": "KZ-63", "шқо": "KZ-63", "шко": "KZ-63",  # Восточно-Казахстанская / Шығыс Қазақстан
    "ско": "KZ-59", "сқо": "KZ-59",  # Северо-Казахстанская / Солтүстік Қазақстан
    "зко": "KZ-27", "бқо": "KZ-27", "бко": "KZ-27",  # Западно-Казахстанская / Батыс Қазақстан
    "юко": "KZ-61", "оқо": "KZ-61", "око": "KZ-61",  # Южно-Казахстанская, Turkistan since 2018
    "нур-султан": "KZ-71", "нұр-сұлтан": "KZ-71", "nur-sultan": "KZ-71",
    "алма-ата": "KZ-75", "alma-ata": "KZ-75",
}
_CYRILLIC = dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
                     ["a", "b", "v", "g", "d", "e", "j", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "h", "c", "ch", "sh", "sh", "", "i", "", "e", "iu", "ia",
                      "a", "g", "k", "n", "o", "u", "u", "h", "i"]))
_LATIN = (("shch", "sh"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("ya", "ia"), ("yu", "iu"), ("y", "i"),
          ("q", "k"), ("w", "v"), ("x", "ks"), ("ä", "a"), ("ğ", "g"), ("ñ", "n"), ("ö", "o"), ("ū", "u"),
          ("ü", "u"), ("ı", "i"), ("ş", "sh"), ("ç", "ch"), ("ii", "i"))


def skeleton(text: str) -> tuple[str, str]:
    """(skeleton, marker): 'Акмолинская обл.' → ('akmolinskaia', 'region')."""
    words = re.findall(r"[\w-]+", text_key(text).replace("р-н", " р-н "))
    marker, kept = "", []
    for word in words:
        kind = next((k for k, names in _MARKERS.items() if word in names), None)
        if kind and not marker:
            marker = kind
        elif not kind:
            kept.append(word)
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in "".join(sorted(kept)))
    for old, new in _LATIN:
        latin = latin.replace(old, new)
    return re.sub(r"[^a-z0-9]", "", latin), marker


class _Index:
    """Skeleton (with and without its marker) → code, ambiguous skeletons left out."""

    def __init__(self):
        self.exact: dict[tuple, str | None] = {}
        self.loose: dict[tuple, str | None] = {}

    def add(self, scope: str, name: str, code: str) -> None:
        base, marker = skeleton(name)
        if base:
            for table, key in ((self.exact, (scope, base, marker)), (self.loose, (scope, base))):
                table[key] = code if table.get(key, code) == code else None

    def find(self, scope: str, name: str) -> str | None:
        base, marker = skeleton(name)
        if not base:
            return None
        if (scope, base, marker) in self.exact:
            return self.exact[(scope, base, marker)]
        return self.loose.get((scope, base))


class Places:
    """Finds regions and districts by the names in a file; remembers what it matched loosely."""

    def __init__(self, regions: dict[str, str], districts: dict[tuple[str, str], str]):
        self.index = _Index()
        for key, code in regions.items():
            self.index.add("", key, code)
        for (region, key), code in districts.items():
            self.index.add(region, key, code)

    def region(self, value: str) -> str:
        """The region code a name means ('' when none or several)."""
        key = text_key(value)
        if key in REGION_SYNONYMS:
            return REGION_SYNONYMS[key] or ""
        return self.index.find("", value) or ""

    def district(self, region: str, value: str) -> str:
        """The district of `region` a name means ('' when none or several)."""
        return self.index.find(region, value) or "" if region else ""


def place_names(code: str) -> "PlaceName":
    """The stored names of a region or district code, for the report."""
    from dashboard.reference import REGIONS  # noqa: PLC0415 - names only, for messages
    from dashboard.reference_districts import DISTRICTS  # noqa: PLC0415

    for row in REGIONS:
        if row[0] == code:
            return PlaceName(code, kk=row[3], ru=row[2], en=row[1])
    for row in DISTRICTS:
        if row[0] == code:
            return PlaceName(code, kk=row[4], ru=row[3], en=row[5])
    return PlaceName(code, code, code, code)


@dataclass(frozen=True)
class PlaceName:
    """A place's name in the report's language, with its code."""

    code: str
    kk: str
    ru: str
    en: str

    def text(self, lang: str) -> str:
        return f"{getattr(self, lang, self.ru)} ({self.code})"
