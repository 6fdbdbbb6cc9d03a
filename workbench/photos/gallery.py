"""Reading photos back: the gallery's list (by the case filter and kind), a photo's files, the
near-duplicate search, concealment series, and the export of hashes without images.

Need-to-know is decided here, in the library, for every entry point: photos of kind person or
document (:data:`~workbench.photos.models.PERSONAL_KINDS`) are listed, shown, searched and exported
only for principals that may see personal data (:func:`may_see_personal_photos`); each time they are
handed out, the consultation is written to the audit log.

Examples
--------
>>> from workbench.store import open_store
>>> from workbench.identity import Principal
>>> viewer = Principal("vic", "FR-DGDDI", frozenset({"viewer"}))
>>> list_photos(open_store("sqlite://"), viewer).empty
True
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from PIL import Image

from workbench.exchange.writers import neutralise_formula
from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, can, require
from workbench.photos.hashes import MATCH_DISTANCE, HashIndex, query_hashes
from workbench.photos.images import read_image
from workbench.photos.models import PERSONAL_KINDS, PHOTOS
from workbench.photos.storage import VARIANTS, storage_for
from workbench.store import DATA_TABLES, Store, audit
from workbench.store.audit import consulted
from workbench.store.filters import CaseFilter

__all__ = [
    "LIST_COLUMNS",
    "HASH_COLUMNS",
    "may_see_personal_photos",
    "list_photos",
    "photo_file",
    "hash_index",
    "similar_photos",
    "similar_to_photo",
    "concealment_series",
    "export_hashes",
    "read_hashes",
]

#: What :func:`list_photos` returns for each photo
LIST_COLUMNS = [
    "photo_id",
    "reporting_country",
    "case_id",
    "item_no",
    "kind",
    "caption",
    "file_name",
    "width",
    "height",
    "uploader",
    "uploaded_at",
    "sha256",
]
#: What an export of hashes carries (no image, no caption: captions are free text)
HASH_COLUMNS = [
    "photo_id",
    "reporting_country",
    "case_id",
    "kind",
    "sha256",
    "phash",
    "pdq",
    "pdq_quality",
    "phash_centre",
]


def may_see_personal_photos(actor: Principal) -> bool:
    """The one place that decides whether photos of persons and documents may be shown to ``actor``."""
    return can(actor, "view_personal")


def _visible(actor: Principal, personal_allowed: bool = True) -> sa.ColumnElement[bool]:
    if personal_allowed and may_see_personal_photos(actor):
        return sa.true()
    return PHOTOS.c.personal.is_(False)


def _consulted(store: Store, actor: Principal, frame: pd.DataFrame, what: str, query: str) -> None:
    personal = frame[frame["kind"].isin(sorted(PERSONAL_KINDS))] if not frame.empty else frame
    if not personal.empty:
        consulted(
            store,
            what,
            actor,
            objects=[f"photo:{i}" for i in personal["photo_id"]],
            query=query,
            row_count=len(personal),
        )


def list_photos(
    store: Store,
    actor: Principal,
    flt: CaseFilter | None = None,
    *,
    kinds: Sequence[str] = (),
    case: tuple[str, str] | None = None,
    limit: int | None = None,
    personal_allowed: bool = True,
) -> pd.DataFrame:
    """Photos of the cases matching ``flt`` (or of one ``case``), of ``kinds`` (all when empty), newest
    first, as :data:`LIST_COLUMNS`; photos of persons and documents only for those who may see them
    (and not at all when ``personal_allowed`` is false: a page whose user has not yet said why)."""
    require(actor, "view_data")
    cases = DATA_TABLES["cases"]
    stmt = (
        sa.select(PHOTOS.c.id.label("photo_id"), *[PHOTOS.c[c] for c in LIST_COLUMNS[1:]])
        .join(
            cases,
            sa.and_(
                cases.c.reporting_country == PHOTOS.c.reporting_country, cases.c.case_id == PHOTOS.c.case_id
            ),
        )
        .where(_visible(actor, personal_allowed))
        .order_by(PHOTOS.c.uploaded_at.desc(), PHOTOS.c.id.desc())
    )
    if kinds:
        stmt = stmt.where(PHOTOS.c.kind.in_(list(kinds)))
    if case is not None:
        stmt = stmt.where(PHOTOS.c.reporting_country == case[0], PHOTOS.c.case_id == case[1])
    stmt = (flt or CaseFilter()).to_sql(stmt, cases)
    if limit:
        stmt = stmt.limit(limit)
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=LIST_COLUMNS)
    query = f"case {case[0]}/{case[1]}" if case else (flt or CaseFilter()).describe()
    _consulted(store, actor, frame, "photos", query)
    return frame


def photo_file(
    store: Store, actor: Principal, photo_id: int, variant: str = "thumb_256", *, audited: bool = True
) -> bytes:
    """The bytes of one file of a photo (``original``, ``working``, ``thumb_256``, ``thumb_1024``).
    Refuses (PermissionDenied) a photo of a person or a document to those who may not see it, and
    (KeyError) a photo that does not exist."""
    require(actor, "view_data")
    if variant not in VARIANTS:
        raise ValueError(
            _(
                "not a photo file: {variant!r}; one of {variants}",
                variant=variant,
                variants=", ".join(VARIANTS),
            )
        )
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(PHOTOS.c.sha256, PHOTOS.c.personal, PHOTOS.c.kind).where(PHOTOS.c.id == photo_id)
        ).first()
    if row is None:
        raise KeyError(photo_id)
    if row.personal:
        if not may_see_personal_photos(actor):
            raise PermissionDenied(
                _(
                    "{who} ({role}) may not see photos of kind {kind}: they are personal data",
                    who=actor.user,
                    role=actor.role,
                    kind=row.kind,
                )
            )
        if audited:  # a page that listed it (audited there) says False for the thumbnails it draws
            consulted(store, "photo", actor, objects=[f"photo:{photo_id}"], query=variant, row_count=1)
    return storage_for(store).get(f"{row.sha256}/{variant}")


def hash_index(
    store: Store, actor: Principal, *, personal_allowed: bool = True
) -> tuple[HashIndex, pd.DataFrame]:
    """The index of the photos ``actor`` may see, and their case keys and kinds by photo id."""
    require(actor, "view_data")
    stmt = sa.select(
        PHOTOS.c.id,
        PHOTOS.c.reporting_country,
        PHOTOS.c.case_id,
        PHOTOS.c.kind,
        PHOTOS.c.phash,
        PHOTOS.c.pdq,
        PHOTOS.c.phash_centre,
    ).where(_visible(actor, personal_allowed))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(PHOTOS.c.id)).all()
    meta = pd.DataFrame(
        [(r.id, r.reporting_country, r.case_id, r.kind) for r in rows],
        columns=["photo_id", "reporting_country", "case_id", "kind"],
    ).set_index("photo_id")
    index = HashIndex.build(
        [r.id for r in rows], [r.phash for r in rows], [r.pdq for r in rows], [r.phash_centre for r in rows]
    )
    return index, meta


def similar_photos(
    store: Store,
    actor: Principal,
    image: Image.Image | bytes,
    *,
    name: str = "query.jpg",
    top: int = 5,
    max_distance: int = MATCH_DISTANCE,
    exclude: Sequence[int] = (),
    personal_allowed: bool = True,
) -> pd.DataFrame:
    """The photos nearest to ``image`` (a picture, or the bytes of a file named ``name``, checked as an
    upload is), in any of its eight orientations: case key, photo id, distance (0-256, the smaller of
    the pHash and PDQ distances), kind and country, nearest first."""
    require(actor, "view_data")
    img = image if isinstance(image, Image.Image) else read_image(image, name).image
    index, meta = hash_index(store, actor, personal_allowed=personal_allowed)
    matches = index.search(query_hashes(img), top=top + len(exclude), max_distance=max_distance)
    rows = [
        {
            "case": "{}/{}".format(*meta.loc[m.photo_id, ["reporting_country", "case_id"]].astype(str)),
            "photo_id": m.photo_id,
            "distance": m.distance,
            "reporting_country": meta.at[m.photo_id, "reporting_country"],
            "case_id": meta.at[m.photo_id, "case_id"],
            "kind": meta.at[m.photo_id, "kind"],
            "phash_distance": m.phash_distance,
            "pdq_distance": m.pdq_distance,
            "centre_distance": m.centre_distance,
        }
        for m in matches
        if m.photo_id not in set(exclude)
    ][:top]
    frame = pd.DataFrame(
        rows,
        columns=[
            "case",
            "photo_id",
            "distance",
            "reporting_country",
            "case_id",
            "kind",
            "phash_distance",
            "pdq_distance",
        ],
    )
    _consulted(store, actor, frame, "photos_similar", "similar photos")
    return frame


def concealment_series(store: Store, actor: Principal, *, max_distance: int = 40) -> pd.DataFrame:
    """Clusters of near-duplicate photos (connected at ``max_distance`` or less): one row per photo of
    a cluster of two or more, with its ``series`` number, case and country; a series across countries
    is the same concealment seen again."""
    index, meta = hash_index(store, actor)
    n = len(index)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for i in range(n):
        d = np.minimum(
            np.minimum(
                np.bitwise_count(index.phash ^ index.phash[i]).sum(axis=1),
                np.bitwise_count(index.pdq ^ index.pdq[i]).sum(axis=1),
            ),
            np.bitwise_count(index.centre ^ index.centre[i]).sum(axis=1),
        )
        for j in np.flatnonzero(d <= max_distance):
            a, b = find(i), find(int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    frame = meta.reset_index().assign(root=roots)
    sizes = frame.groupby("root")["photo_id"].transform("size")
    frame = frame[sizes >= 2].copy()
    frame["series"] = frame.groupby("root").ngroup() + 1
    return frame[["series", "photo_id", "reporting_country", "case_id", "kind"]].reset_index(drop=True)


def export_hashes(store: Store, actor: Principal, path: Path, *, personal: bool = False) -> int:
    """Write the hashes of the photos (no image, no caption) to a CSV file, for a workbench where
    images may not travel; photos of persons and documents only with ``personal`` (which needs
    ``export_personal``). Returns the number of photos written; the export is audited."""
    require(actor, "export_personal" if personal else "export_non_personal")
    stmt = sa.select(PHOTOS.c.id.label("photo_id"), *[PHOTOS.c[c] for c in HASH_COLUMNS[1:]]).order_by(
        PHOTOS.c.id
    )
    if not personal:
        stmt = stmt.where(PHOTOS.c.personal.is_(False))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HASH_COLUMNS)
        for r in rows:
            w.writerow([neutralise_formula(r[c]) for c in HASH_COLUMNS])
    with store.connect() as conn:
        audit(
            conn,
            "export.photo_hashes",
            {"personal": personal, "file": path.name},
            actor,
            objects=[f"photo:{r['photo_id']}" for r in rows],
            row_count=len(rows),
        )
    return len(rows)


def read_hashes(path: Path) -> tuple[HashIndex, pd.DataFrame]:
    """An index over an export of hashes (another workbench's photos, without their images), with the
    case keys and kinds by photo id, to search with :meth:`HashIndex.query`."""
    frame = pd.read_csv(path, dtype=str)
    missing = [c for c in HASH_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            _(
                "{file}: not an export of photo hashes (missing {cols})",
                file=Path(path).name,
                cols=", ".join(missing),
            )
        )
    ids = frame["photo_id"].astype(int).tolist()
    index = HashIndex.build(
        ids, frame["phash"].tolist(), frame["pdq"].tolist(), frame["phash_centre"].tolist()
    )
    meta = frame.assign(photo_id=ids).set_index("photo_id")[["reporting_country", "case_id", "kind"]]
    return index, meta


def similar_to_photo(
    store: Store, actor: Principal, photo_id: int, *, top: int = 5, personal_allowed: bool = True
) -> pd.DataFrame:
    """:func:`similar_photos` for a stored photo (its working copy), leaving the photo itself out."""
    data = photo_file(store, actor, photo_id, "working", audited=False)
    return similar_photos(
        store, actor, data, name="working.jpg", top=top, exclude=[photo_id], personal_allowed=personal_allowed
    )
