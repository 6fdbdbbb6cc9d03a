"""Photos: robustness of the near-duplicate search, and its speed on 100,000 photos.

1. Robustness: ``--photos`` synthetic photos (``workbench.sample.photos.draw_photo``); each copied four
   ways (resized to half, JPEG quality 60, cropped by 10 %, rotated by 90 degrees). For each hash
   (pHash 16x16, PDQ, and the workbench's min of the two, each over the query's eight orientations):
   recall@5 per transformation (the original among the 5 nearest within the match distance), and
   precision on unrelated photos (the share of fresh photos, never stored, for which nothing is
   reported within the match distance). The distances printed help choose ``MATCH_DISTANCE``.
2. Speed: an index of 100,000 hashes (random bits: the scan costs the same whatever the bits), one
   query in eight orientations; beside it the same scan in plain Python integers (``int.bit_count``)
   as the reference.

Run: ``python -m benchmarks.bench_photos [--photos 300] [--index 100000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.photos.hashes import MATCH_DISTANCE, HashIndex, QueryHashes, photo_hashes, query_hashes
from workbench.photos.images import read_image
from workbench.sample.photos import TRANSFORMS, draw_photo, transform

KINDS = ("concealment", "goods", "packaging", "x-ray")


def _distances(index: HashIndex, q: QueryHashes) -> dict[str, np.ndarray]:
    d, dp, dq, dc = index.distances(q)
    return {"phash": dp, "pdq": dq, "centre": dc, "phash|pdq": np.minimum(dp, dq), "all": d}


def robustness(n: int, threshold: int = MATCH_DISTANCE) -> None:
    originals = [draw_photo(10_000 + i, KINDS[i % len(KINDS)]) for i in range(n)]
    hashes = [photo_hashes(img) for img in originals]
    index = HashIndex.build(
        range(n), [h.phash for h in hashes], [h.pdq for h in hashes], [h.centre for h in hashes]
    )
    methods = ("phash", "pdq", "centre", "phash|pdq", "all")
    print(f"recall@5 of {n} synthetic photos, match distance {threshold} (of 256 bits)")
    print(
        f"{'transformation':<16}"
        + "".join(f"{m:>10}" for m in methods)
        + f"{'median d (all)':>16}{'max d':>8}"
    )
    for how in TRANSFORMS:
        hits = dict.fromkeys(methods, 0)
        own = []
        for i, img in enumerate(originals):
            q = read_image(transform(img, how), "copy.jpg").image
            d = _distances(index, query_hashes(q))
            own.append(int(d["all"][i]))
            for m in methods:
                top = np.argsort(d[m], kind="stable")[:5]
                hits[m] += int(i in top and d[m][i] <= threshold)
        print(
            f"{how:<16}"
            + "".join(f"{hits[m] / n:>10.3f}" for m in methods)
            + f"{int(np.median(own)):>16}{max(own):>8}"
        )
    fresh = [draw_photo(90_000 + i, KINDS[i % len(KINDS)]) for i in range(n)]
    clean = dict.fromkeys(methods, 0)
    nearest = []
    for img in fresh:
        d = _distances(index, query_hashes(img))
        nearest.append(int(d["all"].min()))
        for m in methods:
            clean[m] += int(d[m].min() > threshold)
    print(
        f"{'precision':<16}"
        + "".join(f"{clean[m] / n:>10.3f}" for m in methods)
        + f"{int(np.median(nearest)):>16}{min(nearest):>8}  (nearest unrelated: median, min)"
    )


def speed(n: int) -> None:
    rng = np.random.default_rng(0)
    hexes = [rng.bytes(32).hex() for _ in range(n)]
    pdqs = [rng.bytes(32).hex() for _ in range(n)]
    centres = [rng.bytes(32).hex() for _ in range(n)]
    t0 = time.perf_counter()
    index = HashIndex.build(range(n), hexes, pdqs, centres)
    build = time.perf_counter() - t0
    q = draw_photo(1)
    t0 = time.perf_counter()
    qh = query_hashes(q)
    hashing = time.perf_counter() - t0
    t0 = time.perf_counter()
    index.search(qh, top=5)
    scan = time.perf_counter() - t0
    ints = [int(h, 16) for h in hexes]
    queries = [int(h, 16) for h in qh.phash]  # the reference scans only the pHash part: 8 of 32 query hashes
    t0 = time.perf_counter()
    for qv in queries:
        min((qv ^ x).bit_count() for x in ints)
    reference = time.perf_counter() - t0
    print(f"\nsearch among {n:,} photos (pHash + PDQ, query in 8 orientations)")
    print(f"{'step':<40}{'seconds':>10}")
    for label, s in (
        ("build the index (hex -> packed uint64)", build),
        ("hash the query (8 orientations x 5)", hashing),
        ("scan: numpy XOR + bitwise_count", scan),
        ("ref: Python bit_count, pHash part only", reference),
    ):
        print(f"{label:<40}{s:>10.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=300)
    ap.add_argument("--index", type=int, default=100_000)
    ap.add_argument("--threshold", type=int, default=MATCH_DISTANCE)
    args = ap.parse_args()
    robustness(args.photos, args.threshold)
    speed(args.index)


if __name__ == "__main__":
    main()
