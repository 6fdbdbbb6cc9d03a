"""Synthetic seizure photos for the sample: drawn with Pillow (textures, shapes, stamps and labels; no
downloads), with planted near-duplicates across countries.

:func:`draw_photo` draws one picture from a seed (a concealment, goods, packaging or X-ray scene; a
document or a person's silhouette for the personal kinds). :func:`plan_photos` picks a share of the
cases and gives each a photo; a third of them are photographed again in a case of *another* country,
the copy changed as a second camera changes it (:data:`TRANSFORMS`: resized, recompressed at JPEG
quality 60, cropped by 10 %, rotated by 90 degrees), which is what the similarity search must find.

:func:`attach_sample_photos` stores them in a store (``workbench seed`` does, for the default
sample); :func:`write_photo_zip` writes them as a zip with a manifest (``workbench sample --photos``)
that ``workbench photos import`` reads.

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame({"reporting_country": ["FR", "DE", "ES", "IT"] * 5, "case_id": [f"C{i}" for i in range(20)]})
>>> plan = plan_photos(cases, share=0.5, seed=1)
>>> len(plan.photos) > 10, plan.series[0]["transform"] in TRANSFORMS
(True, True)
>>> a, b = plan.series[0]["photos"]
>>> plan.photos[a].reporting_country != plan.photos[b].reporting_country
True
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from workbench.i18n import _
from workbench.identity import Principal
from workbench.photos.attach import MANIFEST, NewPhoto, attach_photos

__all__ = [
    "TRANSFORMS",
    "SAMPLE_KINDS",
    "PhotoPlan",
    "draw_photo",
    "transform",
    "jpeg_bytes",
    "plan_photos",
    "attach_sample_photos",
    "write_photo_zip",
]

#: How a planted near-duplicate differs from its first photo
TRANSFORMS = ("resize", "jpeg_q60", "crop_10", "rotate_90")
#: The kinds drawn, with their weights (persons and documents are personal data)
SAMPLE_KINDS = {
    "concealment": 0.45,
    "goods": 0.2,
    "packaging": 0.15,
    "x-ray": 0.1,
    "document": 0.05,
    "person": 0.05,
}
_LABELS = [
    "ACME",
    "K9",
    "777",
    "LV",
    "TIGER",
    "RX",
    "SUN",
    "BMW",
    "GOLD",
    "SKULL",
    "STAR",
    "ZETA",
    "NOVA",
    "DRAGON",
]
_CAPTIONS = {
    "concealment": "false bottom of the {what}",
    "goods": "{what} as found",
    "packaging": "packaging of the {what}",
    "x-ray": "X-ray image of the {what}",
    "document": "document found with the {what}",
    "person": "courier of the {what}",
}
_WHAT = ["suitcase", "container", "fuel tank", "spare tyre", "parcel", "pallet", "door panel", "engine block"]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw_photo(seed: int, kind: str = "concealment", size: tuple[int, int] = (640, 480)) -> Image.Image:
    """One synthetic photo of ``kind``, the same for the same seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    # background: a two-colour gradient with a grain texture
    c1, c2 = (tuple(int(x) for x in rng.integers(0, 256, 3)) for _ in range(2))
    gradient = Image.linear_gradient("L")
    if rng.random() < 0.5:
        gradient = gradient.transpose(Image.Transpose.ROTATE_90)
    gradient = gradient.resize(size, Image.Resampling.BILINEAR)
    img = Image.composite(Image.new("RGB", size, c2), Image.new("RGB", size, c1), gradient)
    grain = Image.fromarray(rng.integers(0, 256, (h // 4, w // 4), dtype=np.uint8), "L").resize(
        size, Image.Resampling.BILINEAR
    )
    img = Image.blend(img, Image.merge("RGB", (grain, grain, grain)), 0.12)
    d = ImageDraw.Draw(img)
    if kind == "document":
        d.rectangle(
            [w * 0.15, h * 0.1, w * 0.85, h * 0.9], fill=(245, 242, 230), outline=(40, 40, 40), width=3
        )
        for i in range(int(rng.integers(6, 12))):
            y = h * 0.18 + i * h * 0.06
            d.line([w * 0.2, y, w * (0.4 + 0.4 * rng.random()), y], fill=(30, 30, 90), width=4)
        d.rectangle(
            [w * 0.62, h * 0.18, w * 0.8, h * 0.45], fill=tuple(int(x) for x in rng.integers(60, 200, 3))
        )
    elif kind == "person":
        cx = w * (0.35 + 0.3 * rng.random())
        col = tuple(int(x) for x in rng.integers(20, 120, 3))
        d.ellipse([cx - 60, h * 0.15, cx + 60, h * 0.45], fill=col)
        d.rounded_rectangle([cx - 130, h * 0.48, cx + 130, h * 1.1], radius=60, fill=col)
    else:
        for _ in range(int(rng.integers(4, 9))):
            x0, y0 = int(rng.integers(0, w - 60)), int(rng.integers(0, h - 60))
            x1, y1 = x0 + int(rng.integers(40, w // 2)), y0 + int(rng.integers(30, h // 2))
            fill = tuple(int(x) for x in rng.integers(0, 256, 3))
            shape = rng.integers(0, 3)
            if shape == 0:
                d.rectangle([x0, y0, x1, y1], fill=fill, outline=(0, 0, 0), width=2)
            elif shape == 1:
                d.ellipse([x0, y0, x1, y1], fill=fill)
            else:
                pts = [
                    (int(rng.integers(0, w)), int(rng.integers(0, h))) for _ in range(int(rng.integers(3, 6)))
                ]
                d.polygon(pts, fill=fill)
        for _ in range(int(rng.integers(0, 6))):  # straps, seams
            d.line(
                [tuple(int(v) for v in rng.integers(0, [w, h])) for _ in range(2)], fill=(20, 20, 20), width=3
            )
        label = f"{_LABELS[int(rng.integers(len(_LABELS)))]} {int(rng.integers(10, 99))}"
        x, y = int(rng.integers(20, w // 2)), int(rng.integers(20, h - 80))
        d.text((x, y), label, fill=(int(rng.integers(0, 80)), 0, 0), font=_font(int(rng.integers(36, 64))))
    if kind == "x-ray":
        img = img.convert("L").filter(ImageFilter.FIND_EDGES).point(lambda v: 255 - v).convert("RGB")
    return img


def jpeg_bytes(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def transform(img: Image.Image, how: str) -> bytes:
    """``img`` changed as a second photograph of the same thing (one of :data:`TRANSFORMS`), as JPEG."""
    w, h = img.size
    if how == "resize":
        return jpeg_bytes(img.resize((w // 2, h // 2), Image.Resampling.BILINEAR))
    if how == "jpeg_q60":
        return jpeg_bytes(img, 60)
    if how == "crop_10":
        dx, dy = w // 20, h // 20  # 10 % off the width and the height, half on each side
        return jpeg_bytes(img.crop((dx, dy, w - dx, h - dy)))
    if how == "rotate_90":
        return jpeg_bytes(img.transpose(Image.Transpose.ROTATE_90))
    raise ValueError(
        _("not a transform: {how!r}; one of {transforms}", how=how, transforms=", ".join(TRANSFORMS))
    )


@dataclass
class PhotoPlan:
    """The photos to attach, and the planted series (index pairs into ``photos`` with their transform)."""

    photos: list[NewPhoto] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)


def plan_photos(
    cases: pd.DataFrame, *, share: float = 0.01, seed: int = 42, max_photos: int | None = None
) -> PhotoPlan:
    """Photos for a ``share`` of ``cases`` (columns reporting_country, case_id), a third of them
    planted again, transformed, in a case of another country."""
    rng = np.random.default_rng(seed)
    keys = (
        cases[["reporting_country", "case_id"]]
        .astype(str)
        .drop_duplicates()
        .sort_values(["reporting_country", "case_id"])
    )
    n = max(1, round(len(keys) * share))
    if max_photos is not None:
        n = min(n, max_photos)
    picked = keys.iloc[np.sort(rng.choice(len(keys), size=min(n, len(keys)), replace=False))]
    kinds, weights = list(SAMPLE_KINDS), np.array(list(SAMPLE_KINDS.values()))
    plan = PhotoPlan()
    countries = keys["reporting_country"].to_numpy()
    for i, (rc, cid) in enumerate(picked.itertuples(index=False)):
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        photo_seed = seed * 1_000_003 + i
        img = draw_photo(photo_seed, kind)
        caption = _CAPTIONS[kind].format(what=_WHAT[int(rng.integers(len(_WHAT)))])
        plan.photos.append(NewPhoto(jpeg_bytes(img), f"sample-{photo_seed}.jpg", rc, cid, kind, caption))
        others = np.flatnonzero(countries != rc)
        if i % 3 == 0 and kind not in ("document", "person") and len(others):
            j = int(rng.choice(others))
            how = TRANSFORMS[(i // 3) % len(TRANSFORMS)]
            orc, ocid = keys.iloc[j]
            plan.photos.append(
                NewPhoto(
                    transform(img, how),
                    f"sample-{photo_seed}-{how}.jpg",
                    str(orc),
                    str(ocid),
                    kind,
                    caption + " (seen again)",
                )
            )
            plan.series.append({"photos": [len(plan.photos) - 2, len(plan.photos) - 1], "transform": how})
    return plan


def attach_sample_photos(
    store: Any, actor: Principal, *, share: float = 0.005, seed: int = 42, max_photos: int | None = 150
) -> list[int]:
    """Draw and attach sample photos to a share of the store's cases (``workbench seed`` does it)."""
    import sqlalchemy as sa

    from workbench.store import DATA_TABLES

    cases = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        keys = pd.DataFrame(
            conn.execute(sa.select(cases.c.reporting_country, cases.c.case_id)).all(),
            columns=["reporting_country", "case_id"],
        )
    if keys.empty:
        return []
    return attach_photos(
        store, plan_photos(keys, share=share, seed=seed, max_photos=max_photos).photos, actor
    )


def write_photo_zip(
    cases: pd.DataFrame, path: Path, *, share: float = 0.01, seed: int = 42, max_photos: int | None = None
) -> int:
    """Write sample photos for ``cases`` as a zip with a manifest; return the number of photos."""
    plan = plan_photos(cases, share=share, seed=seed, max_photos=max_photos)
    manifest = io.StringIO()
    w = csv.writer(manifest)
    w.writerow(["file", "case", "kind", "caption"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for p in plan.photos:
            z.writestr(f"photos/{p.file_name}", p.data)
            w.writerow([f"photos/{p.file_name}", f"{p.reporting_country}/{p.case_id}", p.kind, p.caption])
        z.writestr(MANIFEST, manifest.getvalue())
    return len(plan.photos)
