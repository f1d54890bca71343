"""Fit the extractive answerer's abstention model on the calibration questions.

    python benchmarks/calibrate.py

Fits on tests/data/deepseek_train.jsonl plus the dev split of tests/data/deepseek_dev.jsonl; the
held-out split and the test set (tests/data/deepseek_test.jsonl) are never used for fitting.

The model is gradient-boosted trees of depth 2 over the answerer's evidence features of its best
sentence; the label is "the article answers this and the best sentence is one that does". Trees,
because the evidence combines: little coverage is damning for a question that names what it
asks for, and harmless for a "why" question. Leave-one-out on the fitting set, printed beside a
logistic regression over the same features, shows what that buys. The threshold is the one that
gets the most cross-validated decisions right. Writes assistant/answerers/calibration.json, which
the answerer reads with no machine-learning library.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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


def boosted_trees() -> GradientBoostingClassifier:
    return GradientBoostingClassifier(n_estimators=100, max_depth=2, random_state=0)


def logistic() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression())


def decisions_right(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    return float(np.mean((p >= threshold) == (y == 1)))


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    grid = np.round(np.arange(0.2, 0.81, 0.01), 2)
    scores = [decisions_right(p, y, t) for t in grid]
    # Among equally good thresholds take the middle one: the widest margin either side.
    ties = [t for t, s in zip(grid, scores) if s == max(scores)]
    return float(ties[len(ties) // 2])


def exported(model: GradientBoostingClassifier, y: np.ndarray, threshold: float) -> dict[str, Any]:
    """The fitted trees as plain data: [feature, threshold, left, right, value] per node."""
    prior = float(np.mean(y))
    trees = []
    for estimator in model.estimators_[:, 0]:
        t = estimator.tree_
        trees.append(
            [
                [
                    int(t.feature[i]),
                    round(float(t.threshold[i]), 6),
                    int(t.children_left[i]),
                    int(t.children_right[i]),
                    round(float(t.value[i][0][0]), 6),
                ]
                for i in range(t.node_count)
            ]
        )
    return {
        "model": "boosted trees",
        "base": round(float(np.log(prior / (1 - prior))), 6),
        "rate": model.learning_rate,
        "trees": trees,
        "threshold": threshold,
    }


def main() -> None:
    cases = load_cases(ROOT / "tests/data/deepseek_dev.jsonl")
    train = load_cases(ROOT / "tests/data/deepseek_train.jsonl")
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        fitting = train + [c for c in cases if c.split == "dev"]
        held = [c for c in cases if c.split != "dev"]
        x_fit, y_fit = features(assistant, fitting)
        x_held, y_held = features(assistant, held)
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    p_cv = cross_val_predict(boosted_trees(), x_fit, y_fit, cv=folds, method="predict_proba")[:, 1]
    threshold = best_threshold(p_cv, y_fit)
    model = boosted_trees().fit(x_fit, y_fit)
    data = exported(model, y_fit, threshold)
    assert np.allclose(_decision(data, x_fit), model.decision_function(x_fit), atol=1e-4)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")

    print(f"{len(fitting)} fitting questions, {len(held)} held out; threshold {threshold}")
    for name, make in [("boosted trees", boosted_trees), ("logistic regression", logistic)]:
        loo = cross_val_predict(make(), x_fit, y_fit, cv=LeaveOneOut(), method="predict_proba")
        held_p = make().fit(x_fit, y_fit).predict_proba(x_held)[:, 1]
        print(
            f"{name:<20} decisions right: "
            f"leave-one-out {decisions_right(loo[:, 1], y_fit, 0.5):.3f}, "
            f"held out {decisions_right(held_p, y_held, 0.5):.3f}"
        )


def _decision(data: dict[str, Any], x: np.ndarray) -> np.ndarray:
    from assistant.answerers.extractive import boosted_score

    return np.asarray([boosted_score(data, list(row)) for row in x])


if __name__ == "__main__":
    main()
