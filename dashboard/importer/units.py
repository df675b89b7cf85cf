"""Amount units a file may declare: tenge, thousands or millions of tenge."""
from __future__ import annotations

import re

# Amount units, as powers of ten of a tenge. Matched on lower-case text with ё as е.
UNITS = (
    (6, re.compile(r"(?<!\w)(?:млн\.?|миллион\w*)\s*(?:тенге|теңге|тг\.?)(?!\w)|(?<!\w)millions?\s+(?:of\s+)?(?:tenge|kzt)(?!\w)")),
    (3, re.compile(r"(?<!\w)(?:тыс\.?|тысяч\w*|мың)\s*(?:тенге|теңге|тг\.?)(?!\w)|(?<!\w)thousands?\s+(?:of\s+)?(?:tenge|kzt)(?!\w)")),
    (0, re.compile(r"(?<!\w)(?:тенге|теңге|тг|tenge|kzt)(?!\w)")),
)
UNIT_NAMES = {0: "import.unit.tenge", 3: "import.unit.thousands", 6: "import.unit.millions"}
_UNIT_TRIM = re.compile(r"[\s,;:()\[\]]+$|^[\s,;:()\[\]]+")


def unit_of(text: str) -> int | None:
    """The amount unit a text declares (digits of a tenge), or None."""
    low = text.lower().replace("ё", "е")
    for digits, pattern in UNITS:
        if pattern.search(low):
            return digits
    return None


def split_unit(header: str) -> tuple[str, int | None]:
    """'План, тыс. тенге' → ('План', 3); 'План' → ('План', None)."""
    low = header.lower().replace("ё", "е")
    for digits, pattern in UNITS:
        match = pattern.search(low)
        if match:
            name = header[:match.start()] + header[match.end():]
            return _UNIT_TRIM.sub("", name.replace("()", "").replace("(,)", "")), digits
    return header, None
