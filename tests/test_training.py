"""Training: packs and their checks, per-trainee keys, grading rules, courses, sandboxes, permissions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.identity import PermissionDenied, Principal
from workbench.training.grading import grade, grade_answer, grade_product
from workbench.training.packs import PackError, list_packs, load_pack, load_pack_file
from workbench.training.variants import answer_key

TRAINER = Principal("tom.trainer", "CEN-SEC", frozenset({"trainer"}))
ANA = Principal("ana", "FR-DGDDI", frozenset({"analyst"}))
BRUNO = Principal("bruno", "FR-DGDDI", frozenset({"viewer"}))


def _wrong(kind: str, key: Any) -> Any:
    """An answer that earns nothing for a question of ``kind`` with ``key``."""
    if kind == "numeric":
        return float(key) * 10 + 1000
    if kind in ("set", "ranked", "one_of"):
        return ["nothing-of-the-kind"]
    if kind == "date_range":
        return ["1900-01-01", "1900-01-02"]
    if kind == "product":
        return "no marking, nothing cited"
    return "nothing-of-the-kind"


def _right(kind: str, key: Any) -> Any:
    """The answer a trainee who found the key gives (a product: an alert that meets the rubric)."""
    if kind == "product":
        return (
            f"Marking: RESTRICTED\nKey judgement: {key['judgement']} is almost certainly the answer\n"
            "- [B2] case of the variant"
        )
    if kind == "one_of":
        return key[0]
    return key


def test_five_packs_of_eight_to_twelve_typed_questions() -> None:
    packs = list_packs()
    assert len(packs) == 5
    for p in packs:
        assert 8 <= len(p.questions) <= 12
        assert p.persona and p.situation and p.tasking and p.model_answer and p.expert_path
    kinds = {q.kind for p in packs for q in p.questions}
    assert kinds == {"exact", "one_of", "numeric", "set", "ranked", "date_range", "product"}
    assert any(q.hints for p in packs for q in p.questions)


@pytest.mark.parametrize("pack_id", [p.id for p in list_packs()])
def test_own_key_scores_full_marks_three_wrong_score_what_the_rubric_says(pack_id: str) -> None:
    pack = load_pack(pack_id)
    key = answer_key(pack, "ana")
    answers = {q.id: _right(q.kind, key[q.id]) for q in pack.questions}
    assert grade(pack, key, answers).percent == 100.0
    wrong = pack.questions[:3]
    for q in wrong:
        answers[q.id] = _wrong(q.kind, key[q.id])
    g = grade(pack, key, answers)
    assert g.earned == pack.total_points - sum(q.points for q in wrong)
    assert [q.earned for q in g.questions[:3]] == [0, 0, 0]


@pytest.mark.parametrize("pack_id", [p.id for p in list_packs()])
def test_two_trainees_variants_differ_in_their_answers(pack_id: str) -> None:
    ana, bruno = answer_key(pack_id, "ana"), answer_key(pack_id, "bruno")
    assert ana != bruno
    assert answer_key(pack_id, "ana") == ana  # one trainee: always the same variant


@pytest.mark.parametrize(
    ("kind", "key", "given", "opts", "fraction"),
    [
        ("exact", "NG", " ng ", {}, 1.0),
        ("exact", 12, "12.0", {}, 1.0),
        ("exact", "NG", "GH", {}, 0.0),
        ("one_of", ["express_courier", "postal"], "Postal", {}, 1.0),
        ("one_of", ["express_courier", "postal"], "road", {}, 0.0),
        ("numeric", 100, 105, {"tolerance": 0.05}, 1.0),
        ("numeric", 100, 109, {"tolerance": 0.05}, 0.5),
        ("numeric", 100, 111, {"tolerance": 0.05}, 0.0),
        ("numeric", 100, "many", {"tolerance": 0.05}, 0.0),
        ("set", ["A", "B"], ["A", "B"], {}, 1.0),
        ("set", ["A", "B", "C"], "a, b", {}, round(2 / 3, 4)),
        ("set", ["A", "B"], ["A", "C"], {}, round(1 / 3, 4)),
        ("ranked", ["X", "Y", "Z"], ["X", "Y", "Z"], {"k": 3}, 1.0),
        ("ranked", ["X", "Y", "Z"], ["X", "Z", "Y"], {"k": 3}, round(2 / 3, 4)),
        ("ranked", ["X", "Y", "Z"], ["Q"], {"k": 3}, 0.0),
        ("date_range", ["2024-01-10", "2024-03-01"], ["2024-01-05", "2024-03-03"], {"tolerance": 7}, 1.0),
        ("date_range", ["2024-01-01", "2024-01-10"], ["2024-01-06", "2024-01-15"], {"tolerance": 0}, 0.3333),
        ("date_range", ["2024-01-01", "2024-01-10"], "soon", {"tolerance": 0}, 0.0),
        ("exact", "NG", "", {}, 0.0),
    ],
)
def test_each_kind_of_answer_earns_its_rule(
    kind: str, key: Any, given: Any, opts: dict[str, Any], fraction: float
) -> None:
    g = grade_answer(kind, key, given, **opts)
    assert g.fraction == pytest.approx(fraction, abs=1e-4)
    assert g.reason


def test_partial_credit_says_why() -> None:
    assert grade_answer("set", ["A", "B", "C"], ["A", "D"]).reason == "1 of 3 right; 2 missing; 1 wrong"


def test_hints_cost_points_and_attempts_past_the_limit_do_not_count() -> None:
    from workbench.training.grading import grade_question

    pack = load_pack("cocaine-west-africa")
    q = pack.question("q1")  # 10 points, one hint of 2, 3 attempts
    assert grade_question(q, "NG", ["NG"], hints_used=1).earned == 8
    assert grade_question(q, "NG", ["GH", "SN", "TG", "NG"]).earned == 0  # the 4th is past the limit
    assert grade_question(q, "NG", ["GH", "NG"]).earned == 10  # the best attempt counts


def test_alert_rubric_a_quarter_per_criterion() -> None:
    good = {
        "marking": "RESTRICTED",
        "key_judgement": "Nigeria (NG) is highly likely the main transit hub",
        "citations": [{"item": "case NG/1", "grading": "B2"}, {"item": "case GH/3", "grading": "C3"}],
        "text": "",
    }
    assert grade_product(good, {"judgement": "NG"}).fraction == 1.0
    ungraded = {**good, "citations": [{"item": "case NG/1", "grading": ""}]}
    assert grade_product(ungraded, {"judgement": "NG"}).fraction == 0.75
    flat = {**good, "key_judgement": "NG is the main transit hub", "marking": ""}
    g = grade_product(flat, {"judgement": "NG"})
    assert g.fraction == 0.5 and "no handling marking" in g.reason and "no estimative language" in g.reason
    assert grade_product(good, {"judgement": "GH"}).fraction == 0.75
    md = "Marking: OFFICIAL\nKey judgement: GH will probably stay the hub\n- [A1] case GH/2"
    assert grade_product(md, {"judgement": "GH"}).fraction == 1.0


@pytest.mark.parametrize(
    "alert",
    [
        "**Mention :** RESTRICTED\nAppréciation clé : le GH restera probablement la plaque tournante\n- [A1] affaire GH/2",
        "Marcado: TLP:AMBER\nJuicio clave: es muy probable que GH siga siendo el centro\n- [B2] caso GH/2",
        "Маркировка: RESTRICTED\nКлючевой вывод: GH, весьма вероятно, останется узлом\n- [C3] дело GH/2",
        "العلامة: RESTRICTED\nالتقدير الرئيسي: من المرجح أن يبقى GH المركز\n- [A2] قضية GH/2",
    ],
)
def test_alert_rubric_reads_the_keys_and_estimative_words_of_every_language(alert: str) -> None:
    g = grade_product(alert, {"judgement": "GH"})  # written in the trainee's language, graded in English
    assert g.fraction == 1.0, g.reason
    assert grade_product(alert, {"judgement": "NG"}).fraction == 0.75  # the key judgement names GH


def _pack_file(tmp_path: Path, **changes: Any) -> Path:
    data = yaml.safe_load(load_pack("courier-network").path.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        target = data
        parts = dotted.split(".")
        for p in parts[:-1]:
            target = target[int(p)] if p.isdigit() else target[p]
        target[parts[-1]] = value
    folder = tmp_path / "courier-network"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder / "pack.yaml"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"questions.2.kind": "fuzzy"}, r"questions\[2\]\.kind: 'fuzzy' is not one of exact"),
        ({"questions.0.fact": "oracle"}, r"questions\[0\]\.fact: 'oracle' is not one of"),
        ({"questions.1.points": 0}, r"questions\[1\]\.points: a whole number of at least 1"),
        ({"brief.persona": ""}, r"brief\.persona: a text is required"),
        ({"questions.0.hints": [{"text": "x", "cost": 99}]}, r"questions\[0\]\.hints: the hints cost more"),
        ({"questions.1.id": "q1"}, r"questions\[1\]\.id: 'q1' is used twice"),
        (
            {"questions.0.args": {"where": {"transport_mode": ["camel"]}}},
            r"args\.where\.transport_mode: 'camel'",
        ),
        ({"questions": []}, r"questions: a list of at least 8 entries"),
    ],
)
def test_a_bad_pack_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    path = _pack_file(tmp_path, **changes)
    with pytest.raises(PackError, match=message) as e:
        load_pack_file(path)
    assert str(path) in str(e.value)


def test_an_unknown_pack_lists_the_packs() -> None:
    with pytest.raises(PackError, match="no scenario pack 'nope'; the packs: cocaine-west-africa"):
        load_pack("nope")


# ------------------------------------------------------------------------------ courses and sandboxes
@pytest.fixture
def course(tmp_path: Path):  # type: ignore[no-untyped-def]
    from workbench.store import open_store
    from workbench.training import courses

    store = open_store(f"sqlite:///{tmp_path / 'main.db'}")
    courses.create_course(store, "Lagos 2026", ["courier-network"], by=TRAINER)
    courses.enrol(store, "Lagos 2026", ["ana", "bruno"], by=TRAINER)
    return store


def test_a_trainee_answers_buys_a_hint_and_runs_out_of_attempts(course) -> None:  # type: ignore[no-untyped-def]
    from workbench.training import courses

    with pytest.raises(PermissionDenied, match="not enrolled in the released course"):
        courses.answer(course, "Lagos 2026", "courier-network", "q1", "x", by=ANA)
    courses.release(course, "Lagos 2026", by=TRAINER)
    key = answer_key("courier-network", "ana")
    hint = courses.buy_hint(course, "Lagos 2026", "courier-network", "q1", by=ANA)
    assert "phone" in hint
    for _ in range(2):
        state = courses.answer(course, "Lagos 2026", "courier-network", "q1", "+00 wrong", by=ANA)
    state = courses.answer(course, "Lagos 2026", "courier-network", "q1", key["q1"], by=ANA)
    assert (state.attempts_left, state.earned, state.points) == (0, 7, 10)  # 10 less the 3-point hint
    with pytest.raises(courses.CourseError, match="no attempt left"):
        courses.answer(course, "Lagos 2026", "courier-network", "q1", key["q1"], by=ANA)
    prog = courses.progress(course, "Lagos 2026", by=TRAINER).set_index("trainee")
    assert (
        prog.loc["ana", "points"] == 7
        and prog.loc["ana", "hints"] == 1
        and prog.loc["bruno", "answered"] == 0
    )
    d = courses.debrief(course, "Lagos 2026", "ana", "courier-network", by=TRAINER)
    assert d.questions.iloc[0]["earned"] == 7 and d.questions.iloc[0]["key"].strip('"') == key["q1"]
    assert list(d.path["step"]) == ["hint for q1", "answered q1", "answered q1", "answered q1"]
    assert d.model_path == load_pack("courier-network").expert_path
    book = courses.results_workbook(course, "Lagos 2026", by=TRAINER)
    assert book[:2] == b"PK"


def test_only_trainers_run_courses_and_read_keys(course) -> None:  # type: ignore[no-untyped-def]
    from workbench.training import courses

    with pytest.raises(PermissionDenied):
        courses.create_course(course, "Mine", ["courier-network"], by=ANA)
    with pytest.raises(PermissionDenied):
        courses.trainee_key("courier-network", "ana", by=ANA)
    with pytest.raises(PermissionDenied):
        courses.debrief(course, "Lagos 2026", "ana", "courier-network", by=BRUNO)
    assert courses.trainee_key("courier-network", "ana", by=TRAINER) == answer_key("courier-network", "ana")


def test_a_trainees_import_never_touches_another_sandbox_or_the_main_store(course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate
    from workbench.store import open_store
    from workbench.training import courses, sandbox

    courses.release(course, "Lagos 2026", by=TRAINER)
    data = tmp_path / "data"
    url_a = sandbox.open_sandbox(course, "Lagos 2026", "courier-network", "ana", by=ANA, data_dir=data)
    url_b = sandbox.open_sandbox(course, "Lagos 2026", "courier-network", "bruno", by=BRUNO, data_dir=data)
    assert url_a != url_b and "training/Lagos_2026/courier-network/ana.db" in url_a
    with pytest.raises(PermissionDenied):
        sandbox.open_sandbox(course, "Lagos 2026", "courier-network", "ana", by=BRUNO, data_dir=data)
    a, b = open_store(url_a), open_store(url_b)
    before_b, before_main = b.counts(), course.counts()
    assert a.counts()["cases"] == len(sandbox.variant("courier-network", "ana").tables["cases"])
    extra = tmp_path / "extra"
    write_dataset(generate(120, seed=99, prefix="TRY").tables, extra)
    import_path(extra, a, actor=ANA)
    assert a.counts()["cases"] > before_b["cases"] or a.counts() != before_b
    assert b.counts() == before_b and course.counts() == before_main == {
        "cases": 0,
        "items": 0,
        "persons": 0,
        "companies": 0,
    }
    # the trainer resets the sandbox: the trainee's import is gone, their variant is back
    n = len(sandbox.variant("courier-network", "ana").tables["cases"])
    a.engine.dispose()
    sandbox.reset_sandbox(course, "Lagos 2026", "courier-network", "ana", by=TRAINER, data_dir=data)
    assert open_store(url_a).counts()["cases"] == n


def test_the_migration_builds_the_training_tables(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import workbench.training.courses  # noqa: F401
    from workbench.store import Base, open_store

    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if "training_" in repr(d)]
    assert not mine, mine
