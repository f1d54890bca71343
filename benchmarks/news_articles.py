"""Pick the news benchmark's articles from the Lee corpus: seeded, never by hand.

    python benchmarks/news_articles.py

Lines 0-209 of gensim's `lee_background.cor` are for evaluation only; lines 210-299 are the only
text that training data may come from (scripts/train_reranker.py). This script samples
`ARTICLES` lines from 0-209 with a fixed seed; the first two thirds of the sample are the fitting
articles, the rest are held out. The same seeded sample goes on for `FRESH` more articles: a
second held-out set, with questions written later by other writers, for when the first one has
been scored too often to trust; then for `LATER` more, whose questions, by yet another writer, are
read while developing: fitting data. It writes tests/data/news/articles.jsonl (id, line, split),
keeping any headline already recorded there. The corpus text itself is read from the installed
wheel, never copied into the repository.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "news" / "articles.jsonl"
SEED = 2026
ARTICLES = 36
FITTING = 24
FRESH = 8
LATER = 8
EVALUATION_LINES = range(210)  # training text comes from lines 210-299 only


def lee_lines() -> list[str]:
    """The Lee corpus: 300 ABC news articles, one a line."""
    path = resources.files("gensim").joinpath("test", "test_data", "lee_background.cor")
    return path.read_text(encoding="latin-1").strip("\n").split("\n")


def picked() -> list[dict[str, object]]:
    """The sampled articles, in sample order, with their split."""
    # A longer sample from the same seed starts with the shorter one: earlier picks stay put.
    lines = random.Random(SEED).sample(list(EVALUATION_LINES), ARTICLES + FRESH + LATER)
    return [
        {"id": f"lee-{line:03d}", "line": line, "split": _split(i)} for i, line in enumerate(lines)
    ]


def _split(i: int) -> str:
    if i < FITTING:
        return "fit"
    if i < ARTICLES:
        return "heldout"
    return "fresh" if i < ARTICLES + FRESH else "later"


def main() -> None:
    known = {}
    if OUT.exists():
        known = {r["id"]: r for r in map(json.loads, OUT.read_text().splitlines()) if r}
    rows = [{**known.get(str(r["id"]), {}), **r} for r in picked()]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(
        f"{len(rows)} articles ({FITTING} fitting, {ARTICLES - FITTING} held out, {FRESH} fresh, "
        f"{LATER} later)"
        f" → {OUT}"
    )


if __name__ == "__main__":
    main()
