"""Retrieval on real news beyond our article: the Lee corpus shipped inside gensim's wheel.

    python benchmarks/lee.py

Each of the corpus's articles is indexed without its first sentence; that first sentence is the
query and the rest of its article the target. Each system scores sentences; an article's score
is the sum of its three best sentence scores, the same rule for all three systems. Prints R@1,
R@5 and MRR@10 for BM25 alone, dense alone and the hybrid retriever's fusion, side by side, from
one index built in one run. (The reranker is left out: it judges whether a sentence answers a
question, which is not this task.) The corpus text is read from the installed wheel, never copied
here.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from assistant import Assistant
from index.loaders import article_from_text
from index.sentences import split_sentences
from index.text import terms

CANDIDATES = 100  # sentences per ranking; enough to rank ten articles


def lee_articles() -> list[str]:
    """The corpus's articles, one per line of lee_background.cor."""
    path = resources.files("gensim").joinpath("test", "test_data", "lee_background.cor")
    return [
        line.strip() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()
    ]


def articles_ranked(scored: list[tuple[str, float]]) -> list[str]:
    """Articles in order of the sum of their three best sentence scores."""
    by_article: dict[str, list[float]] = {}
    for document, score in scored:
        by_article.setdefault(document, []).append(score)
    total = {d: sum(sorted(s, reverse=True)[:3]) for d, s in by_article.items()}
    return sorted(total, key=lambda d: -total[d])


def scores(ranked: list[list[str]], targets: list[str]) -> dict[str, float]:
    """R@1, R@5 and MRR@10 of article rankings against their targets."""
    n = len(targets)
    r1 = sum(r[:1] == [t] for r, t in zip(ranked, targets)) / n
    r5 = sum(t in r[:5] for r, t in zip(ranked, targets)) / n
    mrr = sum(1 / (r[:10].index(t) + 1) if t in r[:10] else 0 for r, t in zip(ranked, targets)) / n
    return {"R@1": r1, "R@5": r5, "MRR@10": mrr}


def main() -> None:
    texts = lee_articles()
    queries, targets = [], []
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(Path(home))
        assistant.index.store.mark_seeded()  # this index holds the Lee corpus only
        started = time.perf_counter()
        articles = []
        for i, text in enumerate(texts):
            sentences = split_sentences(text)
            if len(sentences) < 2:
                continue
            doc_id = f"lee-{i:03d}"
            queries.append(sentences[0].text)
            targets.append(doc_id)
            rest = text[sentences[1].start :]
            articles.append(article_from_text(rest, doc_id=doc_id, title=doc_id))
        assistant.add(articles)
        index = assistant.index
        index.refresh()
        print(
            f"indexed {len(articles)} articles, {index.corpus.lexical.sentence_count()} sentences "
            f"in {time.perf_counter() - started:.0f} s"
        )

        def dense(query: str) -> list[tuple[str, float]]:
            matches = index.corpus.nearest(index.embed([query])[0], CANDIDATES)
            return [(s.document, similarity) for s, similarity in matches]

        def lexical(query: str) -> list[tuple[str, float]]:
            found = index.corpus.lexical.search(terms(query), CANDIDATES)
            return [(s.document, score) for s, score in found]

        def hybrid(query: str) -> list[tuple[str, float]]:
            hits = assistant.retriever.fused(query, CANDIDATES)
            return [(h.sentence.document, h.score) for h in hits]

        systems: dict[str, Callable[[str], list[tuple[str, float]]]] = {
            "BM25 alone": lexical,
            "dense alone": dense,
            "hybrid (ours)": hybrid,
        }
        print(f"\n{'system':<16}{'R@1':>8}{'R@5':>8}{'MRR@10':>9}   ({len(queries)} queries)")
        for name, rank in systems.items():
            figures = scores([articles_ranked(rank(q)) for q in queries], targets)
            print(f"{name:<16}" + "".join(f"{v:>8.3f}" for v in figures.values()))


if __name__ == "__main__":
    main()
