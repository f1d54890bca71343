"""Fit the extractive answerer's abstention model on the calibration questions.

    python benchmarks/calibrate.py

Fits on tests/data/deepseek_train.jsonl plus the dev split of tests/data/deepseek_dev.jsonl;
the held-out split of the development set is never used for fitting.

Logistic regression over the answerer's evidence features of its best sentence; the label is
"the article answers this and the best sentence is one that does". The threshold is the one that
gets the most fitting decisions right. The held-out questions' figures are printed beside the
fitting set's. Writes assistant/answerers/calibration.json.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from assistant import Assistant, Turn
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.evaluation import Case, load_cases

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assistant" / "answerers" / "calibration.json"


def features(assistant: Assistant, cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    """The best sentence's features for each case, and whether answering it would be right."""
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    rows, labels = [], []
    for case in cases:
        turns: list[Turn] = []
        for earlier in case.history:
            turns.append(Turn(earlier, assistant.ask(earlier, tuple(turns))))
        query, hits = assistant.retrieve(case.question, turns)
        best = answerer.evidence(query, hits)[0]
        rows.append(best.features())
        labels.append(not case.unanswerable and best.hit.sentence.number in case.sentences)
    return np.asarray(rows, dtype=float), np.asarray(labels, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 20000) -> np.ndarray:
    """Logistic regression by gradient descent; returns [bias, weights...]."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]]
        w -= 1.0 * grad
    return w


def decisions_right(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    return float(np.mean((p >= threshold) == (y == 1)))


def main() -> None:
    cases = load_cases(ROOT / "tests/data/deepseek_dev.jsonl")
    train = load_cases(ROOT / "tests/data/deepseek_train.jsonl")
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        dev = train + [c for c in cases if c.split == "dev"]
        held = [c for c in cases if c.split != "dev"]
        x_dev, y_dev = features(assistant, dev)
        x_held, y_held = features(assistant, held)
    w = fit(x_dev, y_dev)
    p_dev = 1 / (1 + np.exp(-(w[0] + x_dev @ w[1:])))
    p_held = 1 / (1 + np.exp(-(w[0] + x_held @ w[1:])))
    grid = np.round(np.arange(0.2, 0.81, 0.01), 2)
    scores = [decisions_right(p_dev, y_dev, t) for t in grid]
    best = max(scores)
    # Among equally good thresholds take the middle one: the widest margin either side.
    ties = [t for t, s in zip(grid, scores) if s == best]
    threshold = float(ties[len(ties) // 2])
    OUT.write_text(
        json.dumps(
            {
                "bias": round(float(w[0]), 4),
                "weights": [round(float(v), 4) for v in w[1:]],
                "threshold": threshold,
            }
        )
        + "\n"
    )
    print(f"weights {np.round(w, 3).tolist()} threshold {threshold}")
    print(
        f"decisions right: fitting set {decisions_right(p_dev, y_dev, threshold):.3f} "
        f"({len(dev)}), held out {decisions_right(p_held, y_held, threshold):.3f} ({len(held)})"
    )


if __name__ == "__main__":
    main()
