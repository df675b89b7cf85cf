"""Staff password rules: long enough and not guessable (patterns, names, common passwords)."""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 10
SITE_WORDS = ("ashyq", "ашық", "ashiq", "budget", "бюджет", "byudzhet", "budzhet")
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_ROWS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
         "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_EDGES = string.digits + string.punctuation + " "


class WeakPassword(ValueError):
    """A refused password; `reason` names the rule (admin.error.password_<reason> in the i18n catalog)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_sequence(text: str) -> bool:
    """Consecutive characters of one keyboard or alphabet row, forwards or backwards ("1234567890", "qwertyuiop")."""
    for row in _ROWS:
        for seq in (row, row[::-1]):
            cyclic = seq + seq  # 7890123456 counts too
            if len(text) > 2 and text in cyclic:
                return True
    return False


def check_password(password: str, username: str = "") -> None:
    """Raise WeakPassword unless `password` passes every rule (English detail for the CLI)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword("short", f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise WeakPassword("spaces", "a password cannot be only spaces")
    folded = password.casefold()
    compact = "".join(folded.split())
    if len(set(compact)) == 1:
        raise WeakPassword("repeated", "a password cannot be one character repeated")
    if _is_sequence(compact):
        raise WeakPassword("sequence", "a password cannot be a run of consecutive digits or keys (like 1234567890)")
    name = username.strip().casefold()
    if len(name) >= 3 and (name in compact or name in folded):
        raise WeakPassword("username", "a password cannot contain the username")
    if any(word in compact for word in SITE_WORDS):
        raise WeakPassword("site_name", "a password cannot contain the site's name (ashyq, budget, бюджет)")
    common = common_passwords()
    core = compact.strip(_EDGES)
    if compact in common or (len(core) >= 4 and core in common) or _is_sequence(core):
        raise WeakPassword("common", "this password is among the most common ones (or one with digits added): "
                                     "choose another, e.g. several unrelated words")
