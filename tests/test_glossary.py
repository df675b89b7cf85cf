"""The catalogs follow docs/glossary.md, and numbers agree with their words.

The glossary's Terms table gives the allowed forms of each concept, the Avoid table the
variants no message may use, the Short forms table the short forms that need the full term
in the same message. A `*` at the end of a word means "any ending".
"""
import re
from pathlib import Path

import pytest

from dashboard.i18n import LANGUAGES, catalog, t

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
COLUMN = {"kk": 1, "ru": 2, "en": 3}  # the Terms table's language columns


def _section(title: str) -> list[list[str]]:
    """The rows (cells) of the table under '## title', header and rule left out."""
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def _ticks(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _pattern(term: str) -> re.Pattern:
    """A glossary term as a whole-word, case-insensitive pattern; a trailing * on a word = any ending."""
    words = []
    for word in term.split():
        stem = word.endswith("*")
        words.append(re.escape(word.rstrip("*")) + (r"\w*" if stem else ""))
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _allowed(lang: str) -> list[re.Pattern]:
    return [_pattern(term) for row in _section("Terms") for term in _ticks(row[COLUMN[lang]])]


def _avoided(lang: str) -> list[tuple[str, re.Pattern]]:
    return [(term, _pattern(term)) for row in _section("Avoid") if row[0] == lang
            for term in _ticks(row[1])]


def _plain(text: str) -> str:
    return re.sub(r"\{\w+\}", " ", text)


def test_the_glossary_has_every_table_filled():
    assert len(_section("Terms")) >= 30
    for lang in LANGUAGES:
        assert _avoided(lang), lang
        assert all(_ticks(row[COLUMN[lang]]) for row in _section("Terms")), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_allowed_term_is_also_avoided(lang):
    allowed = [term for row in _section("Terms") for term in _ticks(row[COLUMN[lang]])]
    for term in allowed:
        plain = term.replace("*", "")
        # an allowed form may contain an avoided word only when the allowed form itself is stripped first
        for name, pattern in _avoided(lang):
            if pattern.search(plain):
                assert any(p.fullmatch(plain) for p in _allowed(lang)), (term, name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_use_no_avoided_variant(lang):
    allowed, avoided = _allowed(lang), _avoided(lang)
    found = []
    for key, text in catalog(lang).items():
        rest = _plain(text)
        for pattern in allowed:  # "сайт әкімшісі" is fine although a bare "әкімші" is not
            rest = pattern.sub(" ", rest)
        found += [f"{key}: {name!r} in {text!r}" for name, pattern in avoided if pattern.search(rest)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_short_forms_come_with_the_full_term(lang):
    rules = [(_pattern(_ticks(short)[0]), _pattern(_ticks(full)[0]))
             for row_lang, short, full in _section("Short forms") if row_lang == lang]
    assert rules
    missing = [f"{key}: {text!r}" for key, text in catalog(lang).items()
               for short, full in rules if short.search(text) and not full.search(text)]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang, text", [
    ("kk", "Жоспарлы бюджет"), ("kk", "Үздік 5 аудан"), ("kk", "Әкімші өз есептік жазбасын"),
    ("kk", "Экономикалық ерекшелік бойынша"), ("ru", "Топ-5 областей"), ("ru", "Администратор не может"),
    ("en", "An admin cannot"),
])
def test_the_avoid_check_catches_the_old_labels(lang, text):
    rest = text
    for pattern in _allowed(lang):
        rest = pattern.sub(" ", rest)
    assert any(pattern.search(rest) for _, pattern in _avoided(lang)), text


def test_the_avoid_check_lets_the_qualified_terms_through():
    for lang, text in [("kk", "Сайт әкімшісі өз есептік жазбасын"), ("kk", "облыстық немесе аудандық"),
                       ("ru", "код администратора бюджетных программ")]:
        rest = text
        for pattern in _allowed(lang):
            rest = pattern.sub(" ", rest)
        assert not any(pattern.search(rest) for _, pattern in _avoided(lang)), text


# A case ending, possessive, "мен/бен/пен" or ordinal "-ші" glued to a placeholder: its form depends
# on how the number (or name) is read, which a template cannot know.
KAZAKH_SUFFIX_ON_PLACEHOLDER = re.compile(
    r"\}-?(?:ға|ге|қа|ке|на|не|а|е|да|де|та|те|нда|нде|дан|ден|тан|тен|нан|нен|"
    r"ның|нің|дың|дің|тың|тің|ны|ні|ды|ді|ты|ті|ын|ін|н|мен|бен|пен|ымен|імен|"
    r"шы|ші|ншы|нші|ыншы|інші|дағы|дегі|тағы|тегі|ндағы|ндегі|лық|лік|дық|дік|тық|тік)(?![\w])"
    r"|\}\s+(?:мен|бен|пен)(?!\w)")


def test_kazakh_puts_no_suffix_on_a_placeholder():
    bad = [f"{key}: {text!r}" for key, text in catalog("kk").items()
           if KAZAKH_SUFFIX_ON_PLACEHOLDER.search(text)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("text", ["{limit}-ден көп", "{n}-ге дейін", "{year}ға", "{low} мен {high}",
                                  "{row}-ші жол", "{count}-тың"])
def test_the_suffix_check_catches_glued_endings(text):
    assert KAZAKH_SUFFIX_ON_PLACEHOLDER.search(text)


@pytest.mark.parametrize("text", ["{row}-жол", "{limit} таңбадан ұзын", "{year} жылғы", "{share} бөлігінен",
                                  "{low}–{high} аралығындағы", "({limit} МБ) көп"])
def test_the_suffix_check_leaves_good_wording(text):
    assert not KAZAKH_SUFFIX_ON_PLACEHOLDER.search(text)


KAZAKH_PLURAL_AFTER_NUMBER = re.compile(
    r"(?:\d|\})\s+(?!болар\b)[а-яәғқңөұүһі]+(?:лар|лер|дар|дер|тар|тер)"
    r"(?:ы|і|ға|ге|да|де|дың|дің|ды|ді|дан|ден|мен|ымен|імен)?(?!\w)", re.IGNORECASE)  # "болар еді" is a verb


def test_kazakh_nouns_stay_singular_after_a_number():
    bad = [f"{key}: {text!r}" for key, text in catalog("kk").items()
           if KAZAKH_PLURAL_AFTER_NUMBER.search(text)]
    assert not bad, "\n".join(bad)
    assert KAZAKH_PLURAL_AFTER_NUMBER.search("5 мекемелер") and not KAZAKH_PLURAL_AFTER_NUMBER.search("5 мекеме")


# Placeholders that hold a count of things: in Russian the noun's form depends on the count
# (1 обращение / 2 обращения / 5 обращений), so the count goes after "noun:".
COUNTS = {"count", "rows", "total", "shown", "lines", "institutions", "flagged", "peer_n", "decided",
          "rejected", "overdue", "reports", "open", "inserted", "updated", "unchanged", "skipped",
          "errors", "warnings", "found", "length", "limit", "vertices_before",
          "vertices_after", "bytes_before", "bytes_after", "round", "repeat", "this_year"}
INVARIANT_AFTER_COUNT = {"дн", "мб", "с", "из"}  # abbreviations and "из": one form for every number


def test_russian_puts_no_counted_noun_after_a_count():
    bad = []
    for key, text in catalog("ru").items():
        for match in re.finditer(r"\{(\w+)\}\s+([а-яё]+)", text, re.IGNORECASE):
            if match.group(1) in COUNTS and match.group(2).lower() not in INVARIANT_AFTER_COUNT:
                bad.append(f"{key}: {text!r}")
        for match in re.finditer(r"\bиз\s+\{(\w+)\}\s+([а-яё]+)", text, re.IGNORECASE):
            if match.group(1) in COUNTS:  # "из {n} учреждений" fails for n = 1, 21…
                bad.append(f"{key}: {text!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("key, lang, params, expected", [
    ("accounts.signed_in_as", "kk", {}, "Жүйеге кірген:"),
    ("appeals.error.generic", "kk", {}, "Жіберу сәтсіз аяқталды. Қайталап көріңіз."),
    ("appeals.error.generic", "ru", {}, "Отправить не удалось. Попробуйте ещё раз."),
    ("top5.institutions", "kk", {"year": 2025}, "Бюджеті ең ірі 5 мекеме, 2025"),
    ("top5.institutions", "ru", {"year": 2025}, "5 крупнейших учреждений по бюджету, 2025"),
    ("inst.peers.position_value", "kk", {"share": "75 %"}, "мекемелердің 75 % бөлігінен көп"),
    ("inst.specifics.title", "kk", {}, "Экономикалық сыныптама ерекшелігі бойынша"),
    ("inst.specifics.title", "ru", {}, "По специфике экономической классификации"),
    ("accounts.role.admin", "kk", {}, "сайт әкімшісі"),
])
def test_the_texts_named_in_the_issue(key, lang, params, expected):
    assert t(key, lang, **params) == expected


def test_one_kazakh_label_for_the_plan_figure():
    kk = catalog("kk")
    plan_labels = {kk[k] for k in ("kpi.planned", "sectors.planned", "inst.plan")}
    assert plan_labels == {"Жоспар"}
    assert kk["metric.plan"] == kk["inst.plan_adjusted"] == kk["analyst.ev.plan"] == "Нақтыланған жоспар"
