"""``workbench resolve``: which person (or company) records are one entity."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resolve",
        help="entity resolution: cluster the records of a persons or companies CSV into entities",
        description="Read the exchange format's persons table (or companies with --kind company) from a "
        "CSV file and write one row per record: person_id,entity_id,score. Judgements stored in the "
        "store (--db) are applied when --judgements is given.",
    )
    p.add_argument("path", type=Path, help="persons.csv (or companies.csv with --kind company)")
    p.add_argument("--out", type=Path, required=True, help="CSV to write: <id>,entity_id,score")
    p.add_argument("--kind", choices=["person", "company"], default="person")
    p.add_argument("--threshold", type=float, help="score from which records are linked (default 0.5)")
    p.add_argument("--matches", type=Path, help="also write the scored candidate pairs with explanations")
    p.add_argument("--judgements", action="store_true", help="apply the analysts' judgements in the store")
    p.add_argument("--db", metavar="URL", help="store holding the judgements (default: WORKBENCH_DB_URL)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbench.network.resolve import DEFAULT_THRESHOLD, resolve

    t0 = time.perf_counter()
    if not args.path.is_file():
        print(f"error: {args.path} is not a file", file=sys.stderr)
        return 2
    try:
        df = pd.read_csv(args.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        print(f"error: {args.path}: cannot read it as a CSV file: {e}", file=sys.stderr)
        return 2
    id_col = f"{args.kind}_id"
    if id_col not in df.columns:
        print(
            f"error: {args.path}: no {id_col} column (header: {', '.join(df.columns)}); "
            f"is this the {args.kind}s table?",
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
        threshold=args.threshold if args.threshold is not None else DEFAULT_THRESHOLD,
        judgements=judged,
    )
    res.assignments[[id_col, "entity_id", "score"]].to_csv(args.out, index=False)
    if args.matches:
        res.matches.drop(columns=["left", "right"]).to_csv(args.matches, index=False)
    st = res.stats
    print(
        f"{st['records']:,} records -> {st['entities']:,} entities ({st['candidate_pairs']:,} pairs compared, "
        f"{st['linked_pairs']:,} linked) in {time.perf_counter() - t0:.1f} s; wrote {args.out}",
        file=sys.stderr,
    )
    return 0
