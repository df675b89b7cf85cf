"""Short display names of institutions, for lists where full official names would all be cut
to the same prefix ("ГККП «Колледж № 1» управления образования …")."""
from __future__ import annotations

import re

# Legal forms (ru, kk abbreviations) written before or after the name; the schema has no
# short-name column, so the short name is derived from the official one.
_LEGAL_FORMS = r"(?:ГКП на ПХВ|РГП на ПХВ|КГП на ПХВ|ШЖҚ МКК|ШЖҚ РМК|ГККП|КГКП|РГКП|КГУ|РГУ|ГУ|КММ|МКҚК|РМҚК|ММ|ТОО|ЖШС)"
_PREFIX = re.compile(rf"^\s*{_LEGAL_FORMS}\s+")
_SUFFIX = re.compile(rf"\s+{_LEGAL_FORMS}\s*$")
_QUOTED = re.compile(r"[«\"“„]([^»\"”“]+)[»\"”“]")


def short_name(name: str) -> str:
    """The institution's own name without its legal form and the body it belongs to:
    'ГККП «Колледж № 1» управления образования Аршалынского района' → 'Колледж № 1';
    'College No. 1, Education Office of Arshaly District' → 'College No. 1'."""
    quoted = _QUOTED.search(name)
    if quoted:
        return quoted.group(1).strip()
    bare = _SUFFIX.sub("", _PREFIX.sub("", name)).strip()
    return bare.split(", ", 1)[0] or name
