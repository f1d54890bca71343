"""Answer quality on news the assistant has never seen: Lee corpus articles, split by article.

    python benchmarks/news.py [--split fit|heldout|fresh|later|all] [--breakdown] [--failures]
    python benchmarks/news.py --export DIR    # the articles as files, for `assistant add`

The articles (picked by benchmarks/news_articles.py with a fixed seed from Lee lines 0-209; each
with a headline its question writer added) are indexed together with the bundled one. The
questions (tests/data/news/questions.jsonl, written before any tuning by writers who never saw the
code) cover who / what / when / where / how many / how much / why, follow-ups, and three kinds of
unanswerable question. Four splits, by article:
- `fit` (24 articles, 411 questions): the only ones fitted on;
- `heldout` (12 articles, 193 questions): only ever scored;
- `fresh` (8 more articles from the same seeded sample, 152 questions): a second held-out set,
  written later by another writer, scored first after the changes it judged were made. Its
  articles are indexed beside the other 36 for this split only, so that the first two splits'
  figures stay comparable with earlier runs;
- `later` (8 more from the same sample, with questions by a third writer): fitting data, read
  while developing, so that rules are not shaped by one writer's phrasing. Indexed beside all
  the others (52 articles) for this split only.
Prints, side by side on the same index: the answerer as it stood before the reranker
(`features`), the reranker alone (`model`) and both combined (`combined`, the default), then the
per-type table of the default answerer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Answer, Assistant  # noqa: E402
from assistant.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from assistant.evaluation import Case, Report, evaluate, load_cases  # noqa: E402
from benchmarks.news_articles import lee_lines  # noqa: E402
from index.loaders import Article, article_from_text  # noqa: E402

DATA = ROOT / "tests" / "data" / "news"
SPLITS = ("fit", "heldout", "fresh", "later")
FIGURES = [
    "answer accuracy",
    "citation hit",
    "citation precision",
    "correct abstention",
    "false abstention",
]


# The articles indexed when a split is scored.
INDEXED = {
    "fit": ("fit", "heldout"),
    "heldout": ("fit", "heldout"),
    "fresh": ("fit", "heldout", "fresh"),
    "later": SPLITS,
}


def news_articles(splits: Collection[str] = INDEXED["fit"]) -> list[Article]:
    """The benchmark's articles of these splits: each headline, then the Lee corpus text, as a
    user would add it."""
    lines = lee_lines()
    rows = [json.loads(line) for line in (DATA / "articles.jsonl").read_text().splitlines()]
    return [
        article_from_text(f"{r['headline']}\n{lines[r['line']]}", doc_id=r["id"], source=r["id"])
        for r in rows
        if r["split"] in splits
    ]


def news_cases(split: str = "all") -> list[Case]:
    """The benchmark's questions, of one split or all."""
    cases = load_cases(DATA / "questions.jsonl")
    return [c for c in cases if split == "all" or c.split == split]


def open_indexed(home: Path, splits: Collection[str] = INDEXED["fit"]) -> Assistant:
    """An assistant whose index holds the bundled article and the benchmark's (of `splits`)."""
    assistant = Assistant.open(home)
    assistant.add(news_articles(splits))
    return assistant


def table(rows: dict[str, Report]) -> str:
    """Figures side by side, one column per run."""
    width = max(len(name) for name in rows) + 2
    lines = [" " * 22 + "".join(f"{name:>{width}}" for name in rows)]
    lines.append(
        f"{'questions':<22}" + "".join(f"{len(r.outcomes):>{width}}" for r in rows.values())
    )
    for figure in FIGURES:
        lines.append(
            f"{figure:<22}" + "".join(f"{r.figures[figure]:>{width}.3f}" for r in rows.values())
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--modes", default="features,model,combined")
    parser.add_argument("--breakdown", action="store_true", help="figures per type and trap")
    parser.add_argument("--failures", action="store_true", help="list the failures")
    parser.add_argument(
        "--export", type=Path, help="write the articles the --split indexes as .txt files, and stop"
    )
    args = parser.parse_args()
    if args.export:
        args.export.mkdir(parents=True, exist_ok=True)
        # The articles indexed to score --split (all of them for "all").
        articles = news_articles(SPLITS if args.split == "all" else INDEXED[args.split])
        for article in articles:
            (args.export / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        print(f"wrote {len(articles)} articles to {args.export}")
        return
    splits = list(SPLITS) if args.split == "all" else [args.split]
    modes = args.modes.split(",")
    runs: dict[str, Report] = {}
    for indexed in dict.fromkeys(INDEXED[split] for split in splits):
        with tempfile.TemporaryDirectory() as home:
            assistant = open_indexed(Path(home), indexed)
            for mode in modes:
                ask = answering(assistant, mode)
                for split in splits:
                    if INDEXED[split] == indexed:
                        runs[f"{mode} {split}"] = evaluate(news_cases(split), ask)
    runs = {f"{mode} {split}": runs[f"{mode} {split}"] for mode in modes for split in splits}
    print(
        f"news benchmark: {len(news_articles())} articles + the bundled one indexed together"
        f" ({len(news_articles(INDEXED['fresh']))} for the fresh split,"
        f" {len(news_articles(INDEXED['later']))} for the later one)\n"
    )
    print(table(runs))
    if args.breakdown or args.failures:
        for name, report in runs.items():
            if name.startswith(modes[-1]):
                print("\n" + report.render(name, failures=args.failures))


def answering(assistant: Assistant, mode: str) -> Callable[..., Answer]:
    """`assistant.ask` with the answerer deciding as the ablation's `mode` says."""
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    reranker = getattr(assistant, "_reranker", None) or assistant.retriever.reranker
    assistant._reranker = reranker  # type: ignore[attr-defined]
    answerer.mode = mode  # type: ignore[assignment]
    assistant.retriever.reranker = None if mode == "features" else reranker
    return assistant.ask


if __name__ == "__main__":
    main()
