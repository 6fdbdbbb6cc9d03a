"""``workbench trends``: time series (or emerging-trend flags) of a data set or a store, as CSV.

Examples::

    workbench trends sample_data/default --by commodity_category --freq Q --out trends.csv
    workbench trends --db sqlite:///data/workbench.db --by transport_mode --freq M --measure quantity \\
        --category drugs --out drugs-by-mode.csv
    workbench trends sample_data/default --emerging --freq Q --out flags.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from workbench.cli.common import add_db_option, add_filter_options, filter_from_args, store_from_args
from workbench.i18n import _
from workbench.trends.series import FREQUENCIES, MEASURES, SPLITS

__all__ = ["register", "run"]


def _splits(text: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [n for n in names if n not in SPLITS]
    if bad:
        raise argparse.ArgumentTypeError(
            _("unknown field {bad}; choose from {splits}", bad=", ".join(bad), splits=", ".join(SPLITS))
        )
    return names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trends",
        help=_("time series by period and split, or the emerging-trend flags, as CSV"),
        description=_(
            "Cases, quantity per unit and estimated value per period, split by a field; or, with "
            "--emerging, the series whose last complete period rose beyond their baseline (negative binomial "
            "test, Benjamini-Hochberg; see docs/trends.md). Reads an exchange-format data set (PATH) or a store "
            "(--db). Exit 0: written; 1: written, but some rows of PATH were refused by the checks and left "
            "out (each reported); 2: the input cannot be read or the options do not fit."
        ),
    )
    p.add_argument(
        "path", nargs="?", type=Path, help=_("CSV folder, .zip of CSVs or .xlsx in the exchange format")
    )
    add_db_option(p)
    p.add_argument(
        "--by",
        type=_splits,
        default=(),
        metavar="FIELD[,FIELD]",
        help=_("split by one or more of: {splits}", splits=", ".join(SPLITS)),
    )
    p.add_argument(
        "--freq", choices=list(FREQUENCIES), help=_("D, W, M, Q or Y (default M; Q with --emerging)")
    )
    p.add_argument(
        "--measure",
        default="cases",
        choices=list(MEASURES),
        help=_("cases (default), quantity (per unit; adds quantity and unit columns) or value_usd"),
    )
    p.add_argument(
        "--top", type=int, metavar="N", help=_("keep the N largest series; the rest become (other)")
    )
    p.add_argument(
        "--emerging",
        action="store_true",
        help=_(
            "write the emerging-trend flags instead (of cases, or with --measure quantity of the quantity per "
            "unit; value_usd is refused); the period tested is the last complete one up to --to, else of the data"
        ),
    )
    p.add_argument("--baseline", type=int, default=8, help=_("baseline periods for --emerging (default 8)"))
    p.add_argument(
        "--fdr", type=float, default=0.05, help=_("false discovery rate for --emerging (default 0.05)")
    )
    p.add_argument("--min-count", type=int, default=5, help=_("minimum cases of a flag (default 5)"))
    add_filter_options(p)
    p.add_argument(
        "--out", type=Path, default=Path("-"), help=_("CSV file to write (default: standard output)")
    )
    p.set_defaults(func=run)


def _frame(args: argparse.Namespace) -> tuple[pd.DataFrame, int]:
    flt = filter_from_args(args)
    if args.path is not None:
        from workbench.exchange.seizures import read_seizure_frame

        frame, rejections = read_seizure_frame(args.path, flt)
        for r in rejections[:20]:
            print(_("refused: {r}", r=r), file=sys.stderr)
        if len(rejections) > 20:
            print(_("... and {n} more refused cells", n=len(rejections) - 20), file=sys.stderr)
        if rejections:
            rows = {(r.table, r.row) for r in rejections}
            print(
                _("note: {n:,} rows refused by the checks are left out of the counts", n=len(rows)),
                file=sys.stderr,
            )
        return frame, len(rejections)
    from workbench.store.frames import seizure_frame

    return seizure_frame(store_from_args(args), flt), 0


def _stated_end(args: argparse.Namespace) -> pd.Timestamp | None:
    """The end of the range the user stated (``--to``); None when not stated (then the data's end)."""
    from workbench.trends.emerging import stated_end

    return stated_end(filter_from_args(args))


def run(args: argparse.Namespace) -> int:
    from workbench.exchange.files import DatasetReadError
    from workbench.trends.series import period_labels, time_series
    from workbench.trends.statistics import table_csv

    if args.path is not None and args.db:
        print(_("error: give a data set PATH or --db URL, not both"), file=sys.stderr)
        return 2
    if args.path is not None and not args.path.exists():
        print(_("error: {path}: no such file or folder", path=args.path), file=sys.stderr)
        return 2
    try:
        frame, refused = _frame(args)
    except DatasetReadError as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    except ValueError as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    try:
        if args.emerging:
            if args.measure not in ("cases", "quantity"):
                print(_("error: --emerging tests cases or quantity, not value_usd"), file=sys.stderr)
                return 2
            from workbench.trends.emerging import DEFAULT_SERIES, detect_emerging

            series = [args.by] if args.by else DEFAULT_SERIES
            result = detect_emerging(
                frame,
                freq=args.freq or "Q",
                series=series,
                measure=args.measure,
                end=_stated_end(args),
                baseline=args.baseline,
                fdr=args.fdr,
                min_count=args.min_count,
            )
            table = result.table()
            summary = result.describe()
        else:
            freq = args.freq or "M"
            ts = time_series(frame, args.by, freq, args.measure, top=args.top)
            table = ts.assign(period=period_labels(ts["period"]).to_numpy())
            for c in args.by:
                table[c] = table[c].astype("string")
            measures = ["cases", *(["quantity", "unit"] if args.measure == "quantity" else []), "value_usd"]
            table["period_start"] = pd.PeriodIndex(ts["period"]).start_time.date
            table = table[["period", *args.by, *measures, "period_start"]]
            values = {
                "rows": len(table),
                "measure": args.measure,
                "period": _(FREQUENCIES[freq]),
                "cases": frame["case_key"].nunique(),
            }
            summary = (
                _(
                    "{rows:,} rows: {measure} per {period} by {by} ({cases:,} cases)",
                    by=", ".join(args.by),
                    **values,
                )
                if args.by
                else _("{rows:,} rows: {measure} per {period} ({cases:,} cases)", **values)
            )
    except ValueError as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    data = table_csv(table)
    if str(args.out) == "-":
        sys.stdout.write(data.decode("utf-8"))
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(_("wrote {out}: {summary}", out=args.out, summary=summary), file=sys.stderr)
    return 1 if refused else 0
