"""Staff passwords: each rule refuses its kind of guessable password, in the CLI (English) and on
/admin/users (kk/ru/en); good passwords pass. The HTTP tests run on both databases."""
import pytest
from sqlalchemy import select

from dashboard.password_policy import WeakPassword, check_password, common_passwords
from dashboard.schema import users
from tests.appeals_support import world  # noqa: F401
from tests.test_users_cli import run_here

WEAK = [  # (password, username, rule)
    ("short pw", "", "short"),
    ("          ", "", "spaces"),
    ("aaaaaaaaaaaa", "", "repeated"),
    ("1111 1111 11", "", "repeated"),
    ("1234567890", "", "sequence"),
    ("9876543210", "", "sequence"),
    ("4567890123", "", "sequence"),
    ("qwertyuiopasdf"[:10], "", "sequence"),
    ("abcdefghijk", "", "sequence"),
    ("dana.kz-secret", "dana.kz", "username"),
    ("My name is DANA.KZ!", "dana.kz", "username"),
    ("ashyqsecret2025", "", "site_name"),
    ("Open Budget Portal", "", "site_name"),
    ("мой бюджет 2025 год", "", "site_name"),
    ("password123", "", "common"),
    ("Password2024!", "", "common"),
    ("superman1234", "", "common"),
    ("1q2w3e4r5t", "", "common"),
    ("Qwerty12345", "", "common"),
    ("йцукенгшщз", "", "sequence"),
    ("пароль12345", "", "common"),
]
STRONG = ["correct horse battery", "Steppe wind 42 over Irtysh", "kumys-and-baursak-at-noon", "Ту2қ8Жыл?ел!"]


@pytest.mark.parametrize("password,username,rule", WEAK)
def test_each_rule_refuses_its_passwords(password, username, rule):
    with pytest.raises(WeakPassword) as refused:
        check_password(password, username)
    assert refused.value.reason == rule


@pytest.mark.parametrize("password", STRONG)
def test_strong_passwords_pass(password):
    check_password(password, "aigul")


def test_the_bundled_list_is_the_common_passwords():
    common = common_passwords()
    assert len(common) > 9000 and {"password", "qwerty", "football", "iloveyou", "пароль"} <= common


@pytest.mark.parametrize("password,error", [("Password2024!", "password_common"), ("1234567890", "password_sequence"),
                                            ("xxxxxxxxxxxx", "password_repeated"), ("short", "weak_password"),
                                            ("newcomer-pass-77", "password_username"),
                                            ("ashyq budget 77", "password_site_name")])
def test_admin_page_refuses_weak_passwords_with_a_translated_reason(world, password, error):
    from dashboard.i18n import catalog

    client = world.client("admin")
    form = {"csrf_token": "test-token", "username": "newcomer", "password": password, "role": "moderator"}
    answer = client.post("/admin/users", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.json["error"] == error
    page = client.post("/admin/users", data=form)
    assert page.headers["Location"] == f"/admin/users?error={error}"
    assert all(f"admin.error.{error}" in catalog(lang) for lang in ("kk", "ru", "en"))
    with world.engine.connect() as conn:
        assert conn.execute(select(users.c.id).where(users.c.username == "newcomer")).first() is None


def test_admin_page_accepts_a_strong_password(world):
    form = {"csrf_token": "test-token", "username": "strong-one", "password": STRONG[1], "role": "moderator"}
    answer = world.client("admin").post("/admin/users", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.data


def test_cli_says_why_in_english(tmp_path, monkeypatch, capsys):
    from tests.test_users_cli import demo_bins

    demo_bins(tmp_path)
    common = run_here(["add", "dana", "--role", "moderator", "--password-stdin"], tmp_path, monkeypatch, capsys,
                      stdin="iloveyou2024\n")
    assert common.returncode == 1 and "among the most common" in common.stderr
    assert run_here(["add", "dana", "--role", "moderator", "--password-stdin"], tmp_path, monkeypatch, capsys,
                    stdin=f"{STRONG[2]}\n").returncode == 0
    named = run_here(["password", "dana", "--password-stdin"], tmp_path, monkeypatch, capsys, stdin="dana-is-here-77\n")
    assert named.returncode == 1 and "cannot contain the username" in named.stderr
