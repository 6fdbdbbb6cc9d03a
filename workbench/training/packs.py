"""Scenario packs: data in ``sample_data/scenarios/<pack>/pack.yaml``, loaded and checked here.

A pack holds a brief for the trainee (persona, situation, tasking), a generator configuration (how
many cases, which period; every trainee gets their own seed, see :mod:`workbench.training.variants`),
8 to 12 questions each with a typed answer key, points, an attempt limit and hints with their cost, a
model answer and the path an expert takes through the workbench. A question's key is never typed in the
pack: it names a *fact* (:data:`workbench.training.facts.FACTS`) computed from the trainee's variant.

Every mistake in a pack is reported with the file and the field, e.g.
``sample_data/scenarios/x/pack.yaml: questions[3].kind: 'fuzzy' is not one of exact, one_of, ...``.

Examples
--------
>>> sorted(p.id for p in list_packs())  # doctest: +NORMALIZE_WHITESPACE
['cocaine-west-africa', 'counterfeit-gulf-hub', 'courier-network', 'risk-indicator-drill',
 'steward-defects-drill']
>>> pack = load_pack("cocaine-west-africa")
>>> 8 <= len(pack.questions) <= 12, pack.question("q1").kind
(True, 'exact')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from workbench.i18n import _

__all__ = [
    "ANSWER_KINDS",
    "PackError",
    "Hint",
    "Question",
    "Pack",
    "scenarios_dir",
    "load_pack",
    "load_pack_file",
    "list_packs",
]

#: The kinds of typed answers a question may take (see :mod:`workbench.training.grading`).
ANSWER_KINDS: tuple[str, ...] = ("exact", "one_of", "numeric", "set", "ranked", "date_range", "product")


class PackError(ValueError):
    """A pack that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Hint:
    text: str
    cost: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    points: int
    fact: str
    args: Mapping[str, Any]
    attempts: int
    hints: tuple[Hint, ...] = ()
    tolerance: float = 0.0  # numeric: relative tolerance; date_range: days
    k: int = 3  # ranked: how many places are graded
    cites: str | None = None  # what the answer may cite from the pages: route, entity, indicator

    def hint_cost(self, used: int) -> int:
        """The points the first ``used`` hints cost."""
        return sum(h.cost for h in self.hints[:used])


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    persona: str
    situation: str
    tasking: str
    cases: int
    period: tuple[str, str]
    questions: tuple[Question, ...]
    model_answer: str
    expert_path: tuple[str, ...]
    path: Path = field(compare=False)

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(_("pack {pack} has no question {q}", pack=self.id, q=qid))

    @property
    def notebook(self) -> Path:
        return self.path.parent / "solve.ipynb"

    def translated(self) -> Pack:
        """The pack with its brief, questions, hints and model answer in the language in force (the
        pack's English texts are the catalogue's message ids, extracted from the YAML)."""
        questions = tuple(
            replace(
                q,
                text=_text(q.text),
                hints=tuple(replace(h, text=_text(h.text)) for h in q.hints),
            )
            for q in self.questions
        )
        return replace(
            self,
            title=_text(self.title),
            persona=_text(self.persona),
            situation=_text(self.situation),
            tasking=_text(self.tasking),
            questions=questions,
            model_answer=_text(self.model_answer),
            expert_path=tuple(_text(s) for s in self.expert_path),
        )


def _text(text: str) -> str:
    # a pack's text through the catalogue; an empty text stays empty (gettext's "" is the header)
    return _(text) if text else text


def scenarios_dir() -> Path:
    """Where the shipped packs live: ``sample_data/scenarios``."""
    return Path(__file__).resolve().parents[2] / "sample_data" / "scenarios"


class _Reader:
    """Reads fields of one mapping and raises :class:`PackError` naming the file and the field."""

    def __init__(self, path: Path, where: str, data: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(data, Mapping):
            self.fail(where or _("(top)"), _("expected a mapping of fields"))
        self.data: Mapping[str, Any] = data

    def fail(self, name: str, problem: str) -> None:
        raise PackError(_("{path}: {name}: {problem}", path=self.path, name=name, problem=problem))

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, default: str | None = None) -> str:
        v = self.data.get(key, default)
        if not isinstance(v, str) or not v.strip():
            self.fail(self.name(key), _("a text is required"))
        return str(v).strip()

    def integer(self, key: str, default: int | None = None, minimum: int = 0) -> int:
        v = self.data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            self.fail(self.name(key), _("a whole number of at least {m} is required", m=minimum))
        return int(v)

    def number(self, key: str, default: float) -> float:
        v = self.data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            self.fail(self.name(key), _("a number of at least 0 is required"))
        return float(v)

    def items(self, key: str, minimum: int = 0) -> list[Any]:
        v = self.data.get(key, [])
        if not isinstance(v, list) or len(v) < minimum:
            self.fail(self.name(key), _("a list of at least {m} entries is required", m=minimum))
        return list(v)


#: Selection fields whose values come from a closed list of the exchange format.
_ENUM_FIELDS = {
    "commodity_category": "commodity_category",
    "category": "commodity_category",
    "commodity_type": "commodity_type",
    "transport_mode": "transport_mode",
    "concealment_method": "concealment_method",
}


def _check_selections(r: _Reader, where: str, value: Any) -> None:
    """Values of closed lists in a question's selections (at any depth) must be the format's."""
    from workbench.format.schema import FORMAT

    if isinstance(value, Mapping):
        for k, v in value.items():
            enum = _ENUM_FIELDS.get(str(k))
            if enum and isinstance(v, list) and enum in FORMAT.enums:
                allowed = FORMAT.enums[enum]
                for x in v:
                    if x not in allowed:
                        r.fail(f"{r.where}.{where}.{k}", _("{v!r} is not a value of {e}", v=x, e=enum))
            else:
                _check_selections(r, f"{where}.{k}", v)


def _question(path: Path, i: int, raw: Any, default_attempts: int) -> Question:
    from workbench.training.facts import FACTS

    r = _Reader(path, f"questions[{i}]", raw)
    kind = r.text("kind")
    if kind not in ANSWER_KINDS:
        r.fail(r.name("kind"), _("{v!r} is not one of {kinds}", v=kind, kinds=", ".join(ANSWER_KINDS)))
    fact = r.text("fact")
    if fact not in FACTS:
        r.fail(r.name("fact"), _("{v!r} is not one of {facts}", v=fact, facts=", ".join(sorted(FACTS))))
    args = r.data.get("args", {})
    if not isinstance(args, Mapping):
        r.fail(r.name("args"), _("expected a mapping of fields"))
    _check_selections(r, "args", args)
    hints = []
    for j, h in enumerate(r.items("hints")):
        hr = _Reader(path, f"{r.where}.hints[{j}]", h)
        hints.append(Hint(hr.text("text"), hr.integer("cost", 0)))
    q = Question(
        id=r.text("id"),
        text=r.text("text"),
        kind=kind,
        points=r.integer("points", minimum=1),
        fact=fact,
        args=dict(args),
        attempts=r.integer("attempts", default_attempts, minimum=1),
        hints=tuple(hints),
        tolerance=r.number("tolerance", 0.0),
        k=r.integer("k", 3, minimum=1),
        cites=r.data.get("cites"),
    )
    if q.hint_cost(len(q.hints)) > q.points:
        r.fail(r.name("hints"), _("the hints cost more than the question's {n} points", n=q.points))
    return q


def load_pack_file(path: str | Path) -> Pack:
    """Load and check the pack at ``path`` (a ``pack.yaml``). Raises :class:`PackError`."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PackError(_("{path}: {strerror}", path=path, strerror=e.strerror)) from None
    except yaml.YAMLError as e:
        raise PackError(_("{path}: not valid YAML: {e}", path=path, e=e)) from None
    r = _Reader(path, "", data)
    brief = _Reader(path, "brief", data.get("brief"))
    gen = _Reader(path, "generator", data.get("generator"))
    period = gen.items("period", 2)
    if len(period) != 2 or not all(isinstance(d, str) for d in period):
        gen.fail("generator.period", _("two ISO dates are required"))
    attempts = r.integer("attempts", 3, minimum=1)
    questions = tuple(_question(path, i, q, attempts) for i, q in enumerate(r.items("questions", 8)))
    if len(questions) > 12:
        r.fail("questions", _("at most 12 questions"))
    seen: set[str] = set()
    for i, q in enumerate(questions):
        if q.id in seen:
            r.fail(f"questions[{i}].id", _("{v!r} is used twice", v=q.id))
        seen.add(q.id)
    pack_id = r.text("id")
    if pack_id != path.parent.name:
        r.fail("id", _("{v!r} differs from the pack's folder {f!r}", v=pack_id, f=path.parent.name))
    return Pack(
        id=pack_id,
        title=r.text("title"),
        persona=brief.text("persona"),
        situation=brief.text("situation"),
        tasking=brief.text("tasking"),
        cases=gen.integer("cases", minimum=100),
        period=(str(period[0]), str(period[1])),
        questions=questions,
        model_answer=r.text("model_answer"),
        expert_path=tuple(str(s) for s in r.items("expert_path", 1)),
        path=path,
    )


@cache
def _shipped(pack_id: str) -> Pack:
    return load_pack_file(scenarios_dir() / pack_id / "pack.yaml")


def load_pack(pack_id: str) -> Pack:
    """The shipped pack ``pack_id``. Raises :class:`PackError` for an unknown one (listing the packs)."""
    if not (scenarios_dir() / pack_id / "pack.yaml").is_file():
        known = ", ".join(sorted(p.name for p in scenarios_dir().iterdir() if (p / "pack.yaml").is_file()))
        raise PackError(_("no scenario pack {id!r}; the packs: {known}", id=pack_id, known=known))
    return _shipped(pack_id).translated()


def list_packs() -> list[Pack]:
    """Every shipped pack, by id."""
    return [
        _shipped(p.name).translated()
        for p in sorted(scenarios_dir().iterdir())
        if (p / "pack.yaml").is_file()
    ]
