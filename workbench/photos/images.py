"""Reading an uploaded image safely, and the copies the workbench keeps of it.

:func:`read_image` refuses, with a message naming the file, what is not a photo the workbench takes:
a format other than JPEG, PNG, TIFF (and HEIC where ``pillow-heif`` is installed), a file whose
extension says another format than its content, a corrupt or truncated file, a decompression bomb
(Pillow's :class:`PIL.Image.DecompressionBombError`, and any image over :data:`MAX_PIXELS` read from
its header before the pixels are decoded) and a file over :data:`MAX_BYTES`.

:func:`derived_copies` makes the working copy (turned upright by its EXIF orientation, then saved
without any metadata: EXIF and GPS are stripped) and the thumbnails (:data:`THUMB_SIZES`). The
original bytes are kept unchanged for the record, under their SHA-256.

Examples
--------
>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO(); Image.new("RGB", (640, 480), "navy").save(buf, "PNG")
>>> img = read_image(buf.getvalue(), "boat.png")
>>> img.format, img.size
('PNG', (640, 480))
>>> read_image(buf.getvalue(), "boat.jpg")
Traceback (most recent call last):
...
workbench.photos.images.PhotoError: boat.jpg: the extension says JPEG but the file is a PNG image; rename it or export it again
>>> sorted(derived_copies(img))
['thumb_1024', 'thumb_256', 'working']
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.i18n import _

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "THUMB_SIZES",
    "PhotoError",
    "LoadedImage",
    "read_image",
    "derived_copies",
    "sha256_hex",
]

#: Largest file accepted, in bytes
MAX_BYTES = 50 * 1024 * 1024
#: Most pixels accepted (width x height): a 60-megapixel camera fits, a bomb does not
MAX_PIXELS = 64_000_000
#: Longest side of each thumbnail
THUMB_SIZES = (256, 1024)
#: Pillow's format name and the extensions that may carry it
FORMATS: dict[str, tuple[str, ...]] = {
    "JPEG": (".jpg", ".jpeg", ".jpe"),
    "PNG": (".png",),
    "TIFF": (".tif", ".tiff"),
    "HEIF": (".heic", ".heif"),
}
_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "HEIF": "image/heic"}


class PhotoError(ValueError):
    """A file that is not a photo the workbench takes; the message names the file and says why."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def _heif_opener() -> bool:
    """Register the HEIC/HEIF opener when ``pillow-heif`` is installed (an optional wheel)."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    register_heif_opener()
    return True


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, checked image with its original bytes."""

    name: str
    original: bytes
    image: Image.Image  # upright (EXIF orientation applied), RGB
    format: str

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self.format]

    @property
    def sha256(self) -> str:
        return sha256_hex(self.original)


def read_image(data: bytes, name: str) -> LoadedImage:
    """Check and decode the image ``data`` uploaded as ``name`` (see the module's docstring)."""
    base = PurePath(name).name
    suffix = PurePath(base).suffix.lower()
    known = {ext: fmt for fmt, exts in FORMATS.items() for ext in exts}
    _heif_opener()  # so that a HEIC file under another extension is named as what it is
    if suffix not in known:
        raise PhotoError(
            _(
                "{file}: not a photo the workbench takes (JPEG, PNG, TIFF or HEIC; the extension is {ext!r})",
                file=base,
                ext=suffix or "none",
            )
        )
    if len(data) > MAX_BYTES:
        raise PhotoError(
            _(
                "{file}: {size:,.1f} MiB, more than the limit of {limit:,.0f} MiB for one photo",
                file=base,
                size=len(data) / 2**20,
                limit=MAX_BYTES / 2**20,
            )
        )
    if not data:
        raise PhotoError(_("{file}: the file is empty", file=base))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = "HEIF" if img.format in ("HEIF", "HEIC", "AVIF") else str(img.format)
            if fmt not in FORMATS:
                raise PhotoError(
                    _(
                        "{file}: a {fmt} image, not JPEG, PNG, TIFF or HEIC; export it as JPEG",
                        file=base,
                        fmt=fmt,
                    )
                )
            if known[suffix] != fmt:
                raise PhotoError(
                    _(
                        "{file}: the extension says {ext} but the file is a {fmt} image; rename it or "
                        "export it again",
                        file=base,
                        ext=known[suffix],
                        fmt=fmt,
                    )
                )
            w, h = img.size
            if w * h > MAX_PIXELS:  # read from the header: nothing decoded yet
                raise PhotoError(
                    _(
                        "{file}: {w} x {h} pixels ({mp:,.0f} megapixels), more than the limit of {limit:,.0f} "
                        "megapixels; refused before decoding (a decompression bomb?)",
                        file=base,
                        w=w,
                        h=h,
                        mp=w * h / 1e6,
                        limit=MAX_PIXELS / 1e6,
                    )
                )
            _load_strictly(img)
            upright = ImageOps.exif_transpose(img)
            rgb = upright.convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(
            _("{file}: the image would decode to too many pixels (a decompression bomb?); refused", file=base)
        ) from None
    except UnidentifiedImageError:
        raise PhotoError(
            _("{file}: not a readable image (corrupt, or not an image at all)", file=base)
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        # truncated or corrupt pixel data; the message is Pillow's (it never holds a personal value)
        raise PhotoError(
            _("{file}: the image is corrupt or truncated ({why})", file=base, why=str(e) or type(e).__name__)
        ) from None
    return LoadedImage(base, data, rgb, fmt)


def _load_strictly(img: Image.Image) -> None:
    """Decode ``img``, refusing truncated pixel data even where another library (WeasyPrint sets it on
    import) told Pillow to accept truncated images process-wide."""
    from PIL import ImageFile

    allowed = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        img.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = allowed


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    # a fresh RGB image carries no EXIF, ICC, XMP or comment: nothing of the original's metadata
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    clean.save(out, "JPEG", quality=quality)
    return out.getvalue()


def derived_copies(img: LoadedImage) -> dict[str, bytes]:
    """The working copy (``working``, upright, metadata stripped) and the thumbnails (``thumb_256``,
    ``thumb_1024``), all JPEG."""
    copies = {"working": _jpeg(img.image)}
    source = img.image
    for size in sorted(THUMB_SIZES, reverse=True):  # each thumbnail from the next larger one
        t = source.copy()
        t.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
        copies[f"thumb_{size}"] = _jpeg(t, 85)
        source = t
    return copies
