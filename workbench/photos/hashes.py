"""Perceptual hashes of photos and the index that finds near-duplicates.

Each photo has three hashes: SHA-256 of the original (exact copies), a 16x16 pHash (256 bits,
``imagehash``; 8x8 gives false positives) and Meta's PDQ (256 bits, ``pdqhash``, with its quality
score). Both perceptual hashes are compared by Hamming distance (0-256).

Neither survives a rotation on its own, so a query is hashed in its eight rotations and flips (PDQ's
dihedral hashes, and pHash of the image turned the same eight ways) and each stored photo keeps the
smallest distance. Neither survives a 10 % crop either, so the centre of each photo (its central 80 %)
has a pHash of its own, compared with the query's centre at three shares (either side cropped). A photo's distance is the
smallest of the three (``benchmarks/bench_photos.py`` measures each).

:class:`HashIndex` holds the hashes as packed ``uint64`` words and answers by XOR and popcount over
all of them (``numpy.bitwise_count``): a scan of 100,000 photos in eight orientations takes well
under a second (measured in the benchmark), with no approximate structure to tune or go stale.

Examples
--------
>>> import numpy as np
>>> from PIL import Image
>>> rng = np.random.default_rng(1)
>>> img = Image.fromarray((rng.random((64, 64, 3)) * 255).astype("uint8")).resize((256, 256))
>>> h = photo_hashes(img)
>>> len(h.phash), len(h.pdq), len(h.centre)
(64, 64, 64)
>>> index = HashIndex.build([7], [h.phash], [h.pdq], [h.centre])
>>> [(m.photo_id, m.distance) for m in index.query(img.rotate(90, expand=True))]
[(7, 0)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "BITS",
    "MATCH_DISTANCE",
    "PhotoHashes",
    "Match",
    "HashIndex",
    "QueryHashes",
    "photo_hashes",
    "query_hashes",
    "dihedral",
    "hex_to_words",
]

#: Bits of each perceptual hash
BITS = 256
#: Largest distance (of 256 bits) reported as a near-duplicate by default; measured in the benchmark
#: (on 300 synthetic photos: unrelated ones at 84 or more, the transformed copies at 8 or less)
MATCH_DISTANCE = 48


@dataclass(frozen=True)
class PhotoHashes:
    """The perceptual hashes of one photo, as 64 hex digits each, and PDQ's quality (0-100)."""

    phash: str
    pdq: str
    pdq_quality: int
    centre: str  # pHash of the central 80 % (what a copy cropped by up to ~15 % still shows)


@dataclass(frozen=True)
class Match:
    photo_id: int
    distance: int  # the smallest of the pHash, PDQ and centre distances, over the eight orientations
    phash_distance: int
    pdq_distance: int
    centre_distance: int


def _bits_to_hex(bits: npt.NDArray[Any]) -> str:
    return np.packbits(np.asarray(bits, dtype=bool).ravel()).tobytes().hex()


def dihedral(img: Image.Image) -> list[Image.Image]:
    """The image in its eight rotations and flips."""
    t = Image.Transpose
    turns = [img, img.transpose(t.ROTATE_90), img.transpose(t.ROTATE_180), img.transpose(t.ROTATE_270)]
    return [*turns, *(x.transpose(t.FLIP_LEFT_RIGHT) for x in turns)]


def _phash16(img: Image.Image) -> str:
    import imagehash

    # pHash looks at a 64 px grey image: shrinking to 256 px first (box filter, cheap) changes nothing it
    # sees and spares the Lanczos resize of a full-size photo
    small = img
    if max(img.size) > 256:
        small = img.reduce(max(1, max(img.size) // 256))
    return _bits_to_hex(imagehash.phash(small, hash_size=16).hash)


def _pdq_input(img: Image.Image) -> npt.NDArray[np.uint8]:
    # PDQ works on a 512 px image at most; shrinking first keeps it fast and changes nothing it sees
    small = img.convert("RGB")
    if max(small.size) > 512:
        small = small.copy()
        small.thumbnail((512, 512), Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.uint8)


#: The central share of a stored photo that its ``centre`` hash sees
CENTRE = 0.8
#: The central shares of a query compared with the stored centres: the same framing (0.8), a query
#: cropped by 10 % against a whole stored photo (0.8 / 0.9), and a whole query against a stored copy
#: cropped by 10 % (0.8 x 0.9)
QUERY_CENTRES = (0.8 * 0.9, 0.8, 0.8 / 0.9)


def _centre(img: Image.Image, share: float) -> Image.Image:
    w, h = img.size
    dx, dy = round(w * (1 - share) / 2), round(h * (1 - share) / 2)
    return img.crop((dx, dy, w - dx, h - dy))


def photo_hashes(img: Image.Image) -> PhotoHashes:
    """pHash (16x16), PDQ and the centre's pHash of ``img`` as it stands."""
    import pdqhash

    rgb = img.convert("RGB")
    bits, quality = pdqhash.compute(_pdq_input(rgb))
    return PhotoHashes(_phash16(rgb), _bits_to_hex(bits), int(quality), _phash16(_centre(rgb, CENTRE)))


@dataclass(frozen=True)
class QueryHashes:
    """A query's hashes in its eight orientations: pHash, PDQ, and the pHashes of its centres."""

    phash: list[str]
    pdq: list[str]
    centre: list[str]


def query_hashes(img: Image.Image) -> QueryHashes:
    """The hashes of ``img`` in its eight orientations (what a query compares)."""
    import pdqhash

    rgb = img.convert("RGB")
    pdqs, _quality = pdqhash.compute_dihedral(_pdq_input(rgb))
    turns = dihedral(rgb)
    centres = [_phash16(_centre(x, share)) for share in QUERY_CENTRES for x in turns]
    return QueryHashes([_phash16(x) for x in turns], [_bits_to_hex(b) for b in pdqs], centres)


def hex_to_words(hexes: Sequence[str]) -> npt.NDArray[np.uint64]:
    """Hashes (64 hex digits each) as an (n, 4) array of big-endian 64-bit words."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hexes), 4)


def _distances(words: npt.NDArray[np.uint64], queries: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
    """Smallest Hamming distance of each stored hash to any of the query hashes."""
    best = np.full(len(words), BITS, dtype=np.int32)
    for q in queries:
        d = np.bitwise_count(words ^ q).sum(axis=1, dtype=np.int32)
        np.minimum(best, d, out=best)
    return best


@dataclass
class HashIndex:
    """Photo ids with their pHash and PDQ as packed words; a query scans them all."""

    ids: npt.NDArray[np.int64]
    phash: npt.NDArray[np.uint64]
    pdq: npt.NDArray[np.uint64]
    centre: npt.NDArray[np.uint64]

    @classmethod
    def build(
        cls, ids: Sequence[int], phashes: Sequence[str], pdqs: Sequence[str], centres: Sequence[str]
    ) -> HashIndex:
        return cls(
            np.asarray(ids, dtype=np.int64), hex_to_words(phashes), hex_to_words(pdqs), hex_to_words(centres)
        )

    def __len__(self) -> int:
        return len(self.ids)

    def distances(self, q: QueryHashes) -> tuple[npt.NDArray[np.int32], ...]:
        """Each stored photo's distance to the query: overall, pHash, PDQ and centre."""
        dp = _distances(self.phash, hex_to_words(q.phash))
        dq = _distances(self.pdq, hex_to_words(q.pdq))
        dc = _distances(self.centre, hex_to_words(q.centre))
        return np.minimum(np.minimum(dp, dq), dc), dp, dq, dc

    def search(self, q: QueryHashes, *, top: int = 10, max_distance: int = MATCH_DISTANCE) -> list[Match]:
        """The ``top`` nearest photos to the query's hashes within ``max_distance``, nearest first
        (ties by id)."""
        if not len(self):
            return []
        d, dp, dq, dc = self.distances(q)
        keep = np.flatnonzero(d <= max_distance)
        if len(keep) > top:
            part = np.argpartition(d[keep], top - 1)[:top]
            keep = keep[part]
        order = keep[np.lexsort((self.ids[keep], d[keep]))]
        return [Match(int(self.ids[i]), int(d[i]), int(dp[i]), int(dq[i]), int(dc[i])) for i in order]

    def query(self, img: Image.Image, *, top: int = 10, max_distance: int = MATCH_DISTANCE) -> list[Match]:
        """:meth:`search` with the hashes of ``img`` in its eight orientations."""
        return self.search(query_hashes(img), top=top, max_distance=max_distance)
