"""``workbench sample``: write a realistic synthetic data set in the exchange format."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from workbench.exchange.files import write_dataset
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sample",
        help=_(
            "generate a synthetic data set (routes, networks, duplicates planted) as .xlsx or a CSV folder"
        ),
    )
    p.add_argument("--cases", type=int, default=20_000, help=_("number of cases (default 20000)"))
    p.add_argument("--seed", type=int, default=42, help=_("random seed; the same seed gives the same data"))
    p.add_argument(
        "--prefix",
        help=_(
            "tag the case ids start with, e.g. TRY1 -> TRY1-FR-2024-000001 (default: S and the seed, e.g. "
            "S7-...; the shipped sample alone has none), so a generated file loads beside the stored cases"
        ),
    )
    p.add_argument("--from", dest="start", default="2019-01-01", help=_("first seizure date"))
    p.add_argument("--to", dest="end", default="2025-12-31", help=_("last seizure date"))
    p.add_argument(
        "--out", type=Path, required=True, help=_("a path ending in .xlsx, or a folder for CSV files")
    )
    p.add_argument(
        "--truth", type=Path, help=_("also write the planted structure (networks, duplicates) as JSON")
    )
    p.add_argument(
        "--traffic",
        type=Path,
        metavar="FILE",
        help=_(
            "also write traffic (declarations and passenger movements, the cases among them seized) "
            "to a .csv or .xlsx (sheet 'traffic')"
        ),
    )
    p.add_argument(
        "--traffic-ratio",
        type=float,
        default=30.0,
        metavar="R",
        help=_("innocent movements per seized one in the traffic (default 30)"),
    )
    p.add_argument(
        "--traffic-share",
        type=float,
        default=1.0,
        metavar="S",
        help=_("share of the cases that pass through the traffic (default 1: all)"),
    )
    p.add_argument(
        "--photos",
        type=Path,
        metavar="ZIP",
        help=_(
            "also draw synthetic photos for a share of the cases (near-duplicates planted across countries) "
            "into a zip with a manifest, for `workbench photos import`"
        ),
    )
    p.add_argument(
        "--photo-share",
        type=float,
        default=0.01,
        metavar="S",
        help=_("share of the cases with a photo (default 0.01)"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.sample.generator import generate

    t0 = time.perf_counter()
    try:
        ds = generate(args.cases, seed=args.seed, start=args.start, end=args.end, prefix=args.prefix)
    except ValueError as e:
        print(_("workbench sample: {e}", e=e), file=sys.stderr)
        return 2
    files = write_dataset(ds.tables, args.out)
    if args.truth:
        args.truth.write_text(json.dumps(ds.truth, indent=1, default=str), encoding="utf-8")
    if args.photos:
        from workbench.sample.photos import write_photo_zip

        n = write_photo_zip(ds.tables["cases"], args.photos, share=args.photo_share, seed=args.seed)
        print(_("wrote {n:,} photos to {photos}", n=n, photos=args.photos), file=sys.stderr)
    if args.traffic:
        from workbench.risk.traffic import generate_traffic, write_traffic

        traffic = generate_traffic(
            ds, innocent_per_seizure=args.traffic_ratio, seizure_share=args.traffic_share
        )
        write_traffic(traffic, args.traffic)
        print(
            _(
                "wrote traffic {n:,} rows ({seized:,} seized) to {traffic}",
                n=len(traffic),
                seized=int(traffic["seized"].sum()),
                traffic=args.traffic,
            ),
            file=sys.stderr,
        )
    counts = ", ".join(f"{k} {len(v):,}" for k, v in ds.tables.items())
    print(
        _(
            "wrote {counts} to {out} ({n} file(s)) in {seconds:.1f} s",
            counts=counts,
            out=args.out,
            n=len(files),
            seconds=time.perf_counter() - t0,
        ),
        file=sys.stderr,
    )
    return 0
