"""What each source of training data adds: train the reranker on each mix, judge it on fit articles.

    python training/ablation.py [--mixes rules;qwen;annotated;rules,qwen,annotated] [--epochs 2]

Every mix is trained with the same seed and settings (training/train_reranker.py) into a scratch
directory and judged on the news benchmark's *fitting* articles only (the held-out ones are never
read here): for each question, the candidates the retriever finds (cached once) are scored by the
model alone. Prints, per mix:
- top-1: share of answerable questions whose best-scored candidate answers them;
- AUROC: how well the best score separates "answerable, and the best candidate answers" from
  "unanswerable";
- decisions: share of questions decided right (answer with the right sentence, or abstain) at the
  best single threshold; optimistic for every mix alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CACHE = Path(tempfile.gettempdir()) / "article-assistant-fit-candidates.json"


def candidates() -> list[dict[str, Any]]:
    """The fit split's questions with the retriever's top candidates, cached between runs."""
    if CACHE.exists():
        cached: list[dict[str, Any]] = json.loads(CACHE.read_text())
        return cached
    from assistant import Turn
    from benchmarks.news import news_cases, open_indexed

    found = []
    with tempfile.TemporaryDirectory() as home:
        assistant = open_indexed(Path(home))
        for case in news_cases("fit"):
            turns: list[Turn] = []
            for earlier in case.history:
                turns.append(Turn(earlier, assistant.ask(earlier, tuple(turns))))
            query, hits = assistant.retrieve(case.question, turns)
            found.append(
                {
                    "id": case.id,
                    "query": query,
                    "unanswerable": case.unanswerable,
                    "gold": [[case.document, n] for n in sorted(case.sentences)],
                    "hits": [
                        {
                            "document": h.sentence.document,
                            "number": h.sentence.number,
                            "text": h.sentence.text,
                            "title": h.title,
                            "before": h.before,
                        }
                        for h in assistant.retriever.search(query, k=10)
                    ],
                }
            )
            del hits
    CACHE.write_text(json.dumps(found))
    return found


def judge(model: Path, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Top-1, AUROC and best-threshold decisions of the model alone on cached candidates."""
    from assistant.reranker import Reranker

    reranker = Reranker(model)
    best_scores, positive = [], []
    top1 = answerable = 0
    for row in rows:
        hits = row["hits"]
        if not hits:
            best_scores.append(-99.0)
            positive.append(False)
            answerable += not row["unanswerable"]
            continue
        judged = reranker.judge(row["query"], [(h["text"], h["title"], h["before"]) for h in hits])
        best = max(range(len(hits)), key=lambda i: judged[i].relevance)
        right = [hits[best]["document"], hits[best]["number"]] in row["gold"]
        best_scores.append(judged[best].relevance)
        positive.append(right and not row["unanswerable"])
        if not row["unanswerable"]:
            answerable += 1
            top1 += right
    negatives = [s for s, p, r in zip(best_scores, positive, rows) if r["unanswerable"]]
    positives = [s for s, p in zip(best_scores, positive) if p]
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    thresholds = sorted(set(best_scores))
    decisions = max(
        sum(
            (s >= t and p) or (s < t and r["unanswerable"])
            for s, p, r in zip(best_scores, positive, rows)
        )
        for t in thresholds
    ) / len(rows)
    return {
        "top-1": top1 / max(answerable, 1),
        "AUROC": sum(pairs) / max(len(pairs), 1),
        "decisions": decisions,
    }


def main() -> None:
    from training.train_reranker import train

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mixes", default="rules;qwen;annotated;rules,qwen,annotated")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--negatives", type=int, default=6)
    parser.add_argument("--no-swaps", action="store_true")
    parser.add_argument("--model", type=Path, help="judge this model file instead of training")
    args = parser.parse_args()
    rows = candidates()
    print(f"{len(rows)} fit-split questions; candidates cached in {CACHE}", flush=True)
    if args.model:
        print(args.model, judge(args.model, rows))
        return
    results = {}
    for mix in args.mixes.split(";"):
        with tempfile.TemporaryDirectory() as scratch:
            path = train(
                mix.split(","),
                Path(scratch),
                epochs=args.epochs,
                negatives=args.negatives,
                swaps=not args.no_swaps,
                seed=13,
            )
            results[mix] = judge(path, rows)
        print(mix, results[mix], flush=True)
    print(f"\n{'training data':<28}{'top-1':>8}{'AUROC':>8}{'decisions':>11}")
    for mix, figures in results.items():
        print(f"{mix:<28}" + "".join(f"{v:>{w}.3f}" for v, w in zip(figures.values(), (8, 8, 11))))


if __name__ == "__main__":
    main()
