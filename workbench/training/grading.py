"""Grading: typed answers against a trainee's own key, with partial credit and the reasons for it.

Each kind of answer has one rule (the fraction of the question's points it earns):

- ``exact``: the same text (case, spaces and accents aside), or for a number the same number: 1 or 0;
- ``one_of``: the key is a list of accepted answers: 1 if the answer is one of them;
- ``numeric``: 1 within the relative ``tolerance`` of the key, 0.5 within twice that, else 0;
- ``set``: the overlap (Jaccard: common / all named), with what is missing and what is wrong;
- ``ranked``: over the ``k`` places, 1 per place right, 0.5 per value named in the wrong place;
- ``date_range``: 1 when both ends are within ``tolerance`` days, else the overlap of the two periods;
- ``product``: the rubric of :func:`grade_product` (marking, graded citations, estimative language,
  the key judgement right), a quarter each.

A question's score is the best attempt's fraction of its points less the hints bought (never below 0);
a question whose attempts are all used takes no more answers (:mod:`workbench.training.courses`).

Examples
--------
>>> grade_answer("set", ["A", "B", "C"], ["b", "c", "d"]).fraction
0.5
>>> grade_answer("ranked", ["NG", "GH", "TG"], ["GH", "NG", "TG"], k=3).reason
'1 of 3 places right; 2 named in the wrong place'
>>> grade_answer("numeric", 100, 104, tolerance=0.05).fraction
1.0
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.i18n import LANGUAGES, N_, _, use_language
from workbench.training.packs import Pack, Question

__all__ = [
    "AnswerGrade",
    "QuestionGrade",
    "Grade",
    "normal",
    "grade_answer",
    "grade_question",
    "grade",
    "ESTIMATIVE_TERMS",
    "HANDLING_MARKINGS",
    "parse_product",
    "grade_product",
]


@dataclass(frozen=True)
class AnswerGrade:
    fraction: float
    reason: str


@dataclass(frozen=True)
class QuestionGrade:
    question: str
    points: int
    earned: float
    fraction: float
    hint_cost: int
    reason: str
    answered: bool


@dataclass(frozen=True)
class Grade:
    pack: str
    questions: list[QuestionGrade] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return round(sum(q.earned for q in self.questions), 2)

    @property
    def possible(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def percent(self) -> float:
        return round(100 * self.earned / self.possible, 1) if self.possible else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "earned": self.earned,
            "possible": self.possible,
            "percent": self.percent,
            "questions": [q.__dict__ for q in self.questions],
        }


def normal(value: Any) -> str:
    """An answer as compared: text without accents, case or surrounding spaces; ``3.0`` as ``3``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKD", str(value).strip())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).casefold()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,;\n]", value) if v.strip()]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _number(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _exact(key: Any, given: Any) -> AnswerGrade:
    kn, gn = _number(key), _number(given)
    same = (kn is not None and gn is not None and kn == gn) or normal(key) == normal(given)
    return AnswerGrade(1.0, _("right")) if same else AnswerGrade(0.0, _("not the answer"))


def _one_of(key: Any, given: Any) -> AnswerGrade:
    if normal(given) in {normal(k) for k in _as_list(key)}:
        return AnswerGrade(1.0, _("right (one of the accepted answers)"))
    return AnswerGrade(0.0, _("not one of the accepted answers"))


def _numeric(key: Any, given: Any, tolerance: float) -> AnswerGrade:
    g, k = _number(given), float(key)
    if g is None:
        return AnswerGrade(0.0, _("not a number"))
    off = abs(g - k) / abs(k) if k else abs(g)
    if off <= tolerance + 1e-9:
        return AnswerGrade(1.0, _("within {t:.0%} of the key", t=tolerance))
    if off <= 2 * tolerance + 1e-9:
        return AnswerGrade(0.5, _("within {t:.0%} of the key: half the points", t=2 * tolerance))
    return AnswerGrade(0.0, _("{off:.0%} away from the key", off=off))


def _set(key: Any, given: Any) -> AnswerGrade:
    k = {normal(v) for v in _as_list(key)}
    g = {normal(v) for v in _as_list(given)}
    if not k and not g:
        return AnswerGrade(1.0, _("right: none"))
    fraction = round(len(k & g) / len(k | g), 4)
    reason = _(
        "{right} of {n} right; {missing} missing; {wrong} wrong",
        right=len(k & g),
        n=len(k),
        missing=len(k - g),
        wrong=len(g - k),
    )
    return AnswerGrade(fraction, reason)


def _ranked(key: Any, given: Any, k: int) -> AnswerGrade:
    want = [normal(v) for v in _as_list(key)][:k]
    got = [normal(v) for v in _as_list(given)][:k]
    placed = sum(1 for i, v in enumerate(got) if i < len(want) and want[i] == v)
    misplaced = sum(1 for i, v in enumerate(got) if v in want and (i >= len(want) or want[i] != v))
    places = max(len(want), 1)
    fraction = round((placed + 0.5 * misplaced) / places, 4)
    reason = _(
        "{placed} of {n} places right; {misplaced} named in the wrong place",
        placed=placed,
        n=places,
        misplaced=misplaced,
    )
    return AnswerGrade(min(fraction, 1.0), reason)


def _date_range(key: Any, given: Any, tolerance: float) -> AnswerGrade:
    k = [_date(v) for v in _as_list(key)]
    g = [_date(v) for v in _as_list(given)]
    if len(g) != 2 or None in g:
        return AnswerGrade(0.0, _("give two dates: the first and the last (YYYY-MM-DD)"))
    (k0, k1), (g0, g1) = k, g
    assert k0 and k1 and g0 and g1
    if abs((g0 - k0).days) <= tolerance and abs((g1 - k1).days) <= tolerance:
        return AnswerGrade(1.0, _("both ends within {d:.0f} days", d=tolerance))
    common = (min(k1, g1) - max(k0, g0)).days + 1
    union = (max(k1, g1) - min(k0, g0)).days + 1
    fraction = round(max(common, 0) / union, 4) if union > 0 else 0.0
    return AnswerGrade(fraction, _("the periods overlap by {p:.0%}", p=fraction))


def grade_answer(kind: str, key: Any, given: Any, *, tolerance: float = 0.0, k: int = 3) -> AnswerGrade:
    """The fraction of the points ``given`` earns against ``key`` for an answer of ``kind``, and why."""
    if given is None or (isinstance(given, str) and not given.strip()):
        return AnswerGrade(0.0, _("no answer"))
    if kind == "exact":
        return _exact(key, given)
    if kind == "one_of":
        return _one_of(key, given)
    if kind == "numeric":
        return _numeric(key, given, tolerance)
    if kind == "set":
        return _set(key, given)
    if kind == "ranked":
        return _ranked(key, given, k)
    if kind == "date_range":
        return _date_range(key, given, tolerance)
    if kind == "product":
        return grade_product(given, key)
    raise ValueError(_("unknown kind of answer {k!r}", k=kind))


def grade_question(q: Question, key: Any, attempts: Iterable[Any], hints_used: int = 0) -> QuestionGrade:
    """Score ``q`` from its ``attempts`` (the answers given, in order; those past the limit do not
    count): the best attempt's points less the cost of the hints bought, never below 0."""
    tries = list(attempts)[: q.attempts]
    grades = [grade_answer(q.kind, key, a, tolerance=q.tolerance, k=q.k) for a in tries]
    best = max(grades, key=lambda g: g.fraction, default=AnswerGrade(0.0, _("no answer")))
    cost = q.hint_cost(hints_used)
    earned = round(max(q.points * best.fraction - cost, 0.0), 2)
    reason = best.reason if not cost else _("{reason}; hints cost {cost}", reason=best.reason, cost=cost)
    return QuestionGrade(q.id, q.points, earned, best.fraction, cost, reason, bool(tries))


def grade(
    pack: Pack,
    key: Mapping[str, Any],
    answers: Mapping[str, Any],
    hints_used: Mapping[str, int] | None = None,
) -> Grade:
    """Grade one answer sheet (question id -> answer, or -> list of attempts when the value is a
    mapping ``{"attempts": [...]}``) against ``key`` (:func:`workbench.training.variants.answer_key`)."""
    hints_used = hints_used or {}
    out = []
    for q in pack.questions:
        given = answers.get(q.id)
        tries = given["attempts"] if isinstance(given, Mapping) and "attempts" in given else [given]
        tries = [t for t in tries if t is not None]
        out.append(grade_question(q, key[q.id], tries, hints_used.get(q.id, 0)))
    return Grade(pack.id, out)


# ------------------------------------------------------------------------------------ graded products
#: Words of estimative language (the probability yardstick of intelligence products).
ESTIMATIVE_TERMS: tuple[str, ...] = (
    N_("almost certainly"),
    N_("highly likely"),
    N_("very likely"),
    N_("likely"),
    N_("probably"),
    N_("realistic possibility"),
    N_("unlikely"),
    N_("highly unlikely"),
    N_("remote chance"),
    N_("almost no chance"),
)
#: Handling markings an alert may carry.
HANDLING_MARKINGS: tuple[str, ...] = (
    "OFFICIAL",
    "OFFICIAL-SENSITIVE",
    "RESTRICTED",
    "CONFIDENTIAL",
    "LAW ENFORCEMENT SENSITIVE",
    "LIMITED DISTRIBUTION",
    "TLP:RED",
    "TLP:AMBER",
    "TLP:GREEN",
    "TLP:CLEAR",
)
_GRADING = re.compile(r"^[A-FX][1-6]$", re.IGNORECASE)  # source reliability x information credibility
#: The line keys of an alert written as text: English, or the key as translated in any of the languages.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "marking": (N_("Marking"), N_("Handling")),
    "key_judgement": (N_("Key judgement"), "Key judgment"),
}


@functools.cache
def _in_every_language(terms: tuple[str, ...]) -> tuple[str, ...]:
    """``terms`` and their translations in every language of the workbench, compared as :func:`normal`
    text (a trainee writing in French may use « probable » or « likely »), longest first.

    >>> "probable" in _in_every_language(("likely",)) and "вероятно" in _in_every_language(("likely",))
    True
    """
    found: set[str] = set()
    for code in LANGUAGES:
        with use_language(code):
            found.update(normal(_(t)) for t in terms)
    return tuple(sorted((t for t in found if t), key=len, reverse=True))


#: Prefixes written as one word with the term: Arabic's article and conjunction (« من المرجح »).
_ARTICLES = "وال|ال|و|"


@functools.cache
def _field_pattern() -> re.Pattern[str]:
    keys = {name: _in_every_language(words) for name, words in FIELD_KEYS.items()}
    alternatives = "|".join(f"(?P<{name}>{'|'.join(map(re.escape, ws))})" for name, ws in keys.items())
    return re.compile(rf"^\s*\**(?:{alternatives})\**\s*:\**\s*(?P<value>.+)$")


_CITATION = re.compile(r"^\s*[-*]\s*\[([A-Za-z0-9]{1,3})\]\s*(.+)$")


def parse_product(text: str) -> dict[str, Any]:
    """The fields of a short alert written as markdown: ``Marking: ...``, ``Key judgement: ...`` lines
    and citations as list items that start with their grading, ``- [B2] case FR/...``.

    >>> parse_product("Marking: RESTRICTED\\nKey judgement: NG is likely the hub\\n- [B2] case NG/1")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'marking': 'RESTRICTED', 'key_judgement': 'NG is likely the hub', 'citations': [{'grading': 'B2',
     'item': 'case NG/1'}], 'text': 'Marking: RESTRICTED\\nKey judgement: NG is likely the hub\\n- [B2] case NG/1'}
    """
    out: dict[str, Any] = {"marking": "", "key_judgement": "", "citations": [], "text": text}
    for line in text.splitlines():
        if m := _field_pattern().match(normal(line)):
            name = "marking" if m.group("marking") else "key_judgement"
            value = line.split(":", 1)[1] if ":" in line else line  # the value as written, not normalised
            out[name] = value.strip().strip("*").strip()
        elif m := _CITATION.match(line):
            out["citations"].append({"grading": m.group(1), "item": m.group(2).strip()})
    return out


def grade_product(product: Any, key: Any) -> AnswerGrade:
    """The rubric of a short alert (a mapping with ``marking``, ``key_judgement``, ``citations`` [{item,
    grading}] and ``text``, or the same written as markdown, :func:`parse_product`): a quarter each for
    a handling marking, every cited item graded (and at least one cited), estimative language, and the
    key judgement naming the key's ``judgement`` (or the first of a list)."""
    alert = parse_product(product) if isinstance(product, str) else dict(product)
    judgement = key["judgement"] if isinstance(key, Mapping) else key
    first = _as_list(judgement)[0] if _as_list(judgement) else judgement
    marking = str(alert.get("marking") or "").strip().upper()
    cites = list(alert.get("citations") or [])
    words = normal(f"{alert.get('key_judgement', '')} {alert.get('text', '')}")
    kj = normal(alert.get("key_judgement") or "")
    checks = [
        (marking in HANDLING_MARKINGS, _("handling marking present"), _("no handling marking")),
        (
            bool(cites) and all(_GRADING.match(str(c.get("grading", ""))) for c in cites),
            _("every cited item graded"),
            _("a cited item lacks its grading (or nothing is cited)"),
        ),
        (
            any(
                re.search(rf"(?<!\w)(?:{_ARTICLES}){re.escape(t)}\b", words)
                for t in _in_every_language(ESTIMATIVE_TERMS)
            ),
            _("estimative language used"),
            _("no estimative language"),
        ),
        (
            bool(kj) and re.search(rf"\b{re.escape(normal(first))}\b", kj) is not None,
            _("key judgement right"),
            _("key judgement wrong or missing"),
        ),
    ]
    fraction = sum(ok for ok, _yes, _no in checks) / len(checks)
    reason = "; ".join(yes if ok else no for ok, yes, no in checks)
    return AnswerGrade(fraction, reason)
