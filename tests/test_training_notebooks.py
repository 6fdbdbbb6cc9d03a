"""Every pack's course notebook solves it through the library; its answers are graded against the key."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from workbench.training.grading import grade
from workbench.training.packs import list_packs
from workbench.training.variants import answer_key

#: The score each notebook reaches on trainee "ana"'s variant (percent; the steward drill's duplicate and
#: remark heuristics are what a steward does by hand, not the planted truth, so they earn partial credit).
FLOOR = {
    "cocaine-west-africa": 100.0,
    "counterfeit-gulf-hub": 100.0,
    "courier-network": 100.0,
    "risk-indicator-drill": 100.0,
    "steward-defects-drill": 45.0,
}


@pytest.mark.parametrize("pack", list_packs(), ids=lambda p: p.id)
def test_the_course_notebook_solves_its_pack(pack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nb = nbformat.read(pack.notebook, as_version=4)
    out = tmp_path / "answers.yaml"
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env={**os.environ, "WORKBENCH_TRAINEE": "ana", "TRAINING_ANSWERS": str(out)})
    answers = yaml.safe_load(out.read_text(encoding="utf-8"))
    result = grade(pack, answer_key(pack, "ana"), answers)
    assert result.percent >= FLOOR[pack.id], [q for q in result.questions if q.fraction < 1]
