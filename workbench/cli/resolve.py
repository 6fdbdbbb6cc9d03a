"""``workbench resolve``: which person (or company) records are one entity."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from workbench.exchange.writers import write_csv
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resolve",
        help=_("entity resolution: cluster the records of a persons or companies CSV into entities"),
        description=_(
            "Read the exchange format's persons table (or companies with --kind company) from a "
            "CSV file and write one row per record: person_id,entity_id,score. Judgements stored in the "
            "store (--db) are applied when --judgements is given."
        ),
    )
    p.add_argument("path", type=Path, help=_("persons.csv (or companies.csv with --kind company)"))
    p.add_argument("--out", type=Path, required=True, help=_("CSV to write: <id>,entity_id,score"))
    p.add_argument("--kind", choices=["person", "company"], default="person")
    p.add_argument(
        "--threshold", type=float, help=_("match probability from which records are linked (default 0.8)")
    )
    p.add_argument(
        "--method",
        choices=["model", "weights"],
        help=_(
            "how pairs are scored: the Fellegi-Sunter model estimated from the file (default) or the hand weights"
        ),
    )
    p.add_argument("--matches", type=Path, help=_("also write the scored candidate pairs with explanations"))
    p.add_argument("--judgements", action="store_true", help=_("apply the analysts' judgements in the store"))
    p.add_argument("--db", metavar="URL", help=_("store holding the judgements (default: WORKBENCH_DB_URL)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbench.network.resolve import resolve

    t0 = time.perf_counter()
    if not args.path.is_file():
        print(_("error: {path} is not a file", path=args.path), file=sys.stderr)
        return 2
    try:
        df = pd.read_csv(args.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        print(_("error: {path}: cannot read it as a CSV file: {e}", path=args.path, e=e), file=sys.stderr)
        return 2
    id_col = f"{args.kind}_id"
    if id_col not in df.columns:
        print(
            _(
                "error: {path}: no {id_col} column (header: {columns}); is this the {kind}s table?",
                path=args.path,
                id_col=id_col,
                columns=", ".join(df.columns),
                kind=args.kind,
            ),
            file=sys.stderr,
        )
        return 2
    judged: list[tuple[str, str, str]] = []
    if args.judgements:
        from workbench.cli.common import store_from_args
        from workbench.network.judgements import load_judgements

        judged = load_judgements(store_from_args(args, "view_personal"), args.kind)
    res = resolve(
        df,
        args.kind,
        threshold=args.threshold,
        method=args.method,
        judgements=judged,
    )
    write_csv(res.assignments[[id_col, "entity_id", "score"]], args.out)
    if args.matches:
        write_csv(res.matches.drop(columns=["left", "right"]), args.matches)
    st = res.stats
    print(
        _(
            "{records:,} records -> {entities:,} entities ({candidate_pairs:,} pairs "
            "compared, {linked_pairs:,} linked) in {seconds:.1f} s; wrote {out}",
            records=st["records"],
            entities=st["entities"],
            candidate_pairs=st["candidate_pairs"],
            linked_pairs=st["linked_pairs"],
            seconds=time.perf_counter() - t0,
            out=args.out,
        ),
        file=sys.stderr,
    )
    return 0
