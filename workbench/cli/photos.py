"""``workbench photos``: attach seizure photos to cases, import a zip of them, find near-duplicates,
list concealment series and export the hashes (without images).

  workbench photos add FR/2024-001 boot.jpg tank.jpg --kind concealment --caption "false floor"
  workbench photos import photos.zip          (a manifest.csv names the case of each file)
  workbench photos similar seized.jpg --top 5 (case key, photo id and distance, nearest first)
  workbench photos series                     (clusters of near-duplicates: the same concealment)
  workbench photos export-hashes hashes.csv   (hashes only, for where images may not travel)

Photos of persons and documents are personal data: only roles with the personal-data permission
attach, see, find or export them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.common import add_db_option, store_from_args
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    from workbench.photos.hashes import MATCH_DISTANCE
    from workbench.photos.models import KINDS

    p = sub.add_parser(
        "photos",
        help=_("seizure photos: add, import, similar, series, export-hashes"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", help=_("attach photos to a case (or one of its items)"))
    add.add_argument("case", metavar="CASE_KEY", help=_("reporting country / case id, e.g. FR/2024-001"))
    add.add_argument("files", metavar="FILE", nargs="+", type=Path, help=_("JPEG, PNG, TIFF or HEIC files"))
    add.add_argument("--kind", choices=KINDS, default="concealment", help=_("what the photos show"))
    add.add_argument("--caption", help=_("a caption for every photo"))
    add.add_argument("--item", type=int, metavar="N", help=_("the item's number within the case"))
    add_db_option(add)
    add.set_defaults(func=run_add)

    imp = verbs.add_parser("import", help=_("attach the photos of a zip with a manifest.csv"))
    imp.add_argument("zip", type=Path)
    add_db_option(imp)
    imp.set_defaults(func=run_import)

    sim = verbs.add_parser("similar", help=_("the stored photos most like FILE, in any rotation"))
    sim.add_argument("file", metavar="FILE", type=Path)
    sim.add_argument("--top", type=int, default=5, help=_("most photos printed (default 5)"))
    sim.add_argument(
        "--max-distance",
        type=int,
        default=MATCH_DISTANCE,
        help=_("largest distance (of 256 bits) printed (default {d})", d=MATCH_DISTANCE),
    )
    sim.add_argument("--hashes", type=Path, help=_("search an export of hashes instead of the store"))
    add_db_option(sim)
    sim.set_defaults(func=run_similar)

    ser = verbs.add_parser("series", help=_("clusters of near-duplicate photos (concealment series)"))
    ser.add_argument("--max-distance", type=int, default=40, help=_("largest distance within a series"))
    add_db_option(ser)
    ser.set_defaults(func=run_series)

    exp = verbs.add_parser("export-hashes", help=_("write the photos' hashes (no images) to a CSV file"))
    exp.add_argument("out", type=Path)
    exp.add_argument("--personal", action="store_true", help=_("also photos of persons and documents"))
    add_db_option(exp)
    exp.set_defaults(func=run_export)


def _refused(e: Exception) -> int:
    print(_("workbench photos: {e}", e=e), file=sys.stderr)
    return 2


def run_add(args: argparse.Namespace) -> int:
    from workbench.photos.attach import NewPhoto, attach_photos, parse_case_key
    from workbench.photos.images import PhotoError

    store = store_from_args(args, "attach_photos")
    try:
        rc, cid = parse_case_key(args.case)
        photos = []
        for f in args.files:
            if not f.is_file():
                raise PhotoError(_("{file}: no such file", file=f.name))
            photos.append(NewPhoto(f.read_bytes(), f.name, rc, cid, args.kind, args.caption, args.item))
        ids = attach_photos(store, photos, args.principal)
    except (PhotoError, ValueError) as e:
        return _refused(e)
    for f, i in zip(args.files, ids, strict=True):
        print(f"{rc}/{cid}\t{i}\t{f.name}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from workbench.photos.attach import import_photo_zip
    from workbench.photos.images import PhotoError

    store = store_from_args(args, "attach_photos")
    try:
        ids = import_photo_zip(store, args.zip, args.principal)
    except (PhotoError, ValueError, OSError) as e:
        return _refused(e)
    print(_("attached {n} photos from {file}", n=len(ids), file=args.zip.name))
    return 0


def run_similar(args: argparse.Namespace) -> int:
    from workbench.photos.gallery import read_hashes, similar_photos
    from workbench.photos.images import PhotoError, read_image

    store = store_from_args(args)
    try:
        data = args.file.read_bytes()
        if args.hashes:
            index, meta = read_hashes(args.hashes)
            matches = index.query(
                read_image(data, args.file.name).image, top=args.top, max_distance=args.max_distance
            )
            rows = [
                (
                    "{}/{}".format(*meta.loc[m.photo_id, ["reporting_country", "case_id"]].astype(str)),
                    m.photo_id,
                    m.distance,
                )
                for m in matches
            ]
        else:
            found = similar_photos(
                store, args.principal, data, name=args.file.name, top=args.top, max_distance=args.max_distance
            )
            rows = list(found[["case", "photo_id", "distance"]].itertuples(index=False, name=None))
    except (PhotoError, ValueError, OSError) as e:
        return _refused(e)
    if not rows:
        print(_("no stored photo is like {file}", file=args.file.name), file=sys.stderr)
        return 1
    print(f"{_('case'):<28}{_('photo'):>8}{_('distance'):>10}")
    for case, pid, dist in rows:
        print(f"{case:<28}{pid:>8}{dist:>10}")
    return 0


def run_series(args: argparse.Namespace) -> int:
    from workbench.photos.gallery import concealment_series

    store = store_from_args(args)
    series = concealment_series(store, args.principal, max_distance=args.max_distance)
    if series.empty:
        print(_("no two photos are alike"), file=sys.stderr)
        return 1
    for s, group in series.groupby("series"):
        countries = ", ".join(sorted(set(group["reporting_country"])))
        cases = ", ".join(
            f"{r}/{c}#{p}"
            for r, c, p in group[["reporting_country", "case_id", "photo_id"]].itertuples(index=False)
        )
        print(f"{s}\t{countries}\t{cases}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from workbench.photos.gallery import export_hashes

    store = store_from_args(args, "export_personal" if args.personal else "export_non_personal")
    n = export_hashes(store, args.principal, args.out, personal=args.personal)
    print(_("wrote the hashes of {n} photos to {file}", n=n, file=args.out))
    return 0
