"""The news benchmark's question set holds together: every answer it expects is in the article."""

import json
from collections import Counter
from importlib import resources
from pathlib import Path

from index.sentences import split_sentences

NEWS = Path(__file__).parents[1] / "data" / "news"
TYPES = {"who", "what", "when", "where", "which", "how many", "how much", "why", "how", "yes/no"}
TRAPS = {"missing", "other_entity", "wrong_type"}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (NEWS / name).read_text().splitlines() if line.strip()]


def test_every_expected_answer_is_in_the_sentences_it_cites() -> None:
    corpus = resources.files("gensim").joinpath("test", "test_data", "lee_background.cor")
    lines = corpus.read_text(encoding="latin-1").strip("\n").split("\n")
    articles = {r["id"]: r for r in _rows("articles.jsonl")}
    sentences = {
        doc: {s.number: s.text for s in split_sentences(f"{r['headline']}\n{lines[r['line']]}")}
        for doc, r in articles.items()
    }
    questions = _rows("questions.jsonl")
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        assert q["type"] in TYPES, q["id"]
        assert q["split"] == articles[q["document"]]["split"], q["id"]
        if q.get("unanswerable"):
            assert q["trap"] in TRAPS and not q.get("sentences"), q["id"]
            continue
        cited = [sentences[q["document"]][n] for n in q["sentences"]]  # KeyError: no such sentence
        for short in q.get("short", ()):
            assert any(short in text for text in cited), (q["id"], short)


def test_each_split_is_its_own_articles() -> None:
    splits = Counter(r["split"] for r in _rows("articles.jsonl"))
    assert splits == {"fit": 24, "heldout": 12, "fresh": 8, "later": 8}
