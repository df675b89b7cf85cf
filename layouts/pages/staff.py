"""Pages for accounts: sign-in, the moderator's queue, the official's desk, user management.

The layout shows data containers only to a signed-in user of the right role; the callbacks
filling them check the role again on the server (a crafted request gets 403).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard.accounts import ROLES
from dashboard.i18n import catalog, request_language, t
from layouts import ids
from layouts.components.appeals import csrf_field, error_alert, hidden
from layouts.shell import page

LOGIN_PATH, MODERATION_PATH, OFFICIAL_PATH, ADMIN_PATH = "/login", "/moderation", "/official", "/admin/users"


def account_bar(lang: str) -> html.Div:
    """Who is signed in, with a sign-out button."""
    return html.Div([
        html.Span([t("accounts.signed_in_as", lang), " ", html.Strong(current_user.display_name),
                   f" ({t('accounts.role.' + current_user.role, lang)})"], className="me-2", id="signed-in-as"),
        html.Form([csrf_field(), html.Button(t("accounts.logout", lang), type="submit",
                                             className="btn btn-sm btn-outline-secondary")],
                  action="/auth/logout", method="POST", className="d-inline"),
        *_analyst_links(lang),
    ], className="account-bar mb-3")


def _analyst_links(lang: str) -> list:
    """An analyst's way to the workspace and the cases from every staff page."""
    if not current_user.has_role("analyst"):
        return []
    return [html.A(t(key, lang), href=f"{path}?lang={lang}", id=link_id, className="btn btn-sm btn-outline-primary ms-2")
            for key, path, link_id in (("cases.nav.workspace", "/analyst", "analyst-link"),
                                       ("cases.nav.cases", "/analyst/cases", "analyst-cases-link"))]


def _guarded(lang: str, path: str, role: str, title_key: str, *content) -> html.Div:
    if not current_user.is_authenticated:
        body = [html.P(t("accounts.login_needed", lang)),
                html.A(t("accounts.login", lang), href=f"/login?next={path}&lang={lang}", className="btn btn-primary")]
    elif not current_user.has_role(role):
        body = [dbc.Alert(t("accounts.forbidden", lang), color="warning")]
    else:
        body = [account_bar(lang), *content, dcc.Store(id=ids.STAFF_CTX, data={"lang": lang})]
    return page(lang, path, html.H1(t(title_key, lang), className="h3"), *body)


def login_layout(lang: str | None = None, next: str | None = None, error: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    form = html.Form([
        error_alert(lang, error), csrf_field(), hidden("next", next or ""), hidden("lang", lang),
        html.Div([html.Label(t("accounts.username", lang), htmlFor="login-username", className="form-label"),
                  dbc.Input(id="login-username", name="username", required=True, autoComplete="username")], className="mb-2"),
        html.Div([html.Label(t("accounts.password", lang), htmlFor="login-password", className="form-label"),
                  dbc.Input(id="login-password", name="password", type="password", required=True,
                            autoComplete="current-password")], className="mb-3"),
        html.Button(t("accounts.login", lang), type="submit", id="login-submit", className="btn btn-primary"),
    ], action="/auth/login", method="POST", className="card card-body login-form")
    return page(lang, LOGIN_PATH, html.H1(t("accounts.login_title", lang), className="h3"),
                dbc.Row(dbc.Col(form, md=6, lg=4)))


def _flash(lang: str, error: str | None, saved: str | None):
    if error:
        return error_alert(lang, "action_failed" if error.isdigit() else error)
    return dbc.Alert(t("accounts.saved", lang), color="success") if saved else None


def moderation_layout(lang: str | None = None, error: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    return _guarded(lang, MODERATION_PATH, "moderator", "moderation.title", _flash(lang, error, None),
                    html.H2(t("moderation.queue", lang), className="h5"),
                    dcc.Loading(html.Div(id=ids.MOD_QUEUE), type="dot"),
                    html.H2(t("moderation.overdue", lang), className="h5 mt-4"),
                    html.Div(id=ids.MOD_OVERDUE))


def official_layout(lang: str | None = None, error: str | None = None, saved: str | None = None,
                    **_q) -> html.Div:
    lang = request_language(lang)
    return _guarded(lang, OFFICIAL_PATH, "official", "official.title", _flash(lang, error, saved),
                    dcc.Loading(html.Div(id=ids.OFFICIAL_DESK), type="dot"))


def admin_layout(lang: str | None = None, error: str | None = None, saved: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    add_form = html.Form([
        csrf_field(),
        dbc.Row([
            dbc.Col([html.Label(t("accounts.username", lang), htmlFor="new-username", className="form-label"),
                     dbc.Input(id="new-username", name="username", required=True)], md=3),
            dbc.Col([html.Label(t("accounts.display_name", lang), htmlFor="new-name", className="form-label"),
                     dbc.Input(id="new-name", name="display_name")], md=3),
            dbc.Col([html.Label(t("accounts.role", lang), htmlFor="new-role", className="form-label"),
                     dbc.Select(options=[{"label": t(f"accounts.role.{r}", lang), "value": r}
                                         for r in ROLES],
                                value="official", id="new-role", name="role")], md=2),
            dbc.Col([html.Label(t("accounts.bins", lang), htmlFor="new-bins", className="form-label"),
                     dbc.Input(id="new-bins", name="bins")], md=2),
            dbc.Col([html.Label(t("accounts.password", lang), htmlFor="new-password", className="form-label"),
                     dbc.Input(id="new-password", name="password", type="password", minLength=10,
                               required=True, autoComplete="new-password")], md=2),
        ], className="mb-2"),
        html.Button(t("accounts.add_user", lang), type="submit", className="btn btn-primary"),
    ], action="/admin/users", method="POST", className="card card-body mb-3")
    flash = (dbc.Alert(t(f"admin.error.{error}", lang) if f"admin.error.{error}" in catalog(lang)
                       else t("appeals.error.generic", lang), color="danger") if error else _flash(lang, None, saved))
    import_link = html.A(t("import.web.title", lang), href=f"/admin/import?lang={lang}", id="admin-import-link",
                         className="btn btn-outline-secondary btn-sm mb-3")
    return _guarded(lang, ADMIN_PATH, "admin", "admin.title", import_link, flash, add_form,
                    html.Div(id=ids.ADMIN_USERS))
