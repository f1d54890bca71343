"""Fit the extractive answerer's abstention models on the calibration questions.

    python scripts/calibrate.py [reranked|features]

`reranked` (the default) fits the decision of the reranked answerer, `calibration_reranked.json`:
boosted trees (depth 3) over each reranked candidate's two readings, the reranker's verdict
(assistant/answerers/verdict.py) and the evidence features, labelled "this candidate answers the
question". The answerer cites the most probable candidate when it clears the threshold; the
threshold gets the most cross-validated decisions right, with folds split by question. It fits on
the news benchmark's *fitting* articles (tests/data/news/questions.jsonl, split "fit"),
tests/data/deepseek_train.jsonl and the dev split of tests/data/deepseek_dev.jsonl, the bundled
article's questions weighted to count as much as the news ones together; never on the news
benchmark's held-out articles, the DeepSeek test sets or the dev set's held-out split. It also
prints the threshold the reranker alone would use ("model" mode).

A refit does not reproduce the shipped file exactly, nor does it settle when repeated: a
follow-up is read with the answers before it, and those come from the decision in place, so each
run starts from the last one's answers (the threshold moves by a few hundredths and the fitting
split's figures by a point or two). Judge a change against that spread, not against one run.

`features` refits the answerer as it stood before the reranker (`calibration.json`), as follows.

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
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneOut, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from assistant import Assistant, Turn
from assistant.answerers.extractive import (
    EVIDENCE_FEATURES,
    STACKED_FEATURES,
    ExtractiveAnswerer,
)
from assistant.evaluation import Case, load_cases

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assistant" / "answerers" / "calibration.json"
OUT_RERANKED = ROOT / "assistant" / "answerers" / "calibration_reranked.json"


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


def boosted_trees(depth: int = 2, trees: int = 100) -> GradientBoostingClassifier:
    return GradientBoostingClassifier(n_estimators=trees, max_depth=depth, random_state=0)


def stacked_trees() -> GradientBoostingClassifier:
    """The reranked decision's trees: deeper, as they read two sets of features together."""
    return boosted_trees(depth=3, trees=150)


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


def exported(
    model: GradientBoostingClassifier,
    y: np.ndarray,
    threshold: float,
    weight: np.ndarray | None = None,
) -> dict[str, Any]:
    """The fitted trees as plain data: [feature, threshold, left, right, value] per node."""
    prior = float(np.average(y, weights=weight))
    trees = []
    for estimator in model.estimators_[:, 0]:
        t = estimator.tree_
        trees.append(
            [
                [
                    int(t.feature[i]),
                    float(t.threshold[i]),  # exact: a value may lie a hair from it
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


def candidate_features(
    assistant: Assistant, cases: list[Case]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each reranked candidate's stacked features and whether it answers, with its question's
    number, and the reranker's log-odds for the model-alone threshold."""
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    rows, labels, groups, relevance = [], [], [], []
    for number, case in enumerate(cases):
        turns: list[Turn] = []
        for earlier in case.history:
            turns.append(Turn(earlier, assistant.ask(earlier, tuple(turns))))
        query, hits = assistant.retrieve(case.question, turns)
        for verdict, evidence in answerer.readings(query, hits):
            key = (verdict.hit.sentence.document, verdict.hit.sentence.number)
            gold = {(case.document or key[0], n) for n in case.sentences}
            rows.append(answerer.stacked(verdict, evidence))
            labels.append(not case.unanswerable and not verdict.figure_missing and key in gold)
            groups.append(number)
            relevance.append(verdict.relevance)
    return (
        np.asarray(rows, dtype=float),
        np.asarray(labels, dtype=float),
        np.asarray(groups),
        np.asarray(relevance),
    )


def reranked() -> None:
    """Fit the reranked answerer's decision: trees over each candidate's stacked features, and
    the threshold the reranker alone would use."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.news import news_cases, open_indexed

    news = news_cases("fit")
    bundled = load_cases(ROOT / "tests/data/deepseek_train.jsonl") + [
        c for c in load_cases(ROOT / "tests/data/deepseek_dev.jsonl") if c.split == "dev"
    ]
    fitting = news + bundled
    with tempfile.TemporaryDirectory() as home:
        assistant = open_indexed(Path(home))
        x, y, groups, relevance = candidate_features(assistant, fitting)
    # The bundled article's questions weigh as much, together, as the news articles': it is the
    # article every user starts with, and its long sentences read unlike the news wire's.
    weight = np.where(groups < len(news), 1.0, len(news) / len(bundled))
    folds = GroupKFold(n_splits=10)
    p_cv = cross_val_predict(
        stacked_trees(),
        x,
        y,
        cv=folds,
        groups=groups,
        method="predict_proba",
        params={"sample_weight": weight},
    )[:, 1]
    # A question is decided by its most probable candidate: answer with it, or abstain.
    top_p, top_y = _per_question(p_cv, y, groups)
    threshold = best_threshold(top_p, top_y)
    alone_p, alone_y = _per_question(1 / (1 + np.exp(-relevance)), y, groups)
    model_threshold = best_threshold(alone_p, alone_y)
    model = stacked_trees().fit(x, y, sample_weight=weight)
    data = {
        **exported(model, y, threshold, weight),
        "model_threshold": model_threshold,
        "features": list(STACKED_FEATURES),
    }
    assert np.allclose(_decision(data, x), model.decision_function(x), atol=1e-4)
    OUT_RERANKED.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(
        f"{len(fitting)} fitting questions, {len(y)} candidates "
        f"({int(top_y.sum())} questions whose best candidate answers)"
    )
    print(
        f"trees: threshold {threshold}, cross-validated decisions right "
        f"{decisions_right(top_p, top_y, threshold):.3f}"
    )
    print(
        f"reranker alone: threshold {model_threshold}, decisions right "
        f"{decisions_right(alone_p, alone_y, model_threshold):.3f}"
    )


def _per_question(
    p: np.ndarray, y: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each question's highest probability, and whether that candidate answers."""
    best: dict[int, int] = {}
    for i, g in enumerate(groups):
        if g not in best or p[i] > p[best[g]]:
            best[g] = i
    chosen = list(best.values())
    return p[chosen], y[chosen]


def main() -> None:
    if (sys.argv[1] if len(sys.argv) > 1 else "reranked") == "reranked":
        reranked()
    else:
        features_only()


def features_only() -> None:
    cases = load_cases(ROOT / "tests/data/deepseek_dev.jsonl")
    train = load_cases(ROOT / "tests/data/deepseek_train.jsonl")
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.retriever.reranker = None  # the answerer as it stood before the reranker
        assert isinstance(assistant.answerer, ExtractiveAnswerer)
        assistant.answerer.mode = "features"
        fitting = train + [c for c in cases if c.split == "dev"]
        held = [c for c in cases if c.split != "dev"]
        x_fit, y_fit = features(assistant, fitting)
        x_held, y_held = features(assistant, held)
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    p_cv = cross_val_predict(boosted_trees(), x_fit, y_fit, cv=folds, method="predict_proba")[:, 1]
    threshold = best_threshold(p_cv, y_fit)
    model = boosted_trees().fit(x_fit, y_fit)
    data = {**exported(model, y_fit, threshold), "features": list(EVIDENCE_FEATURES)}
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
