"""Per-trainee variants: the same scenario with another seed, and the answer key computed from it.

The seed comes from the pack and the trainee's name (a hash: stable across runs and machines), so two
trainees get other names, places, dates and counts, and one trainee always gets the same variant. The
number of cases varies by up to a fifth around the pack's figure.

Examples
--------
>>> variant_seed("courier-network", "ana") == variant_seed("courier-network", "ana")
True
>>> variant_seed("courier-network", "ana") != variant_seed("courier-network", "bruno")
True
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from workbench.training.facts import compute
from workbench.training.packs import Pack, load_pack

if TYPE_CHECKING:
    from workbench.sample.generator import SampleDataset

__all__ = ["variant_seed", "variant_cases", "variant", "answer_key"]


def variant_seed(pack_id: str, trainee: str) -> int:
    """The generator seed of ``trainee``'s variant of ``pack_id`` (1 to 999,999)."""
    digest = hashlib.sha256(f"{pack_id}\x00{trainee}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 999_999 + 1


def variant_cases(pack: Pack, trainee: str) -> int:
    """How many cases ``trainee``'s variant holds: the pack's figure, give or take up to 20 %."""
    spread = (variant_seed(pack.id, trainee) % 41 - 20) / 100
    return max(100, round(pack.cases * (1 + spread)))


@lru_cache(maxsize=16)
def _generate(pack_id: str, trainee: str) -> SampleDataset:
    from workbench.sample.generator import generate

    pack = load_pack(pack_id)
    seed = variant_seed(pack_id, trainee)
    return generate(variant_cases(pack, trainee), seed=seed, start=pack.period[0], end=pack.period[1])


def variant(pack: Pack | str, trainee: str) -> SampleDataset:
    """``trainee``'s variant of ``pack`` (tables and planted truth); the same every time."""
    pack_id = pack if isinstance(pack, str) else pack.id
    return _generate(pack_id, trainee)


def answer_key(pack: Pack | str, trainee: str) -> dict[str, Any]:
    """The answer of every question of ``pack`` for ``trainee``'s variant, by question id.

    Not permission-checked: the library's callers that show or hand out a key
    (:func:`workbench.training.courses.trainee_key`) require ``run_courses`` first."""
    pack = load_pack(pack) if isinstance(pack, str) else pack
    ds = variant(pack, trainee)
    return {q.id: compute(ds, q.fact, q.args) for q in pack.questions}
