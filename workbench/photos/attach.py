"""Attaching photos to cases and items: one at a time (the case detail, ``workbench photos add``) or in
bulk from a zip with a manifest (``workbench photos import``).

Everything is checked before anything is written: each file is a photo the workbench takes
(:func:`workbench.photos.images.read_image`), each names a case (and item) that is in the store, and
each kind is known. A refusal names the file (and the manifest's row); nothing is stored then. The
rows of a batch are written in one transaction; the files of the folder backend are removed again
if that transaction fails, so nothing is half-written.

The manifest of a zip is ``manifest.csv`` with the columns ``file``, ``case`` (``FR/2024-001``, or the
two columns ``reporting_country`` and ``case_id``), and optionally ``kind`` (default concealment),
``caption`` and ``item_no``. The archive goes through the exchange's zip checks
(:func:`workbench.exchange.files.check_archive`: size, ratio, bombs) before a member is read.

Photos of kind person or document are personal data: attaching one needs ``view_personal`` besides
``attach_photos``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from workbench.exchange.files import DatasetReadError, check_archive
from workbench.i18n import _
from workbench.identity import Principal, require
from workbench.photos.hashes import photo_hashes
from workbench.photos.images import LoadedImage, PhotoError, derived_copies, read_image
from workbench.photos.models import KINDS, PERSONAL_KINDS, PHOTOS
from workbench.photos.storage import storage_for
from workbench.store import DATA_TABLES, Store, audit

__all__ = ["NewPhoto", "attach_photos", "import_photo_zip", "parse_case_key", "MANIFEST"]

#: The manifest's name inside a zip of photos
MANIFEST = "manifest.csv"
#: Most photos in one zip
MAX_PHOTOS_PER_ZIP = 5000


@dataclass(frozen=True)
class NewPhoto:
    """A photo to attach: its bytes, the name it was uploaded under, its case (and item), kind and caption."""

    data: bytes
    file_name: str
    reporting_country: str
    case_id: str
    kind: str = "concealment"
    caption: str | None = None
    item_no: int | None = None


def parse_case_key(text: str) -> tuple[str, str]:
    """``"FR/2024-001"`` -> ``("FR", "2024-001")``.

    >>> parse_case_key(" fr/C-1 ")
    ('FR', 'C-1')
    """
    rc, sep, cid = text.strip().partition("/")
    if not sep or len(rc) != 2 or not cid.strip():
        raise ValueError(
            _(
                "{key!r} is not a case key: write the reporting country and the case id, e.g. FR/2024-001",
                key=text,
            )
        )
    return rc.upper(), cid.strip()


def _missing_cases(store: Store, photos: Sequence[NewPhoto]) -> list[NewPhoto]:
    cases, items = DATA_TABLES["cases"], DATA_TABLES["items"]
    keys = {(p.reporting_country, p.case_id) for p in photos}
    item_keys = {(p.reporting_country, p.case_id, p.item_no) for p in photos if p.item_no is not None}
    found: set[tuple[str, str]] = set()
    found_items: set[tuple[str, str, int]] = set()
    with store.engine.connect() as conn:
        for rc in {k[0] for k in keys}:
            ids = [k[1] for k in keys if k[0] == rc]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = conn.execute(
                    sa.select(cases.c.case_id).where(
                        cases.c.reporting_country == rc, cases.c.case_id.in_(chunk)
                    )
                )
                found |= {(rc, str(r[0])) for r in rows}
                if item_keys:
                    rows = conn.execute(
                        sa.select(items.c.case_id, items.c.item_no).where(
                            items.c.reporting_country == rc, items.c.case_id.in_(chunk)
                        )
                    )
                    found_items |= {(rc, str(r[0]), int(r[1])) for r in rows}
    return [
        p
        for p in photos
        if (p.reporting_country, p.case_id) not in found
        or (p.item_no is not None and (p.reporting_country, p.case_id, p.item_no) not in found_items)
    ]


def _check(store: Store, photos: Sequence[NewPhoto], actor: Principal) -> list[LoadedImage]:
    require(actor, "attach_photos")
    problems: list[str] = []
    for p in photos:
        if p.kind not in KINDS:
            problems.append(
                _(
                    "{file}: the kind {kind!r} is not one of {kinds}",
                    file=p.file_name,
                    kind=p.kind,
                    kinds=", ".join(KINDS),
                )
            )
    if any(p.kind in PERSONAL_KINDS for p in photos):
        require(actor, "view_personal")  # a person or a document is personal data
    for p in _missing_cases(store, photos):
        what = f"{p.reporting_country}/{p.case_id}" + (f" item {p.item_no}" if p.item_no is not None else "")
        problems.append(_("{file}: the case {case} is not in the store", file=p.file_name, case=what))
    loaded: list[LoadedImage] = []
    for p in photos:
        try:
            loaded.append(read_image(p.data, p.file_name))
        except PhotoError as e:
            problems.append(str(e))
    if problems:
        more = len(problems) - 20
        raise PhotoError(
            "; ".join(problems[:20])
            + (_(" (and {n} more)", n=more) if more > 0 else "")
            + _("; nothing stored")
        )
    return loaded


def attach_photos(store: Store, photos: Sequence[NewPhoto], actor: Principal) -> list[int]:
    """Check, then store ``photos`` (original, working copy, thumbnails, hashes) in one transaction;
    return their ids. Refuses the whole batch (:class:`PhotoError`, naming each file) when any is bad."""
    if not photos:
        return []
    loaded = _check(store, photos, actor)
    storage = storage_for(store)
    prepared = []
    for p, img in zip(photos, loaded, strict=True):
        files = {"original": img.original, **derived_copies(img)}
        prepared.append((p, img, files, photo_hashes(img.image)))
    written: list[str] = []
    now = dt.datetime.now(dt.UTC)
    ids: list[int] = []
    try:
        with store.connect() as conn:
            for p, img, files, h in prepared:
                for variant, data in files.items():
                    key = f"{img.sha256}/{variant}"
                    if storage.put(key, data, conn):
                        written.append(key)
                w, hgt = img.size
                new_id = conn.execute(
                    sa.insert(PHOTOS)
                    .values(
                        reporting_country=p.reporting_country,
                        case_id=p.case_id,
                        item_no=p.item_no,
                        kind=p.kind,
                        personal=p.kind in PERSONAL_KINDS,
                        caption=(p.caption or None),
                        file_name=img.name,
                        media_type=img.media_type,
                        width=w,
                        height=hgt,
                        size=len(img.original),
                        sha256=img.sha256,
                        phash=h.phash,
                        pdq=h.pdq,
                        pdq_quality=h.pdq_quality,
                        phash_centre=h.centre,
                        uploader=actor.user,
                        uploaded_at=now,
                    )
                    .returning(PHOTOS.c.id)
                ).scalar_one()
                ids.append(int(new_id))
            audit(
                conn,
                "collect.photos",
                {"kinds": sorted({p.kind for p in photos}), "storage": storage.name},
                actor,
                objects=[
                    *(f"case:{k}" for k in sorted({f"{p.reporting_country}/{p.case_id}" for p in photos})),
                    *(f"photo:{i}" for i in ids),
                ],
                row_count=len(ids),
            )
    except BaseException:
        if storage.name == "folder":
            for key in written:
                storage.delete(key)
        raise
    return ids


def _manifest_rows(z: zipfile.ZipFile, zip_name: str) -> list[dict[str, str]]:
    names = {PurePosixPath(n).name.lower(): n for n in z.namelist()}
    if MANIFEST not in names:
        raise PhotoError(
            _(
                "{file}: no {manifest} in the archive (one row per photo: file, case, kind, caption)",
                file=zip_name,
                manifest=MANIFEST,
            )
        )
    text = z.read(names[MANIFEST]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise PhotoError(_("{file}: {manifest} lists no photo", file=zip_name, manifest=MANIFEST))
    if len(rows) > MAX_PHOTOS_PER_ZIP:
        raise PhotoError(
            _(
                "{file}: {n} photos, more than {limit} in one archive; split it",
                file=zip_name,
                n=len(rows),
                limit=MAX_PHOTOS_PER_ZIP,
            )
        )
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]


def import_photo_zip(store: Store, path: Path, actor: Principal) -> list[int]:
    """Attach the photos of a zip with a manifest (see the module's docstring); all or nothing."""
    require(actor, "attach_photos")
    path = Path(path)
    try:
        check_archive(path)
    except DatasetReadError as e:
        raise PhotoError(str(e)) from None
    photos: list[NewPhoto] = []
    problems: list[str] = []
    with zipfile.ZipFile(path) as z:
        rows = _manifest_rows(z, path.name)
        members = {n: n for n in z.namelist()}
        for number, r in enumerate(rows, start=2):  # row 1 is the header
            where = _("{file}, {manifest} row {row}", file=path.name, manifest=MANIFEST, row=number)
            name = r.get("file", "")
            if not name:
                problems.append(_("{where}: column file is empty", where=where))
                continue
            if name not in members:
                problems.append(_("{where}: {name} is not in the archive", where=where, name=name))
                continue
            try:
                if r.get("case"):
                    rc, cid = parse_case_key(r["case"])
                else:
                    rc, cid = parse_case_key(f"{r.get('reporting_country', '')}/{r.get('case_id', '')}")
                item = int(r["item_no"]) if r.get("item_no") else None
            except ValueError as e:
                problems.append(_("{where} ({name}): {why}", where=where, name=name, why=str(e)))
                continue
            photos.append(
                NewPhoto(
                    z.read(name),
                    name,
                    rc,
                    cid,
                    (r.get("kind") or "concealment").lower(),
                    r.get("caption") or None,
                    item,
                )
            )
    if problems:
        raise PhotoError("; ".join(problems[:20]) + _("; nothing stored"))
    return attach_photos(store, photos, actor)
