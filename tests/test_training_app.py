"""The Courses and Exercise pages in AppTest: a trainer creates, enrols and releases; a trainee answers
with a hint and works in their sandbox; the trainer reads the debrief. Also the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.training.variants import answer_key

PACK = "courier-network"


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    return f"sqlite:///{tmp_path / 'main.db'}"


def test_trainer_and_trainee_pages(open_app, store_env: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    at = open_app(store_env, "pages/course.py", role="trainer", user="tom", purpose=False)
    at.text_input(key="training_new_name").input("Lagos 2026")
    at.multiselect(key="training_new_packs").set_value([PACK])
    at.button[0].click().run()  # the form's submit
    assert not at.exception, at.exception
    at.text_input(key="training_enrol_names").input("ana, ben").run()
    at.button(key="training_enrol").click().run()
    at.button(key="training_release").click().run()
    assert not at.exception, at.exception
    assert "ana, ben" in at.caption[0].value and "released" in at.caption[0].value

    trainee = open_app(store_env, "pages/exercise.py", role="analyst", user="ana", purpose=False)
    trainee.button(key=f"training_hint_{PACK}_q1").click().run()
    assert any("phone" in i.value for i in trainee.info)
    trainee.text_input(key=f"training_answer_{PACK}_q1").input(answer_key(PACK, "ana")["q1"])
    trainee.button(key=f"training_submit_{PACK}_q1").click().run()
    assert not trainee.exception, trainee.exception
    assert trainee.metric[0].value == "7 / 90"
    trainee.button(key="training_open_sandbox").click().run(timeout=120)
    assert not trainee.exception, trainee.exception
    assert any("sandbox" in i.value for i in trainee.info)
    # the analysis pages now read the trainee's variant, not the (empty) main store
    trainee.switch_page("pages/overview.py").run()
    assert not trainee.exception, trainee.exception
    assert (Path(store_env.removeprefix("sqlite:///")).parent / "data" / "training" / "Lagos_2026").is_dir()

    monkeypatch.setenv("WORKBENCH_USER", "tom")  # the trainer's session again (a store without accounts)
    monkeypatch.setenv("WORKBENCH_ROLE", "trainer")
    at.run()
    at.selectbox(key="training_debrief_trainee").set_value("ana").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "7 / 90"
    steps = at.dataframe[2].value
    assert "hint for q1" in list(steps["step"]) and "answered q1" in list(steps["step"])


def test_cli_key_and_grade(tmp_path: Path, store_env: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_DB_URL", store_env)
    monkeypatch.setenv("WORKBENCH_USER", "tom")
    monkeypatch.setenv("WORKBENCH_ROLE", "trainer")
    assert main(["training", "packs"]) == 0
    assert "courier-network" in capsys.readouterr().out
    key = tmp_path / "key.yaml"
    assert main(["training", "key", "--pack", PACK, "--trainee", "ana", "--out", str(key)]) == 0
    answers = yaml.safe_load(key.read_text())
    answers["q4"] = 999
    answers["hints"] = {"q1": 1}
    sheet = tmp_path / "answers.yaml"
    sheet.write_text(yaml.safe_dump(answers))
    out = tmp_path / "grade.json"
    assert (
        main(
            [
                "training",
                "grade",
                "--pack",
                PACK,
                "--trainee",
                "ana",
                "--answers",
                str(sheet),
                "--json",
                str(out),
            ]
        )
        == 0
    )
    import json

    g = json.loads(out.read_text())
    assert (g["earned"], g["possible"]) == (90 - 5 - 3, 90)  # q4 wrong (5 points), a 3-point hint on q1
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    assert main(["training", "key", "--pack", PACK, "--trainee", "ana", "--out", str(key)]) != 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("q99: 1\n")
    assert main(["training", "grade", "--pack", PACK, "--trainee", "ana", "--answers", str(bad)]) == 2
    assert "no question q99" in capsys.readouterr().err
