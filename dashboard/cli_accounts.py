"""`python -m dashboard users …` (accounts) and `python -m dashboard uploads` (files vs rows and hashes)."""
from __future__ import annotations

import sys

from dashboard.cli import DemoError as CommandError  # main() prints these as "error: …", exit 1
from dashboard.cli import migrate
from dashboard.db import engine_for


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise CommandError("the two passwords differ")
    return first


def _user_id(conn, username: str) -> dict:
    from queries.users import user_by_username

    row = user_by_username(conn, username)
    if row is None:
        raise CommandError(f"no user {username!r}")
    return row


def cmd_users(args, config) -> int:
    from dashboard.accounts import hash_password
    from dashboard.account_admin import add_user, change_role, existing_institutions
    from queries.users import list_users, replace_institutions, set_active, set_password_hash

    migrate(config)
    engine = engine_for(config.database_url)
    if args.action == "add":
        try:
            user_id = add_user(engine, args.username, args.name or args.username, _read_password(args),
                               args.role, args.bin or [])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
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
            password_hash = hash_password(_read_password(args), args.username)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        with engine.begin() as conn:
            set_password_hash(conn, _user_id(conn, args.username)["id"], password_hash)
        print(f"password of {args.username} changed; their sessions are signed out")
    elif args.action == "role":
        try:
            change_role(engine, args.username, args.role, args.bin or [])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        print(f"{args.username} is now {args.role}; their sessions are signed out")
    elif args.action == "bins":
        with engine.begin() as conn:
            user = _user_id(conn, args.username)
            if user["role"] != "official":
                raise CommandError("only officials are bound to institutions")
            try:
                replace_institutions(conn, user["id"], existing_institutions(conn, args.bin))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        print(f"{args.username} now answers for {', '.join(sorted(args.bin))}")
    else:
        with engine.begin() as conn:
            if not set_active(conn, args.username, args.action == "enable"):
                raise CommandError(f"no user {args.username!r}")
        print(f"user {args.username} {args.action}d")
    return 0


def cmd_uploads(args, config) -> int:
    from dashboard.appeals.storage import UploadStore, audit, changed_files
    from queries.appeals import attachment_hashes, stored_file_names

    migrate(config)
    with engine_for(config.database_url).connect() as conn:
        referenced = stored_file_names(conn)
        recorded = attachment_hashes(conn)
    store = UploadStore(config.upload_dir)
    report = audit(store, referenced, older_than=args.older_than, delete=args.delete)
    changed = changed_files(store, recorded)
    for name in report["missing"]:
        print(f"missing file (a row points at it): {name}")
    for name in report["orphans"]:
        print(f"{'deleted' if args.delete else 'orphan'} file (no row): {name}")
    for name, before, now in changed:
        print(f"changed file: {name} (recorded {before}, now {now})")
    print(f"{len(report['missing'])} missing, {len(report['orphans'])} orphan, {len(changed)} changed files "
          f"under {config.upload_dir}")
    return 1 if report["missing"] or changed else 0


def add_commands(sub) -> None:
    """Add the `users` and `uploads` subcommands to the CLI's subparsers."""
    users = sub.add_parser("users", help="manage accounts (officials, moderators, admins, analysts)")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create an account (the password is asked for)")
    add.add_argument("username")
    # dashboard.accounts.ROLES, spelled out: importing it (argon2, Flask) would slow every command.
    add.add_argument("--role", required=True, choices=["official", "moderator", "admin", "analyst"])
    add.add_argument("--bin", action="append", metavar="BIN", help="institution an official answers for (repeat)")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users_sub.add_parser("list", help="list accounts")
    for verb in ("disable", "enable"):
        users_sub.add_parser(verb, help=f"{verb} an account").add_argument("username")
    password = users_sub.add_parser("password", help="set a new password (asked for)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    role = users_sub.add_parser("role", help="change an account's role (signs its sessions out)")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=["official", "moderator", "admin", "analyst"])
    role.add_argument("--bin", action="append", metavar="BIN", help="institution BIN for an official (repeat)")
    bins = users_sub.add_parser("bins", help="replace the institutions an official answers for")
    bins.add_argument("username")
    bins.add_argument("--bin", action="append", required=True, metavar="BIN", help="institution BIN (repeat)")
    users.set_defaults(func=cmd_users)
    uploads = sub.add_parser("uploads", help="check that stored files and database rows (and SHA-256s) match")
    uploads.add_argument("--delete", action="store_true", help="delete orphan files (files without a row)")
    uploads.add_argument("--older-than", type=float, default=3600.0, metavar="SECONDS",
                         help="only files older than this count as orphans (default: 3600)")
    uploads.set_defaults(func=cmd_uploads)
