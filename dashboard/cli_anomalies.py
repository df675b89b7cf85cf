"""`python -m dashboard anomalies scan`: score institution-years and store the flags."""
from __future__ import annotations

import json
import sys

from dashboard.cli import DemoError as CommandError  # main() prints these as "error: …", exit 1
from dashboard.cli import migrate
from dashboard.db import engine_for


def cmd_scan(args, config) -> int:
    from tqdm import tqdm

    from dashboard.anomalies.detectors import DETECTORS
    from dashboard.anomalies.explain import sentence
    from dashboard.anomalies.scan import scan
    from queries.anomalies import bins_by_id, plain

    migrate(config)
    detectors = args.detector or None
    if detectors and set(detectors) - set(DETECTORS):
        raise CommandError(f"unknown detector(s) {', '.join(sorted(set(detectors) - set(DETECTORS)))}; "
                           f"known: {', '.join(DETECTORS)}")
    bar = tqdm(total=len(detectors or DETECTORS), unit="detector", desc="anomalies", disable=args.quiet,
               file=sys.stderr)

    def advance(name: str, found: int) -> None:
        bar.set_postfix_str(f"{name}: {found:,}")
        bar.update()

    engine = engine_for(config.database_url)
    with engine.begin() as conn:
        result = scan(conn, years=[args.year] if args.year else None, detectors=detectors, progress=advance)
        bins = bins_by_id(conn, sorted({f.institution_id for f in result.flags})) if args.json else {}
    bar.close()
    if args.json:
        out = sys.stdout if args.json == "-" else open(args.json, "w", encoding="utf-8")  # noqa: SIM115
        try:
            for f in sorted(result.flags, key=lambda f: (-f.score, f.year, f.institution_id, f.detector)):
                out.write(json.dumps({"detector": f.detector, "bin": bins.get(f.institution_id), "year": f.year,
                                      "score": round(f.score, 4), "evidence": f.evidence, "lines": f.lines,
                                      "appeal_ids": f.appeal_ids,
                                      "explanation": sentence(f.detector, f.evidence, args.lang, f.lines)},
                                     ensure_ascii=False, default=plain) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
    for name, found in result.counts.items():
        print(f"{name:<18} {found:>7,} flags  {result.seconds.get(name, 0):6.2f} s", file=sys.stderr)
    print(f"{len(result.flags):,} flags ({result.stored['inserted']:,} new, {result.stored['updated']:,} kept, "
          f"{result.stored['deleted']:,} gone) in {result.total_seconds:.1f} s "
          f"(load {result.seconds['load']:.1f} s, store {result.seconds['store']:.1f} s)", file=sys.stderr)
    return 0


def add_commands(sub) -> None:
    """Add the `anomalies` subcommand to the CLI's subparsers."""
    anomalies = sub.add_parser("anomalies", help="spending anomalies for analysts")
    anomalies_sub = anomalies.add_subparsers(dest="action", required=True)
    run = anomalies_sub.add_parser("scan", help="score institution-years and store the flags")
    run.add_argument("--year", type=int, help="only this year (default: every year)")
    run.add_argument("--detector", action="append", metavar="NAME", help="only this detector (repeat)")
    run.add_argument("--json", metavar="FILE", help="also write the flags as JSON lines to FILE (- for stdout)")
    run.add_argument("--lang", choices=["kk", "ru", "en"], default="ru", help="language of the explanations")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_scan)
