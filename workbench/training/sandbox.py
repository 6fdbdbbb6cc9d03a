"""Sandboxes: every trainee works in their own store, filled with their own variant of the pack.

A sandbox is an SQLite file ``<data_dir>/training/<course>/<pack>/<trainee>.db`` (or any store URL the
command line is given), migrated like the main store and loaded with the trainee's variant through the
ordinary import, so the whole app works in it unchanged. The app opens a trainee's sandbox for their
session (:func:`workbench.ui.resources.use_sandbox`); identity, courses and answers stay in the main
store. Nothing a trainee imports in their sandbox reaches another sandbox or the main store: each is its
own database. The trainer can reset a sandbox (the file is removed and loaded afresh).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.config import Settings
from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, can, installation_principal, require
from workbench.store import AuditEntry, Store, open_store
from workbench.store.audit import audit
from workbench.training.packs import load_pack
from workbench.training.variants import variant

__all__ = [
    "sandbox_file",
    "sandbox_url",
    "fill_sandbox",
    "open_sandbox",
    "reset_sandbox",
    "sandbox_path_log",
]


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._")
    if not slug:
        raise ValueError(_("a name of letters or digits is required"))
    return slug


def sandbox_file(course: str, pack: str, trainee: str, data_dir: Path | None = None) -> Path:
    """Where ``trainee``'s sandbox of ``pack`` in ``course`` lives."""
    base = (data_dir or Settings.from_env().data_dir) / "training"
    return base / _slug(course) / _slug(pack) / f"{_slug(trainee)}.db"


def sandbox_url(course: str, pack: str, trainee: str, data_dir: Path | None = None) -> str:
    return f"sqlite:///{sandbox_file(course, pack, trainee, data_dir).as_posix()}"


def fill_sandbox(url: str, pack: str, trainee: str) -> Store:
    """Open (create, migrate) the store at ``url`` and, when it holds no case yet, import ``trainee``'s
    variant of ``pack`` into it (the ordinary import; the temporary CSV folder is removed)."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    store = open_store(url)
    if store.is_empty():
        ds = variant(load_pack(pack), trainee)
        with tempfile.TemporaryDirectory(prefix="wb-training-") as tmp:
            folder = Path(tmp) / f"{_slug(pack)}-{_slug(trainee)}"
            write_dataset(ds.tables, folder)
            import_path(folder, store, actor=installation_principal())
    return store


def _check_trainee(main: Store, course: str, pack: str, trainee: str, by: Principal) -> None:
    from workbench.training.courses import get_course

    c = get_course(main, course)
    if pack not in c.packs or trainee not in c.trainees:
        raise PermissionDenied(_("{t} has no sandbox for {p} in {c}", t=trainee, p=pack, c=course))
    if by.user != trainee:
        require(by, "run_courses")
    elif not can(by, "run_courses"):
        require(by, "take_courses")
        if not c.released:
            raise PermissionDenied(_("the course {c} is not released yet", c=course))


def open_sandbox(
    main: Store, course: str, pack: str, trainee: str, *, by: Principal, data_dir: Path | None = None
) -> str:
    """The URL of ``trainee``'s sandbox (filled on first use); the trainee themself or a trainer."""
    _check_trainee(main, course, pack, trainee, by)
    url = sandbox_url(course, pack, trainee, data_dir)
    fill_sandbox(url, pack, trainee).engine.dispose()
    return url


def reset_sandbox(
    main: Store, course: str, pack: str, trainee: str, *, by: Principal, data_dir: Path | None = None
) -> str:
    """Remove ``trainee``'s sandbox and load it afresh (trainers); audited in the main store."""
    require(by, "run_courses")
    _check_trainee(main, course, pack, trainee, by)
    path = sandbox_file(course, pack, trainee, data_dir)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    with main.session() as s:
        audit(s, "erase.training_sandbox", {"course": course, "pack": pack, "trainee": trainee}, by)
    return open_sandbox(main, course, pack, trainee, by=by, data_dir=data_dir)


def sandbox_path_log(
    main: Store, course: str, trainee: str, data_dir: Path | None = None
) -> list[dict[str, Any]]:
    """What ``trainee`` did in their sandboxes of ``course``: the entries of each sandbox's audit log
    written in their name (pages opened, searches, consultations, imports), oldest first."""
    from workbench.training.courses import get_course

    steps: list[dict[str, Any]] = []
    for pack in get_course(main, course).packs:
        path = sandbox_file(course, pack, trainee, data_dir)
        if not path.is_file():
            continue
        engine = sa.create_engine(f"sqlite:///{path.as_posix()}")
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.select(AuditEntry.at, AuditEntry.action, AuditEntry.details)
                    .where(AuditEntry.user == trainee)
                    .order_by(AuditEntry.id)
                ).all()
        finally:
            engine.dispose()
        steps += [{_("at"): r.at, _("step"): f"{pack}: {r.action} {r.details or ''}".strip()} for r in rows]
    return steps
