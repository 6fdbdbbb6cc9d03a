"""Courses: a trainer's course from packs, trainees enrolled (accounts), released, answered, debriefed.

Stored in the main store (tables :data:`COURSES`, :data:`ENROLMENTS`, :data:`EVENTS`); each trainee works
in their own sandbox (:mod:`workbench.training.sandbox`). A trainee's answers and hints are events;
their score is always recomputed from the events against their own key, so the grading rule stays
in one place (:func:`workbench.training.grading.grade`).

Permissions (``matrix.yaml``): ``run_courses`` (trainer, admin) creates, enrols, releases, resets,
reads the keys and the debriefs; ``take_courses`` (every role) answers in a course one is enrolled in.
Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, require
from workbench.store import Base, Store
from workbench.store.audit import audit
from workbench.training.grading import Grade, grade
from workbench.training.packs import Pack, load_pack
from workbench.training.variants import answer_key

__all__ = [
    "COURSES",
    "ENROLMENTS",
    "EVENTS",
    "CourseError",
    "Course",
    "create_course",
    "get_course",
    "list_courses",
    "enrol",
    "release",
    "trainee_courses",
    "answer",
    "buy_hint",
    "exercise_state",
    "trainee_grade",
    "trainee_key",
    "progress",
    "debrief",
    "results_workbook",
]

COURSES = sa.Table(
    "training_courses",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("packs", sa.Text, nullable=False),  # JSON list of pack ids
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
)
ENROLMENTS = sa.Table(
    "training_enrolments",
    Base.metadata,
    sa.Column("course_id", sa.Integer, sa.ForeignKey("training_courses.id"), primary_key=True),
    sa.Column("account", sa.String(100), primary_key=True),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
)
EVENTS = sa.Table(
    "training_events",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("course_id", sa.Integer, sa.ForeignKey("training_courses.id"), nullable=False),
    sa.Column("account", sa.String(100), nullable=False),
    sa.Column("pack", sa.String(100), nullable=False),
    sa.Column("question", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # answer | hint
    sa.Column("answer", sa.Text, nullable=True),  # JSON
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_training_events_trainee", "course_id", "account"),
)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}")


class CourseError(ValueError):
    """A course request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Course:
    id: int
    name: str
    packs: tuple[str, ...]
    created_by: str
    released: bool
    trainees: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _course(conn: sa.Connection, name: str) -> Course:
    row = conn.execute(sa.select(COURSES).where(COURSES.c.name == name)).mappings().first()
    if row is None:
        raise CourseError(_("no course {name!r}", name=name))
    trainees = conn.execute(
        sa.select(ENROLMENTS.c.account).where(ENROLMENTS.c.course_id == row["id"]).order_by("account")
    ).scalars()
    return Course(
        row["id"],
        row["name"],
        tuple(json.loads(row["packs"])),
        row["created_by"],
        row["released_at"] is not None,
        tuple(trainees),
    )


def create_course(store: Store, name: str, packs: Iterable[str], *, by: Principal) -> Course:
    """A new course of ``packs`` (ids of shipped packs), not yet released."""
    require(by, "run_courses")
    if not _NAME.fullmatch(name or ""):
        raise CourseError(_("a course name: 1 to 100 letters, digits, spaces, dots, dashes"))
    ids = [load_pack(p).id for p in packs]
    if not ids:
        raise CourseError(_("a course needs at least one pack"))
    with store.session() as s:
        if s.execute(sa.select(COURSES.c.id).where(COURSES.c.name == name)).first():
            raise CourseError(_("a course {name!r} exists already", name=name))
        s.execute(
            COURSES.insert().values(name=name, packs=json.dumps(ids), created_by=by.user, created_at=_now())
        )
        audit(s, "admin.training_course", {"course": name, "packs": ids}, by)
    return get_course(store, name)


def get_course(store: Store, name: str) -> Course:
    with store.connect() as conn:
        return _course(conn, name)


def list_courses(store: Store, *, by: Principal) -> list[Course]:
    """Every course (trainers) or the courses ``by`` is enrolled in."""
    with store.connect() as conn:
        names = list(conn.execute(sa.select(COURSES.c.name).order_by(COURSES.c.id)).scalars())
        courses = [_course(conn, n) for n in names]
    if _may_run(by):
        return courses
    return [c for c in courses if by.user in c.trainees]


def _may_run(by: Principal) -> bool:
    from workbench.identity import can

    return can(by, "run_courses")


def enrol(store: Store, course: str, accounts: Iterable[str], *, by: Principal) -> Course:
    """Enrol ``accounts`` (existing accounts of the store, or any name in a store without accounts)."""
    require(by, "run_courses")
    from workbench.identity.accounts import has_accounts
    from workbench.store.models import Account

    names = sorted({a.strip() for a in accounts if a and a.strip()})
    with store.session() as s:
        c = _course(s.connection(), course)
        if has_accounts(store):
            known = set(s.execute(sa.select(Account.name).where(Account.name.in_(names))).scalars())
            unknown = [n for n in names if n not in known]
            if unknown:
                raise CourseError(_("no account {names}", names=", ".join(unknown)))
        for n in names:
            if n in c.trainees:
                continue
            s.execute(ENROLMENTS.insert().values(course_id=c.id, account=n, enrolled_at=_now()))
        audit(s, "admin.training_enrol", {"course": course, "trainees": names}, by)
    return get_course(store, course)


def release(store: Store, course: str, *, by: Principal) -> Course:
    """Open the course to its trainees."""
    require(by, "run_courses")
    with store.session() as s:
        c = _course(s.connection(), course)
        s.execute(COURSES.update().where(COURSES.c.id == c.id).values(released_at=_now()))
        audit(s, "admin.training_release", {"course": course}, by)
    return get_course(store, course)


def trainee_courses(store: Store, *, by: Principal) -> list[Course]:
    """The released courses ``by`` is enrolled in."""
    require(by, "take_courses")
    return [c for c in list_courses(store, by=by) if c.released and by.user in c.trainees]


def _enrolled(store: Store, course: str, pack: str, by: Principal) -> tuple[Course, Pack]:
    require(by, "take_courses")
    c = get_course(store, course)
    if by.user not in c.trainees or not c.released:
        raise PermissionDenied(_("{user} is not enrolled in the released course {c}", user=by.user, c=course))
    if pack not in c.packs:
        raise CourseError(_("the course {c} has no pack {p}", c=course, p=pack))
    return c, load_pack(pack)


def _events(store: Store, course_id: int, account: str, pack: str | None = None) -> list[dict[str, Any]]:
    q = sa.select(EVENTS).where(EVENTS.c.course_id == course_id, EVENTS.c.account == account)
    if pack is not None:
        q = q.where(EVENTS.c.pack == pack)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(EVENTS.c.id)).mappings()]


@dataclass(frozen=True)
class QuestionState:
    question: str
    attempts_used: int
    attempts_left: int
    hints_used: int
    last_answer: Any
    earned: float
    points: int
    reason: str


def _state(
    pack: Pack, events: list[dict[str, Any]], key: dict[str, Any]
) -> tuple[Grade, list[QuestionState]]:
    answers: dict[str, list[Any]] = {q.id: [] for q in pack.questions}
    hints: dict[str, int] = {q.id: 0 for q in pack.questions}
    for e in events:
        if e["question"] not in answers:
            continue
        if e["kind"] == "answer":
            answers[e["question"]].append(json.loads(e["answer"]))
        else:
            hints[e["question"]] += 1
    g = grade(pack, key, {q: {"attempts": a} for q, a in answers.items()}, hints)
    states = [
        QuestionState(
            q.id,
            len(answers[q.id]),
            max(q.attempts - len(answers[q.id]), 0),
            hints[q.id],
            answers[q.id][-1] if answers[q.id] else None,
            qg.earned,
            q.points,
            qg.reason,
        )
        for q, qg in zip(pack.questions, g.questions, strict=True)
    ]
    return g, states


def exercise_state(
    store: Store, course: str, pack: str, *, by: Principal
) -> tuple[Grade, list[QuestionState]]:
    """``by``'s score and, per question, attempts used and left, hints bought, last answer, points."""
    c, p = _enrolled(store, course, pack, by)
    return _state(p, _events(store, c.id, by.user, pack), answer_key(p, by.user))


def answer(
    store: Store, course: str, pack: str, question: str, value: Any, *, by: Principal
) -> QuestionState:
    """Record one attempt of ``by`` at ``question``; refused once the attempts are used."""
    c, p = _enrolled(store, course, pack, by)
    q = p.question(question)
    states = exercise_state(store, course, pack, by=by)[1]
    if next(s for s in states if s.question == q.id).attempts_left <= 0:
        raise CourseError(_("no attempt left for question {q}", q=q.id))
    with store.session() as s:
        s.execute(
            EVENTS.insert().values(
                course_id=c.id,
                account=by.user,
                pack=p.id,
                question=q.id,
                kind="answer",
                answer=json.dumps(value, default=str),
                at=_now(),
            )
        )
        audit(s, "alter.training_answer", {"course": course, "pack": p.id, "question": q.id}, by)
    states = exercise_state(store, course, pack, by=by)[1]
    return next(s for s in states if s.question == q.id)


def buy_hint(store: Store, course: str, pack: str, question: str, *, by: Principal) -> str:
    """Buy ``by``'s next hint of ``question`` (its cost comes off the question's points); its text."""
    c, p = _enrolled(store, course, pack, by)
    q = p.question(question)
    used = sum(
        1 for e in _events(store, c.id, by.user, pack) if e["question"] == q.id and e["kind"] == "hint"
    )
    if used >= len(q.hints):
        raise CourseError(_("question {q} has no more hints", q=q.id))
    with store.session() as s:
        s.execute(
            EVENTS.insert().values(
                course_id=c.id, account=by.user, pack=p.id, question=q.id, kind="hint", at=_now()
            )
        )
        audit(s, "alter.training_hint", {"course": course, "pack": p.id, "question": q.id}, by)
    return q.hints[used].text


def hints_bought(store: Store, course: str, pack: str, question: str, *, by: Principal) -> list[str]:
    """The texts of the hints ``by`` bought for ``question``."""
    c, p = _enrolled(store, course, pack, by)
    q = p.question(question)
    used = sum(
        1 for e in _events(store, c.id, by.user, pack) if e["question"] == q.id and e["kind"] == "hint"
    )
    return [h.text for h in q.hints[:used]]


def trainee_grade(store: Store, course: str, trainee: str, pack: str, *, by: Principal) -> Grade:
    """A trainee's grade in one pack of the course (trainers)."""
    require(by, "run_courses")
    c = get_course(store, course)
    p = load_pack(pack)
    return _state(p, _events(store, c.id, trainee, pack), answer_key(p, trainee))[0]


def trainee_key(pack: str, trainee: str, *, by: Principal) -> dict[str, Any]:
    """The answer key of ``trainee``'s variant of ``pack`` (trainers only)."""
    require(by, "run_courses")
    return answer_key(pack, trainee)


def progress(store: Store, course: str, *, by: Principal) -> pd.DataFrame:
    """One row per trainee and pack: questions answered, hints bought, points, percent, last activity."""
    require(by, "run_courses")
    c = get_course(store, course)
    rows = []
    for t in c.trainees:
        events = _events(store, c.id, t)
        for pack_id in c.packs:
            p = load_pack(pack_id)
            mine = [e for e in events if e["pack"] == pack_id]
            g = _state(p, mine, answer_key(p, t))[0]
            rows.append(
                {
                    _("trainee"): t,
                    _("pack"): pack_id,
                    _("answered"): sum(q.answered for q in g.questions),
                    _("questions"): len(p.questions),
                    _("hints"): sum(e["kind"] == "hint" for e in mine),
                    _("points"): g.earned,
                    _("possible"): g.possible,
                    _("percent"): g.percent,
                    _("last activity"): max((e["at"] for e in mine), default=None),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Debrief:
    trainee: str
    pack: Pack
    grade: Grade
    questions: pd.DataFrame  # per question: points, earned, reason, answer, key
    path: pd.DataFrame  # the trainee's steps: exercise events and their sandbox's audit log
    model_path: tuple[str, ...]
    model_answer: str


def debrief(store: Store, course: str, trainee: str, pack: str, *, by: Principal) -> Debrief:
    """A trainee's debrief: score per question (with the key beside the answer), their path (answers and
    hints, and what they did in their sandbox, from its audit log) beside the model path."""
    require(by, "run_courses")
    from workbench.training.sandbox import sandbox_path_log

    c = get_course(store, course)
    if trainee not in c.trainees:
        raise CourseError(_("{t} is not enrolled in {c}", t=trainee, c=course))
    p = load_pack(pack)
    key = answer_key(p, trainee)
    events = _events(store, c.id, trainee, pack)
    g, states = _state(p, events, key)
    questions = pd.DataFrame(
        [
            {
                _("question"): s.question,
                _("points"): s.points,
                _("earned"): s.earned,
                _("attempts"): s.attempts_used,
                _("hints"): s.hints_used,
                _("reason"): s.reason,
                _("answer"): json.dumps(s.last_answer, default=str) if s.last_answer is not None else "",
                _("key"): json.dumps(key[s.question], default=str),
            }
            for s in states
        ]
    )
    steps = [
        {
            _("at"): e["at"],
            _("step"): _("answered {q}", q=e["question"])
            if e["kind"] == "answer"
            else _("hint for {q}", q=e["question"]),
        }
        for e in events
    ]
    steps += sandbox_path_log(store, course, trainee)
    path = pd.DataFrame(steps, columns=[_("at"), _("step")])
    if len(path):
        path[_("at")] = pd.to_datetime(path[_("at")], utc=True, format="mixed")
        path = path.sort_values(_("at"), kind="stable").reset_index(drop=True)
    with store.session() as s:
        audit(s, "admin.training_debrief", {"course": course, "trainee": trainee, "pack": pack}, by)
    return Debrief(trainee, p, g, questions, path, p.expert_path, p.model_answer)


def results_workbook(store: Store, course: str, *, by: Principal) -> bytes:
    """The course's results as a formatted Excel workbook: progress per trainee and pack, and every
    trainee's score per question (exported and audited)."""
    require(by, "run_courses")
    from workbench.exchange.excel import formatted_workbook

    c = get_course(store, course)
    detail = []
    for t in c.trainees:
        for pack_id in c.packs:
            g = trainee_grade(store, course, t, pack_id, by=by)
            detail += [
                {
                    _("trainee"): t,
                    _("pack"): pack_id,
                    _("question"): q.question,
                    _("points"): q.points,
                    _("earned"): q.earned,
                    _("hint cost"): q.hint_cost,
                    _("reason"): q.reason,
                }
                for q in g.questions
            ]
    overview = progress(store, course, by=by)
    if len(overview):
        overview[_("last activity")] = overview[_("last activity")].astype(str)
    data = formatted_workbook(
        {_("Progress"): overview, _("Questions"): pd.DataFrame(detail)},
        title=_("Course {name}: results", name=course),
    )
    with store.session() as s:
        audit(s, "export.training_results", {"course": course, "trainees": len(c.trainees)}, by)
    return data
