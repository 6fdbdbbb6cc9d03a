"""Photos: storage contract over every backend, safe reading, stripped copies, attach and zip import
(all or nothing), need-to-know for persons and documents, near-duplicate search, CLI."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from workbench.identity import PermissionDenied, Principal, installation_principal
from workbench.photos.attach import NewPhoto, attach_photos, import_photo_zip
from workbench.photos.gallery import (
    export_hashes,
    list_photos,
    photo_file,
    similar_photos,
    similar_to_photo,
)
from workbench.photos.hashes import HashIndex, photo_hashes
from workbench.photos.images import MAX_PIXELS, PhotoError, read_image
from workbench.photos.models import PHOTO_BLOBS, PHOTOS
from workbench.photos.storage import DatabaseStorage, FolderStorage, storage_for
from workbench.sample.photos import TRANSFORMS, draw_photo, jpeg_bytes, transform
from workbench.store import DATA_TABLES, Store, open_store

ADMIN = installation_principal()


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store of 60 generated cases (cheaper than the 3,000-case sample for these tests)."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate

    d = tmp_path_factory.mktemp("photos-tiny")
    write_dataset(generate(60, seed=11).tables, d / "src")
    url = f"sqlite:///{d / 'tiny.db'}"
    assert import_path(d / "src", open_store(url), actor=ADMIN).status == "accepted"
    return url


@pytest.fixture()
def store_copy(tiny_store: str, tmp_path: Path) -> str:
    """This test's own copy of the tiny store (its photos in ``photos/`` beside it)."""
    import sqlite3

    db = tmp_path / "copy.db"
    with sqlite3.connect(tiny_store.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return f"sqlite:///{db}"


ANALYST = Principal("ana", "FR-DGDDI", frozenset({"analyst"}), personal=True)
VIEWER = Principal("vic", "FR-DGDDI", frozenset({"viewer"}))


def _cases(store: Store, n: int = 6) -> list[tuple[str, str]]:
    """``n`` cases of different countries."""
    t = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.reporting_country, t.c.case_id).order_by(t.c.id)).all()
    seen: dict[str, tuple[str, str]] = {}
    for rc, cid in rows:
        seen.setdefault(rc, (rc, cid))
    return list(seen.values())[:n]


def _files(store: Store) -> int:
    s = storage_for(store)
    if isinstance(s, FolderStorage):
        return sum(1 for p in s.root.rglob("*.bin")) if s.root.exists() else 0
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(PHOTO_BLOBS)).scalar_one())


def _rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(PHOTOS)).scalar_one())


# ---------------------------------------------------------------- storage contract
@pytest.fixture(params=["folder", "sqlite-database", "postgresql-database"])
def backend(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "folder":
        return FolderStorage(tmp_path / "photos")
    if request.param == "sqlite-database":
        return DatabaseStorage(open_store("sqlite://"))
    return DatabaseStorage(open_store(request.getfixturevalue("pg_url")))


def test_every_storage_backend_keeps_bytes_whole_and_never_overwrites(backend) -> None:  # type: ignore[no-untyped-def]
    key = "ab" + "0" * 62 + "/original"
    assert not backend.exists(key)
    with pytest.raises(KeyError):
        backend.get(key)
    assert backend.put(key, b"\x00\xffbytes") is True
    assert backend.put(key, b"other") is False  # content-addressed: the first bytes stay
    assert backend.get(key) == b"\x00\xffbytes" and backend.exists(key)
    backend.delete(key)
    assert not backend.exists(key)
    with pytest.raises(ValueError, match="not a photo storage key"):
        backend.put("../../etc/passwd", b"x")


def test_the_store_picks_a_folder_beside_sqlite_and_the_database_otherwise(tmp_path: Path) -> None:
    s = storage_for(open_store(f"sqlite:///{tmp_path / 'data' / 'wb.db'}"))
    assert isinstance(s, FolderStorage) and s.root == tmp_path / "data" / "photos"
    assert isinstance(storage_for(open_store("sqlite://")), DatabaseStorage)


# ---------------------------------------------------------------- safe reading
def _jpeg_with_gps() -> bytes:
    img = draw_photo(11)
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_gps_is_in_the_original_and_gone_from_the_working_copy_and_thumbnails(store_copy: str) -> None:
    store = open_store(store_copy)
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test's premise
    rc, cid = _cases(store, 1)[0]
    (pid,) = attach_photos(store, [NewPhoto(original, "gps.jpg", rc, cid)], ANALYST)
    assert photo_file(store, ANALYST, pid, "original") == original  # kept unchanged for the record
    for variant in ("working", "thumb_1024", "thumb_256"):
        img = Image.open(io.BytesIO(photo_file(store, ANALYST, pid, variant)))
        assert not img.getexif(), variant
        assert "exif" not in img.info and b"GPS" not in photo_file(store, ANALYST, pid, variant)
    assert max(Image.open(io.BytesIO(photo_file(store, ANALYST, pid, "thumb_256"))).size) == 256


def _png(size: tuple[int, int]) -> bytes:
    """A PNG whose header claims ``size`` (grey, 8 bits) with a few bytes of pixels: a bomb's shape,
    without spending the time and memory to encode one."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", size[0], size[1], 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (lambda: _png((20_000, 20_000)), "bomb.png", r"bomb.png: the image would decode to too many pixels"),
        (
            lambda: _png((9_000, 8_000)),
            "big.png",
            r"big.png: 9000 x 8000 pixels \(72 megapixels\), more than",
        ),
        (
            lambda: jpeg_bytes(draw_photo(1)),
            "photo.png",
            "photo.png: the extension says PNG but the file is a JPEG",
        ),
        (lambda: jpeg_bytes(draw_photo(1))[:3000], "cut.jpg", "cut.jpg: the image is corrupt or truncated"),
        (lambda: b"hello, not an image", "notes.jpg", "notes.jpg: not a readable image"),
        (lambda: b"%PDF-1.7", "scan.pdf", "scan.pdf: not a photo the workbench takes"),
        (lambda: b"", "empty.jpg", "empty.jpg: the file is empty"),
    ],
)
def test_bad_files_are_refused_naming_the_file(data, name: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhotoError, match=message):
        read_image(data(), name)


def test_a_truncated_photo_is_refused_after_weasyprint_allowed_truncated_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import (products make PDFs in the
    same process): a cut photo is still refused, and the setting is left as it was."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(PhotoError, match="cut.jpg: the image is corrupt or truncated"):
        read_image(jpeg_bytes(draw_photo(1))[:3000], "cut.jpg")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_the_limit_sits_below_pillows_own_bomb_check() -> None:
    assert MAX_PIXELS <= Image.MAX_IMAGE_PIXELS or Image.MAX_IMAGE_PIXELS is None


# ---------------------------------------------------------------- attach, import, all or nothing
def test_a_batch_with_a_photo_of_a_missing_case_stores_nothing(store_copy: str) -> None:
    store = open_store(store_copy)
    (rc, cid), (rc2, cid2) = _cases(store, 2)
    batch = [
        NewPhoto(jpeg_bytes(draw_photo(1)), "good.jpg", rc, cid),
        NewPhoto(jpeg_bytes(draw_photo(2)), "lost.jpg", "FR", "NO-SUCH-CASE"),
        NewPhoto(jpeg_bytes(draw_photo(3)), "item.jpg", rc2, cid2, item_no=999),
    ]
    with pytest.raises(PhotoError) as e:
        attach_photos(store, batch, ANALYST)
    assert "lost.jpg: the case FR/NO-SUCH-CASE is not in the store" in str(e.value)
    assert f"item.jpg: the case {rc2}/{cid2} item 999 is not in the store" in str(e.value)
    assert _rows(store) == 0 and _files(store) == 0


def test_a_failing_transaction_leaves_no_file_behind(
    store_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.photos.attach as attach_module

    store = open_store(store_copy)
    rc, cid = _cases(store, 1)[0]

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(attach_module, "audit", broken)
    with pytest.raises(RuntimeError):
        attach_photos(store, [NewPhoto(jpeg_bytes(draw_photo(4)), "a.jpg", rc, cid)], ANALYST)
    assert _rows(store) == 0 and _files(store) == 0


def _zip(path: Path, rows: list[list[str]], files: dict[str, bytes]) -> Path:
    manifest = io.StringIO()
    csv.writer(manifest).writerows([["file", "case", "kind", "caption"], *rows])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.csv", manifest.getvalue())
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_zip_import_names_the_file_and_row_of_a_missing_case_and_stores_nothing(
    store_copy: str, tmp_path: Path
) -> None:
    store = open_store(store_copy)
    (rc, cid), (rc2, cid2) = _cases(store, 2)
    files = {"a.jpg": jpeg_bytes(draw_photo(5)), "b.jpg": jpeg_bytes(draw_photo(6))}
    bad = _zip(
        tmp_path / "bad.zip",
        [["a.jpg", f"{rc}/{cid}", "goods", "x"], ["b.jpg", "ZZ/none", "goods", ""]],
        files,
    )
    with pytest.raises(PhotoError, match="b.jpg: the case ZZ/none is not in the store; nothing stored"):
        import_photo_zip(store, bad, ANALYST)
    missing = _zip(tmp_path / "missing.zip", [["c.jpg", f"{rc}/{cid}", "goods", ""]], files)
    with pytest.raises(PhotoError, match="missing.zip, manifest.csv row 2: c.jpg is not in the archive"):
        import_photo_zip(store, missing, ANALYST)
    assert _rows(store) == 0 and _files(store) == 0
    good = _zip(
        tmp_path / "good.zip",
        [["a.jpg", f"{rc}/{cid}", "goods", "x"], ["b.jpg", f"{rc2}/{cid2}", "x-ray", ""]],
        files,
    )
    assert len(import_photo_zip(store, good, ANALYST)) == 2
    assert _rows(store) == 2 and _files(store) == 8


# ---------------------------------------------------------------- need-to-know, similarity, exports
@pytest.fixture()
def photo_store(store_copy: str) -> tuple[Store, dict[str, int], list[tuple[str, str]]]:
    """A store with one photo of each kind (a person and a document among them) and a rotated copy."""
    store = open_store(store_copy)
    cases = _cases(store, 6)
    kinds = ["concealment", "goods", "packaging", "x-ray", "document", "person"]
    photos = [
        NewPhoto(jpeg_bytes(draw_photo(100 + i, k)), f"{k}.jpg", *cases[i], kind=k)
        for i, k in enumerate(kinds)
    ]
    photos.append(
        NewPhoto(transform(draw_photo(100), "rotate_90"), "again.jpg", *cases[1], kind="concealment")
    )
    ids = attach_photos(store, photos, ANALYST)
    return store, dict(zip([*kinds, "again"], ids, strict=True)), cases


def test_a_viewer_never_gets_photos_of_persons_or_documents(photo_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, ids, _cases_ = photo_store
    personal = {ids["person"], ids["document"]}
    assert personal <= set(list_photos(store, ANALYST)["photo_id"])
    assert not personal & set(list_photos(store, VIEWER)["photo_id"])
    assert not personal & set(list_photos(store, ANALYST, personal_allowed=False)["photo_id"])
    for pid in personal:
        with pytest.raises(PermissionDenied, match="personal data"):
            photo_file(store, VIEWER, pid, "thumb_256")
        found = similar_to_photo(store, ANALYST, pid, top=10)  # the analyst may search from it...
        assert pid not in set(
            similar_photos(store, VIEWER, photo_file(store, ANALYST, pid, "working"), top=10)["photo_id"]
        )
        del found
    with pytest.raises(PermissionDenied):
        attach_photos(
            store,
            [NewPhoto(jpeg_bytes(draw_photo(9, "person")), "p.jpg", *_cases_[0], kind="person")],
            VIEWER,
        )
    n = export_hashes(store, ANALYST, tmp_path / "hashes.csv")
    exported = (tmp_path / "hashes.csv").read_text()
    assert n == len(ids) - 2 and "person" not in exported and "document" not in exported
    with pytest.raises(PermissionDenied):
        export_hashes(store, VIEWER, tmp_path / "all.csv", personal=True)


def test_the_non_personal_export_carries_no_photo(photo_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.exports import export_data

    store, _ids, _cases_ = photo_store
    export_data(store, tmp_path / "np", "non_personal", actor=ANALYST)
    written = [p for p in (tmp_path / "np").rglob("*") if p.is_file()]
    assert written and not [p for p in written if p.suffix.lower() in (".jpg", ".png", ".bin")]
    assert all(b"\xff\xd8\xff" not in p.read_bytes() for p in written)


def test_consulting_personal_photos_is_audited(photo_store) -> None:  # type: ignore[no-untyped-def]
    from workbench.store.audit import AUDIT_LOG

    store, ids, _cases_ = photo_store
    with store.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.max(AUDIT_LOG.c.seq))).scalar_one()
    list_photos(store, ANALYST)
    with store.engine.connect() as conn:
        entries = conn.execute(
            sa.select(AUDIT_LOG.c.action, AUDIT_LOG.c.objects).where(AUDIT_LOG.c.seq > before)
        ).all()
    assert [e.action for e in entries] == ["consult.photos"]
    assert (
        f"photo:{ids['person']}" in entries[0].objects and f"photo:{ids['goods']}" not in entries[0].objects
    )


def test_a_rotated_copy_in_another_country_is_found_first(photo_store) -> None:  # type: ignore[no-untyped-def]
    store, ids, cases = photo_store
    found = similar_to_photo(store, ANALYST, ids["concealment"], top=5)
    assert found.iloc[0]["photo_id"] == ids["again"]
    assert found.iloc[0]["case"] == f"{cases[1][0]}/{cases[1][1]}" and cases[1][0] != cases[0][0]
    assert set(found["photo_id"]) == {ids["again"]}  # the unrelated photos are not near


@pytest.fixture(scope="module")
def thirty() -> tuple[list[Image.Image], HashIndex]:
    """Thirty unrelated synthetic photos and their index."""
    originals = [draw_photo(500 + i, "concealment" if i % 2 else "packaging") for i in range(30)]
    hashes = [photo_hashes(img) for img in originals]
    ids = range(len(originals))
    return originals, HashIndex.build(
        ids, [h.phash for h in hashes], [h.pdq for h in hashes], [h.centre for h in hashes]
    )


@pytest.mark.parametrize("how", TRANSFORMS)
def test_each_transformation_is_found_among_unrelated_photos(how: str, thirty) -> None:  # type: ignore[no-untyped-def]
    originals, index = thirty
    for i in (0, 19):
        copy = read_image(transform(originals[i], how), "copy.jpg").image
        found = index.query(copy, top=5)
        assert [m.photo_id for m in found] == [i], (how, i, found[:2])  # found, and nothing unrelated


def test_the_command_line_adds_finds_and_refuses(
    store_copy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    store = open_store(store_copy)
    (rc, cid), (rc2, cid2) = _cases(store, 2)
    original = tmp_path / "seized.png"
    draw_photo(77).save(original)
    copy = tmp_path / "seen-again.jpg"
    copy.write_bytes(transform(draw_photo(77), "crop_10"))

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["photos", *args, "--db", store_copy])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = cli("add", f"{rc}/{cid}", str(original), "--kind", "goods")
    assert code == 0, err
    pid = int(out.split()[1])
    code, out, err = cli("similar", str(copy), "--top", "3")
    assert code == 0, err
    assert out.splitlines()[1].split()[:2] == [f"{rc}/{cid}", str(pid)]
    code, out, err = cli("add", "ZZ/none", str(original))
    assert code == 2 and "seized.png: the case ZZ/none is not in the store" in err
    wrong = tmp_path / "wrong.jpg"
    wrong.write_bytes(original.read_bytes())
    code, out, err = cli("add", f"{rc2}/{cid2}", str(wrong))
    assert code == 2 and "wrong.jpg: the extension says JPEG but the file is a PNG" in err
    code, out, err = cli("export-hashes", str(tmp_path / "h.csv"))
    assert code == 0, err
    code, out, err = cli("similar", str(copy), "--hashes", str(tmp_path / "h.csv"))
    assert code == 0 and out.splitlines()[1].split()[:2] == [f"{rc}/{cid}", str(pid)], err
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    code, out, err = cli("add", f"{rc2}/{cid2}", str(original))
    assert code == 3 and "may not attach photos" in err


def test_sample_photos_plant_a_series_across_countries(store_copy: str) -> None:
    from workbench.photos.gallery import concealment_series
    from workbench.sample.photos import attach_sample_photos

    store = open_store(store_copy)
    ids = attach_sample_photos(store, ADMIN, share=0.05, seed=3, max_photos=3)  # what `workbench seed` calls
    assert len(ids) >= 4  # three drawn, the first photographed again elsewhere
    series = concealment_series(store, ADMIN)
    assert not series.empty
    assert series.groupby("series")["reporting_country"].nunique().max() >= 2


def test_heic_is_read_when_pillow_heif_is_installed() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")  # the optional `heic` extra (a wheel; in dev too)
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    draw_photo(8).save(out, "HEIF")
    img = read_image(out.getvalue(), "iphone.HEIC")
    assert (img.format, img.media_type, img.size) == ("HEIF", "image/heic", (640, 480))
    with pytest.raises(PhotoError, match="iphone.jpg: the extension says JPEG but the file is a HEIF"):
        read_image(out.getvalue(), "iphone.jpg")


def test_on_postgresql_photos_live_in_the_database_and_are_found(pg_url: str, tiny_store: str) -> None:
    """The server deployment: the files in ``photo_blobs``, written in the attaching transaction."""
    from workbench.exchange.ingest import import_path

    store = open_store(pg_url)
    src = Path(tiny_store.removeprefix("sqlite:///")).parent / "src"
    assert import_path(src, store, actor=ADMIN).status == "accepted"
    assert isinstance(storage_for(store), DatabaseStorage)
    (rc, cid), (rc2, cid2) = _cases(store, 2)
    first, again = attach_photos(
        store,
        [
            NewPhoto(jpeg_bytes(draw_photo(61)), "a.jpg", rc, cid),
            NewPhoto(transform(draw_photo(61), "crop_10"), "b.jpg", rc2, cid2),
        ],
        ANALYST,
    )
    assert _files(store) == 8
    assert list(similar_to_photo(store, ANALYST, first)["photo_id"]) == [again]  # the crop from the whole
    assert list(similar_to_photo(store, ANALYST, again)["photo_id"]) == [first]  # and the whole from the crop
    with pytest.raises(PhotoError, match="c.jpg: the case ZZ/none is not in the store"):
        attach_photos(store, [NewPhoto(jpeg_bytes(draw_photo(62)), "c.jpg", "ZZ", "none")], ANALYST)
    assert _rows(store) == 2 and _files(store) == 8
