"""Command line: `python -m dashboard {run,migrate,demo,users}`."""
from __future__ import annotations

import argparse
import logging
import sys

from dashboard.config import ConfigError, load_config
from dashboard.db import engine_for, upgrade
from dashboard.demo.load import DEFAULT_INSTITUTIONS, DemoError, load_demo, parse_years

log = logging.getLogger("dashboard")


def _migrate(config) -> None:
    from queries.reference import seed_reference

    upgrade(config.database_url)
    with engine_for(config.database_url).begin() as conn:
        seed_reference(conn)


def cmd_migrate(args, config) -> int:
    _migrate(config)
    print(f"schema is up to date: {config.database_url.split('@')[-1]}")
    return 0


def cmd_demo(args, config) -> int:
    _migrate(config)
    result = load_demo(engine_for(config.database_url), institutions=args.institutions,
                       years=parse_years(args.years), seed=args.seed, replace=args.replace,
                       boundaries=config.boundaries_path, progress=not args.quiet)
    print(f"loaded {result.institutions:,} institutions, {result.lines:,} budget lines, "
          f"{result.anomalies} planted anomalies in {result.seconds:.1f} s")
    return 0


def cmd_run(args, config) -> int:
    from app import create_app
    from queries.bulk import count_institutions

    _migrate(config)
    with engine_for(config.database_url).connect() as conn:
        empty = count_institutions(conn) == 0
    if empty and not args.no_demo:
        print("empty database: loading demo data (once)…")
        cmd_demo(argparse.Namespace(institutions=DEFAULT_INSTITUTIONS, years="2020-2025", seed=42,
                                    replace=False, quiet=False), config)
    app = create_app(config)
    print(f"Ashyq Budget on http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise DemoError("no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise DemoError("the two passwords differ")
    return first


def _user_id(conn, username: str) -> dict:
    from queries.users import user_by_username

    row = user_by_username(conn, username)
    if row is None:
        raise DemoError(f"no user {username!r}")
    return row


def cmd_users(args, config) -> int:
    from dashboard.accounts import hash_password
    from dashboard.accounts_http import add_user
    from queries.users import institution_ids_for_bins, list_users, replace_institutions, set_active, set_password_hash

    _migrate(config)
    engine = engine_for(config.database_url)
    if args.action == "add":
        try:
            user_id = add_user(engine, args.username, args.name or args.username, _read_password(args),
                               args.role, args.bin or [])
        except ValueError as exc:
            raise DemoError(str(exc)) from None
        print(f"user {args.username} ({args.role}) created with id {user_id}")
    elif args.action == "list":
        with engine.connect() as conn:
            rows = list_users(conn)
        for row in rows:
            state = "active" if row["active"] else "disabled"
            print(f"{row['username']}\t{row['role']}\t{state}\t{row['display_name']}\t{' '.join(row['bins'])}")
        if not rows:
            print("no users")
    elif args.action == "password":
        try:
            password_hash = hash_password(_read_password(args))
        except ValueError as exc:
            raise DemoError(str(exc)) from None
        with engine.begin() as conn:
            set_password_hash(conn, _user_id(conn, args.username)["id"], password_hash)
        print(f"password of {args.username} changed")
    elif args.action == "bins":
        with engine.begin() as conn:
            user = _user_id(conn, args.username)
            if user["role"] != "official":
                raise DemoError("only officials are bound to institutions")
            found = institution_ids_for_bins(conn, args.bin)
            missing = sorted(set(args.bin) - set(found))
            if missing:
                raise DemoError(f"no institution with BIN {', '.join(missing)}")
            replace_institutions(conn, user["id"], sorted(found.values()))
        print(f"{args.username} now answers for {', '.join(sorted(args.bin))}")
    else:
        with engine.begin() as conn:
            if not set_active(conn, args.username, args.action == "enable"):
                raise DemoError(f"no user {args.username!r}")
        print(f"user {args.username} {args.action}d")
    return 0


def cmd_uploads(args, config) -> int:
    from dashboard.appeals.storage import UploadStore, audit
    from queries.appeals import stored_file_names

    _migrate(config)
    with engine_for(config.database_url).connect() as conn:
        referenced = stored_file_names(conn)
    report = audit(UploadStore(config.upload_dir), referenced, older_than=args.older_than, delete=args.delete)
    for name in report["missing"]:
        print(f"missing file (a row points at it): {name}")
    for name in report["orphans"]:
        print(f"{'deleted' if args.delete else 'orphan'} file (no row): {name}")
    print(f"{len(report['missing'])} missing, {len(report['orphans'])} orphan files under {config.upload_dir}")
    return 1 if report["missing"] else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Ashyq Budget")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, seed demo data if empty, and serve the app")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8050)
    run.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
    run.set_defaults(func=cmd_run)
    mig = sub.add_parser("migrate", help="create or upgrade the schema and reference data")
    mig.set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="load the deterministic demo data set")
    demo.add_argument("--institutions", type=int, default=DEFAULT_INSTITUTIONS, metavar="N")
    demo.add_argument("--years", default="2020-2025", metavar="FIRST-LAST")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--replace", action="store_true", help="delete existing institutions first")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)
    users = sub.add_parser("users", help="manage accounts (officials, moderators, admins)")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create an account (the password is asked for)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["official", "moderator", "admin"])
    add.add_argument("--bin", action="append", metavar="BIN", help="institution an official answers for (repeat)")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users_sub.add_parser("list", help="list accounts")
    for verb in ("disable", "enable"):
        users_sub.add_parser(verb, help=f"{verb} an account").add_argument("username")
    password = users_sub.add_parser("password", help="set a new password (asked for)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    bins = users_sub.add_parser("bins", help="replace the institutions an official answers for")
    bins.add_argument("username")
    bins.add_argument("--bin", action="append", required=True, metavar="BIN", help="institution BIN (repeat)")
    users.set_defaults(func=cmd_users)
    uploads = sub.add_parser("uploads", help="check that stored files and database rows match")
    uploads.add_argument("--delete", action="store_true", help="delete orphan files (files without a row)")
    uploads.add_argument("--older-than", type=float, default=3600.0, metavar="SECONDS",
                         help="only files older than this count as orphans (default: 3600)")
    uploads.set_defaults(func=cmd_uploads)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config()
        logging.basicConfig(level=config.log_level, format="%(levelname)s %(name)s: %(message)s")
        if getattr(args, "institutions", 1) < 1:
            raise DemoError("--institutions must be at least 1")
        return args.func(args, config)
    except (ConfigError, DemoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
