"""Command line: `python -m dashboard {run,migrate,demo,import,users,uploads}`."""
from __future__ import annotations

import argparse
import logging
import sys

from dashboard.config import ConfigError, load_config
from dashboard.db import engine_for, upgrade
from dashboard.demo.load import DEFAULT_INSTITUTIONS, DemoError, load_demo, parse_years

log = logging.getLogger("dashboard")


def migrate(config) -> None:
    """Bring the schema and reference data up to date."""
    from queries.reference import seed_reference

    upgrade(config.database_url)
    with engine_for(config.database_url).begin() as conn:
        seed_reference(conn)


def cmd_migrate(args, config) -> int:
    migrate(config)
    print(f"schema is up to date: {config.database_url.split('@')[-1]}")
    return 0


def cmd_demo(args, config) -> int:
    if args.institutions < 1:
        raise DemoError("--institutions must be at least 1")
    migrate(config)
    from dashboard.boundaries import SHIPPED_PATH

    # Institutions inside the polygons the map draws: BOUNDARIES_PATH, else the shipped ones.
    result = load_demo(engine_for(config.database_url), institutions=args.institutions,
                       years=parse_years(args.years), seed=args.seed, replace=args.replace,
                       boundaries=config.boundaries_path or SHIPPED_PATH, progress=not args.quiet)
    print(f"loaded {result.institutions:,} institutions, {result.lines:,} budget lines, "
          f"{result.anomalies} planted anomalies in {result.seconds:.1f} s")
    if not getattr(args, "no_scan", False):
        from dashboard.anomalies.scan import scan_engine

        found = scan_engine(engine_for(config.database_url))
        print(f"anomaly scan: {len(found.flags):,} flags in {found.total_seconds:.1f} s")
    return 0


def cmd_run(args, config) -> int:
    from app import create_app
    from queries.bulk import count_institutions

    migrate(config)
    with engine_for(config.database_url).connect() as conn:
        empty = count_institutions(conn) == 0
    if empty and not args.no_demo:
        print("empty database: loading demo data (once)…")
        cmd_demo(argparse.Namespace(institutions=DEFAULT_INSTITUTIONS, years="2020-2025", seed=42,
                                    replace=False, quiet=False, no_scan=False), config)
    app = create_app(config)
    port = args.port or config.port
    print(f"Ashyq Budget on http://{args.host}:{port}/")
    app.run(host=args.host, port=port, debug=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Ashyq Budget")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, seed demo data if empty, and serve the app")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=None, help="default: $PORT, else 8050")
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
    demo.add_argument("--no-scan", action="store_true", help="do not run the anomaly scan after loading")
    demo.set_defaults(func=cmd_demo)
    from dashboard import cli_accounts, cli_anomalies  # users and uploads (issue 6), anomalies (issue 16)
    from dashboard.importer.cli import add_parser as add_import_parser

    add_import_parser(sub)
    cli_accounts.add_commands(sub)
    cli_anomalies.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config()
        logging.basicConfig(level=config.log_level, format="%(levelname)s %(name)s: %(message)s")
        return args.func(args, config)
    except (ConfigError, DemoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
