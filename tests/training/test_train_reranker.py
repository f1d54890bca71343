"""The reranker's training script: it runs from the command line, and what it exports serves."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.reranker import Reranker

pytestmark = pytest.mark.integration  # the real model or a real server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "training" / "train_reranker.py"


def test_the_script_runs_from_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    assert "--layers" in done.stdout and "--sources" in done.stdout


def test_a_short_run_exports_a_model_the_reranker_serves_and_teaches(tmp_path: Path) -> None:
    from training import train_reranker
    from training.data import Pair

    question, title = "Who will coach Lleyton Hewitt?", "Hewitt's new coach"
    sentence = "Jason Stoltenberg will coach Lleyton Hewitt next season."
    pairs = [
        Pair(question, sentence, title, "", 1, (0, 17), "rules"),
        Pair(question, "Rain stopped play on Monday.", title, "", 0, None, "rules-negative"),
    ] * 4
    model = train_reranker._fit(pairs, epochs=1, seed=1, layers=1, batch_size=4)
    assert len(model.bert.encoder.layer) == 1  # type: ignore[attr-defined]
    path = tmp_path / "reranker.onnx"
    agreement = train_reranker._export(model, path)
    # One layer of six: the file is the int8 embeddings and little more.
    assert path.stat().st_size < 16_000_000
    assert agreement["max_relevance_difference"] < 1.0
    [judgement] = Reranker(path).judge(question, [(sentence, title, "")])
    assert math.isfinite(judgement.relevance)
    assert [a for a, _, _ in judgement.starts][:2] == [0, 6]  # the sentence's own tokens

    # The exported model as a teacher: its reading of every pair, token by token.
    readings = train_reranker._teacher_readings(pairs, path)
    assert readings.keys() == set(pairs)
    relevance, starts, ends = readings[pairs[0]]
    assert math.isfinite(relevance) and len(starts) == len(ends) > len(sentence.split())
    student = train_reranker._fit(pairs, epochs=1, seed=1, layers=1, teacher=readings, batch_size=4)
    assert len(student.bert.encoder.layer) == 1  # type: ignore[attr-defined]
