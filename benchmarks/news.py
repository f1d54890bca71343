"""Answer quality on news the assistant has never seen: 36 Lee corpus articles, split by article.

    python benchmarks/news.py [--split fit|heldout|all] [--breakdown] [--failures]
    python benchmarks/news.py --export DIR    # the articles as files, for `assistant add`

The articles (picked by benchmarks/news_articles.py with a fixed seed from Lee lines 0-209; each
with a headline its question writer added) are indexed together with the bundled one. The
questions (tests/data/news/questions.jsonl, 604 of them, written before any tuning by writers
who never saw the code) cover who / what / when / where / how many / how much / why, follow-ups,
and three kinds of unanswerable question. Fitting uses only the `fit` articles; the `heldout`
ones are only ever scored. Prints, side by side on the same index: the answerer as it stood before
the reranker (`features`), the reranker alone (`model`) and both combined (`combined`, the
default), then the per-type table of the default answerer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Answer, Assistant  # noqa: E402
from assistant.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from assistant.evaluation import Case, Report, evaluate, load_cases  # noqa: E402
from benchmarks.news_articles import lee_lines  # noqa: E402
from index.loaders import Article, article_from_text  # noqa: E402

DATA = ROOT / "tests" / "data" / "news"
FIGURES = [
    "answer accuracy",
    "citation hit",
    "citation precision",
    "correct abstention",
    "false abstention",
]


def news_articles() -> list[Article]:
    """The benchmark's articles: each headline, then the Lee corpus text, as a user would add it."""
    lines = lee_lines()
    rows = [json.loads(line) for line in (DATA / "articles.jsonl").read_text().splitlines()]
    return [
        article_from_text(f"{r['headline']}\n{lines[r['line']]}", doc_id=r["id"], source=r["id"])
        for r in rows
    ]


def news_cases(split: str = "all") -> list[Case]:
    """The benchmark's questions, of one split or all."""
    cases = load_cases(DATA / "questions.jsonl")
    return [c for c in cases if split == "all" or c.split == split]


def open_indexed(home: Path) -> Assistant:
    """An assistant whose index holds the bundled article and the benchmark's."""
    assistant = Assistant.open(home)
    assistant.add(news_articles())
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
    parser.add_argument("--split", choices=["fit", "heldout", "all"], default="all")
    parser.add_argument("--modes", default="features,model,combined")
    parser.add_argument("--breakdown", action="store_true", help="figures per type and trap")
    parser.add_argument("--failures", action="store_true", help="list the failures")
    parser.add_argument("--export", type=Path, help="write the articles as .txt files and stop")
    args = parser.parse_args()
    if args.export:
        args.export.mkdir(parents=True, exist_ok=True)
        for article in news_articles():
            (args.export / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        print(f"wrote {len(news_articles())} articles to {args.export}")
        return
    splits = ["fit", "heldout"] if args.split == "all" else [args.split]
    modes = args.modes.split(",")
    runs: dict[str, Report] = {}
    with tempfile.TemporaryDirectory() as home:
        assistant = open_indexed(Path(home))
        for mode in modes:
            ask = answering(assistant, mode)
            for split in splits:
                runs[f"{mode} {split}"] = evaluate(news_cases(split), ask)
    print(f"news benchmark: {len(news_articles())} articles + the bundled one indexed together\n")
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
