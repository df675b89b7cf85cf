"""`python -m dashboard import {institutions,lines,boundaries,classification} FILE`: arguments and output."""
from __future__ import annotations

import sys
from pathlib import Path

from dashboard.db import engine_for
from dashboard.i18n import LANGUAGES, t
from dashboard.importer import classification
from dashboard.importer.boundaries import DEFAULT_TOLERANCE, import_boundaries
from dashboard.importer.report import ImportReport
from dashboard.importer.run import Options, import_institutions, import_lines

SHOWN_ISSUES = 20


def add_parser(sub) -> None:
    """Register the `import` command and its kinds."""
    parser = sub.add_parser("import", help="import institutions, budget lines, region boundaries or the budget classification from a file")
    kinds = parser.add_subparsers(dest="what", required=True)
    for what, text in (("institutions", "institutions (CSV or XLSX, upsert by BIN)"),
                       ("lines", "budget lines (CSV or XLSX, upsert by institution, year, month, "
                                 "program, subprogram, specific)"),
                       ("boundaries", "region boundaries (GeoJSON FeatureCollection)")):
        p = kinds.add_parser(what, help=text)
        p.add_argument("file", type=Path)
        p.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
        if what != "boundaries":
            p.add_argument("--skip-invalid", action="store_true",
                           help="load the valid rows and report the others (exit status 1 if any were skipped)")
            p.add_argument("--max-size", type=float, default=200, metavar="MB", help="largest accepted file")
        p.add_argument("--report", type=Path, metavar="PATH",
                       help="where to write the report CSV (default: next to the file, NAME.report.csv)")
        p.add_argument("--lang", choices=LANGUAGES, default="ru", help="language of the report")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        if what == "lines":
            p.add_argument("--institutions", type=Path, metavar="FILE",
                           help="an institutions file imported in the same transaction")
        if what == "boundaries":
            p.add_argument("--code-property", default="iso_3166_2",
                           help="feature property holding the ISO 3166-2 region code")
            p.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                           help="simplification tolerance in degrees")
        p.set_defaults(func=cmd_import)
    classification.add_parser(kinds, cmd_import)


def cmd_import(args, config) -> int:
    """Run one import and print its report; 0 all loaded, 1 rejected or rows skipped, 2 usage."""
    for path in (args.file, getattr(args, "institutions", None)):
        if path is not None and not path.is_file():
            print(t("import.cli.no_file", args.lang, file=str(path)), file=sys.stderr)
            return 2
    from dashboard.cli import migrate
    from dashboard.db import head_revision
    from queries.health import schema_revision

    engine = engine_for(config.database_url)
    with engine.connect() as conn:
        current = schema_revision(conn)
    if current != head_revision():  # only then: migrating takes write locks of its own
        migrate(config)
    if args.what == "classification":
        report = classification.import_classification(engine, args.file, args.dry_run,
                                                      int(args.max_size * 1024 * 1024))
        for line in classification.details_lines(report, args.lang):
            print(line)
    elif args.what == "boundaries":
        report = import_boundaries(engine, args.file, args.code_property, args.tolerance, args.dry_run)
    else:
        options = Options(dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                          max_bytes=int(args.max_size * 1024 * 1024), boundaries_path=config.boundaries_path,
                          progress=not args.quiet and sys.stderr.isatty())
        if args.what == "institutions":
            report = import_institutions(engine, args.file, options)
        else:
            report = import_lines(engine, args.file, options, institutions_path=args.institutions)
    print_report(report, args, args.lang)
    return report.exit_code


def report_path(args) -> Path | None:
    """--report, else NAME.report.csv next to a table file (boundaries: only with --report)."""
    if args.report or args.what == "boundaries":
        return args.report
    return args.file.with_name(f"{args.file.stem}.report.csv")


def print_report(report: ImportReport, args, lang: str) -> None:
    issues = report.sorted_issues()
    for issue in issues[:SHOWN_ISSUES]:
        print(f"{t(f'import.severity.{issue.severity}', lang)}: {issue.describe(lang)}")
    hidden = report.error_count + report.warning_count + report.note_count - min(len(issues), SHOWN_ISSUES)
    path = report_path(args)
    if path is not None:
        try:
            report.write_csv(path, lang)
            print(t("import.cli.more", lang, count=hidden, path=str(path)) if hidden > 0
                  else t("import.cli.report", lang, path=str(path)))
        except OSError as exc:
            print(t("import.cli.report_failed", lang, path=str(path), reason=exc.strerror or str(exc)),
                  file=sys.stderr)
    if report.details.get("institutions"):
        print(t("import.cli.institutions", lang, **report.details["institutions"]))
    if report.kind == "boundaries" and report.details:
        print(t("import.cli.boundaries", lang, **report.details))
    print(report.summary(lang))
