"""``workbench risk``: back-test indicators, score traffic, and move traffic and indicators into the store.

Subcommands::

    workbench risk backtest --indicators FILE.yaml TRAFFIC|--db URL [--json OUT] [--threshold N] [--split DATE] [filters]
    workbench risk score --indicators FILE.yaml TRAFFIC --out SCORED.csv [--threshold N] [--all]
    workbench risk load-traffic TRAFFIC [--db URL] [--source NAME]
    workbench risk import-indicators FILE [--db URL]
    workbench risk export-indicators --out FILE [--db URL] [--active]

Exit status: 0 done; 2 when an input cannot be used (the message names file, sheet, row and column).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import add_db_option, add_filter_options, filter_from_args, store_from_args
from workbench.i18n import _

DEFAULT_THRESHOLD = 40.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "risk",
        help=_("risk indicators: back-test them, score traffic, load traffic and indicators into the store"),
        description=_("Risk indicators: back-test on traffic with a known outcome, score new traffic."),
    )
    rsub = p.add_subparsers(dest="risk_command", metavar="SUBCOMMAND", required=True)

    from workbench.risk.traffic import FILTER_ON_TRAFFIC

    b = rsub.add_parser(
        "backtest",
        help=_("matches, seizures found, precision, recall and lift of each indicator (and of the profile)"),
        description=_(
            "The filters read on traffic as on the app's risk pages: {how}. On a traffic file, the "
            "criteria that select which seizures count need the store: back-test the stored traffic (--db).",
            how="; ".join(f"{k}: {v}" for k, v in FILTER_ON_TRAFFIC.items()),
        ),
    )
    b.add_argument(
        "--indicators", type=Path, required=True, metavar="FILE", help=_("indicators (.yaml or .xlsx)")
    )
    b.add_argument(
        "traffic", type=Path, nargs="?", help=_("traffic file (.csv, or .xlsx with a sheet 'traffic')")
    )
    add_db_option(b)
    b.add_argument("--source", help=_("with --db: only the traffic loaded under this name"))
    b.add_argument("--json", type=Path, metavar="OUT", help=_("write the figures per indicator as JSON"))
    b.add_argument("--threshold", type=float, help=_("also back-test the weighted profile at this score"))
    b.add_argument(
        "--split", metavar="DATE", help=_("first day of the later period (rule written before it)")
    )
    add_filter_options(b)
    b.set_defaults(func=run_backtest)

    s = rsub.add_parser("score", help=_("score every row of a traffic file with the active profile, ranked"))
    s.add_argument(
        "--indicators", type=Path, required=True, metavar="FILE", help=_("indicators (.yaml or .xlsx)")
    )
    s.add_argument("traffic", type=Path, help=_("traffic file (.csv, or .xlsx with a sheet 'traffic')"))
    s.add_argument("--out", type=Path, required=True, metavar="SCORED", help=_("scored rows (.csv or .xlsx)"))
    s.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=_(
            "flag rows at this score (default {default_threshold:g})", default_threshold=DEFAULT_THRESHOLD
        ),
    )
    s.add_argument(
        "--all", action="store_true", help=_("use every indicator of the file, not only the active ones")
    )
    s.set_defaults(func=run_score)

    lt = rsub.add_parser(
        "load-traffic", help=_("put a traffic file into the store (replaces rows of the same source)")
    )
    lt.add_argument("traffic", type=Path, help=_("traffic file (.csv, or .xlsx with a sheet 'traffic')"))
    add_db_option(lt)
    lt.add_argument("--source", help=_("name of this traffic set in the store (default: the file name)"))
    lt.set_defaults(func=run_load_traffic)

    im = rsub.add_parser(
        "import-indicators", help=_("store indicators from a file (changed ones as new versions)")
    )
    im.add_argument("file", type=Path, help=_("indicators (.yaml or .xlsx)"))
    add_db_option(im)
    im.set_defaults(func=run_import)

    ex = rsub.add_parser("export-indicators", help=_("write the stored indicators to .yaml or .xlsx"))
    ex.add_argument("--out", type=Path, required=True, help=_("a .yaml or .xlsx path"))
    add_db_option(ex)
    ex.add_argument("--active", action="store_true", help=_("only the versions in force"))
    ex.set_defaults(func=run_export)


def _fail(msg: str) -> int:
    print(_("error: {msg}", msg=msg), file=sys.stderr)
    return 2


def _read_inputs(args: argparse.Namespace, need_traffic: bool) -> tuple[list[Any], Any]:
    from workbench.risk.interchange import read_indicators
    from workbench.risk.traffic import read_traffic

    indicators = read_indicators(args.indicators)
    traffic = None
    if need_traffic:
        traffic = read_traffic(args.traffic)
        for n in traffic.notices:
            print(_("note: {notice}", notice=n), file=sys.stderr)
    return indicators, traffic


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.1f}%"
    if isinstance(v, float):
        return f"{v:.2f}"
    return f"{v:,}"


def _table(records: list[dict[str, Any]]) -> str:
    head = f"{'id':<12} {'matched':>9} {'seized':>7} {'precision':>9} {'recall':>8} {'lift':>6}  name"
    lines = [head]
    for r in records:
        lines.append(
            f"{r['id']:<12} {_fmt(r['matched']):>9} {_fmt(r['seized_matched']):>7} {_fmt(r['precision'], True):>9} "
            f"{_fmt(r['recall'], True):>8} {_fmt(r['lift']):>6}  {r['name'][:60]}"
        )
    return "\n".join(lines)


def run_backtest(args: argparse.Namespace) -> int:
    from workbench.risk.backtest import backtest, backtest_sql
    from workbench.risk.model import IndicatorError
    from workbench.risk.traffic import TrafficError, describe_scope, scope_traffic

    if (args.traffic is None) == (args.db is None):
        return _fail(_("give a traffic file or --db URL (one of them)"))
    try:
        flt = filter_from_args(args)
        indicators, traffic = _read_inputs(args, need_traffic=args.traffic is not None)
        if traffic is not None:
            if not traffic.has_outcome:
                return _fail(
                    _(
                        "{source}: no outcome (the 'seized' column is missing or blank); nothing to back-test",
                        source=traffic.source,
                    )
                )
            frame = scope_traffic(traffic.frame, flt)
            result = backtest(frame, indicators, threshold=args.threshold, split=args.split)
        else:
            result = backtest_sql(
                store_from_args(args),
                indicators,
                threshold=args.threshold,
                split=args.split,
                source=args.source,
                flt=flt,
            )
    except (IndicatorError, TrafficError, ValueError) as e:
        return _fail(str(e))
    if not flt.is_empty:
        print(describe_scope(flt), file=sys.stderr)
    records = result.to_records("all")
    summary = result.summary()
    if result.split:
        before = {r["id"]: r for r in result.to_records("before")}
        after = {r["id"]: r for r in result.to_records("after")}
        for r in records:
            r["before"], r["after"] = before[r["id"]], after[r["id"]]
    print(
        _(
            "traffic: {rows:,} rows, {seized:,} seized (base rate {fmt})",
            rows=summary["all"]["rows"],
            seized=summary["all"]["seized"],
            fmt=_fmt(summary["all"]["base_rate"], True),
        )
    )
    print(_table(records))
    if result.split:
        print(_("\nafter {split} (rules measured on later data):", split=result.split))
        print(_table([r["after"] for r in records]))
    if args.json:
        args.json.write_text(json.dumps(records, indent=1, default=str), encoding="utf-8")
    return 0


def run_score(args: argparse.Namespace) -> int:
    from workbench.risk.model import IndicatorError
    from workbench.risk.scoring import Profile, score_frame
    from workbench.risk.traffic import TrafficError, write_traffic

    try:
        indicators, traffic = _read_inputs(args, need_traffic=True)
    except (IndicatorError, TrafficError) as e:
        return _fail(str(e))
    profile = (
        Profile(tuple(indicators), args.threshold) if args.all else Profile.active(indicators, args.threshold)
    )
    if not profile.indicators:
        statuses = sorted({i.status for i in indicators})
        return _fail(
            _(
                "{file}: no active indicator (statuses in the file: {statuses}); pass --all to score with every "
                "indicator",
                file=args.indicators.name,
                statuses=", ".join(statuses) or _("none"),
            )
        )
    scored = score_frame(traffic.frame, profile)
    try:
        if args.out.suffix.lower() == ".xlsx":
            from workbench.exchange.excel import formatted_workbook

            args.out.write_bytes(
                formatted_workbook(
                    {"scored": scored},
                    title=_("Scored traffic"),
                    notes=[_("profile: {profile}", profile=profile.describe())],
                )
            )
        else:
            write_traffic(scored, args.out)
    except (TrafficError, OSError) as e:
        return _fail(str(e))
    flagged = int(scored["flagged"].sum())
    print(
        _(
            "scored {n:,} rows with {describe}: {flagged:,} flagged, {hits:,} with at least "
            "one indicator; written to {out}",
            n=len(scored),
            describe=profile.describe(),
            flagged=flagged,
            hits=int((scored["score"] > 0).sum()),
            out=args.out,
        )
    )
    top = scored.head(10)
    for rank, movement, score, fired in zip(
        top["rank"].tolist(),
        top["movement_id"].tolist(),
        top["score"].tolist(),
        top["fired"].tolist(),
        strict=True,
    ):
        if score > 0:
            print(f"  {rank:>4}  {movement:<14} {score:>6g}  {fired}")
    return 0


def run_load_traffic(args: argparse.Namespace) -> int:
    from workbench.risk.traffic import TrafficError, read_traffic, store_traffic

    try:
        traffic = read_traffic(args.traffic)
    except TrafficError as e:
        return _fail(str(e))
    for notice in traffic.notices:
        print(_("note: {notice}", notice=notice), file=sys.stderr)
    store = store_from_args(args, "write_indicators")
    source = args.source or args.traffic.name
    n = store_traffic(store, traffic, source, actor=args.principal)
    print(_("stored {n:,} traffic rows as {source!r} in {url}", n=n, source=source, url=store.url))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from workbench.risk.interchange import read_indicators
    from workbench.risk.model import IndicatorError
    from workbench.risk.registry import ReviewError, import_indicators

    try:
        indicators = read_indicators(args.file)
        store = store_from_args(args, "write_indicators")
        summary = import_indicators(store, indicators, args.principal, source=args.file.name)
    except (IndicatorError, ReviewError) as e:
        return _fail(str(e))
    print(summary.describe())
    return 0


def run_export(args: argparse.Namespace) -> int:
    from workbench.risk.interchange import indicators_to_yaml, indicators_workbook
    from workbench.risk.registry import active_indicators, latest_indicators

    store = store_from_args(args)
    indicators = active_indicators(store) if args.active else latest_indicators(store)
    if args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(indicators_workbook(indicators, notes=[_("store: {url}", url=store.url)]))
    elif args.out.suffix.lower() in (".yaml", ".yml"):
        args.out.write_text(indicators_to_yaml(indicators), encoding="utf-8")
    else:
        return _fail(_("{file}: export to a .yaml or .xlsx path", file=args.out.name))
    print(_("wrote {n} indicator(s) to {out}", n=len(indicators), out=args.out))
    return 0
