"""Training pairs for the answer reranker, from Lee corpus lines 210-299 only.

Four sources of questions, each switchable, so what each adds can be measured:
- `rules`: questions made from each sentence's typed spans (a person, amount, count, date, place)
  by putting the wh-word in the span's place: "Darren Cahill started coaching Hewitt when?".
- `qwen`: questions a local GGUF model wrote from a sentence and a span
  (training/generate_questions.py → training/data/generated_questions.jsonl).
- `annotated`: questions written by people reading the articles, as a reader would ask them,
  with the sentences that answer them and unanswerable traps of three kinds
  (training/data/annotated_questions.jsonl; headlines in training/data/headlines.json).
- `second-reader`: 1,257 more such questions on the same 90 articles by other readers, in their
  own words (training/data/second_reader_questions.jsonl). Not in the shipped model's recipe:
  trained with the three above, it cited and answered less on the benchmark's held-out articles
  (the model card has the figures).

Each answerable question gives one positive pair per answering sentence (with the answer's span
in it when known) and negatives: the sentences most like it by embedding, in its own article and
in others, and by shared terms. Unanswerable questions give only negatives: the sentences that
look most like an answer. `swaps` adds entity-swapped questions ("Who will coach Pat Rafter?"
against the sentence about Hewitt's coach) as negatives. Lines 0-209 are never read.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant.questions import AnswerType, proper_names  # noqa: E402
from assistant.spans import find_spans  # noqa: E402
from benchmarks.news_articles import lee_lines  # noqa: E402
from index.sentences import Sentence, split_sentences  # noqa: E402
from index.text import terms  # noqa: E402

DATA = ROOT / "training" / "data"
TRAINING_LINES = range(210, 300)
SOURCES = ("rules", "qwen", "annotated")  # the shipped model's recipe
KNOWN_SOURCES = (*SOURCES, "second-reader")


@dataclass(frozen=True)
class Article:
    """A training article: its id, headline (title) and sentences, the headline first."""

    id: str
    title: str
    sentences: tuple[Sentence, ...]
    headline: bool  # sentence 1 is the headline

    def before(self, number: int) -> str:
        """The sentence before sentence `number`, or ""."""
        return self.sentences[number - 2].text if number > 1 else ""


@dataclass(frozen=True)
class Question:
    """A question with the sentences that answer it (none: unanswerable)."""

    text: str
    article: str
    answers: tuple[int, ...]
    short: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Pair:
    """One training example: does this sentence answer this question, and where?"""

    question: str
    sentence: str
    title: str
    before: str
    label: int
    span: tuple[int, int] | None  # character offsets of the answer in `sentence`
    source: str


def articles() -> dict[str, Article]:
    """The training articles, each with its annotator's headline as sentence 1."""
    headlines = json.loads((DATA / "headlines.json").read_text())
    lines = lee_lines()
    found = {}
    for line in TRAINING_LINES:
        doc = f"train-{line:03d}"
        title = headlines.get(doc, "")
        text = f"{title}\n{lines[line]}" if title else lines[line]
        found[doc] = Article(doc, title, tuple(split_sentences(text)), bool(title))
    return found


def questions(sources: Iterable[str], corpus: dict[str, Article], seed: int) -> list[Question]:
    """The questions of the chosen sources."""
    found: list[Question] = []
    if "annotated" in sources:
        found += _annotated(corpus, "annotated_questions.jsonl", "annotated")
    if "second-reader" in sources:
        found += _annotated(corpus, "second_reader_questions.jsonl", "second-reader")
    if "qwen" in sources:
        found += _generated(corpus)
    if "rules" in sources:
        found += _rules(corpus, random.Random(seed))
    return found


def _annotated(corpus: dict[str, Article], name: str, source: str) -> list[Question]:
    found = []
    for line in (DATA / name).read_text().splitlines():
        r = json.loads(line)
        if r.get("history") or r["document"] not in corpus:
            continue  # a follow-up's meaning depends on the conversation
        found.append(
            Question(
                r["question"],
                r["document"],
                tuple(r.get("sentences", ())),
                tuple(r.get("short", ())),
                source,
            )
        )
    return found


def _generated(corpus: dict[str, Article]) -> list[Question]:
    found = []
    for line in (DATA / "generated_questions.jsonl").read_text().splitlines():
        r = json.loads(line)
        article = corpus[f"train-{r['line']:03d}"]
        number = r["sentence"] + (1 if article.headline else 0)
        question = r["question"].strip()
        if not question.endswith("?") or len(question) < 12:
            continue
        short = (r["answer"],) if r["answer"] else ()
        found.append(Question(question, article.id, (number,), short, "qwen"))
    return found


_WH = {
    AnswerType.PERSON: "who",
    AnswerType.AMOUNT: "how much",
    AnswerType.COUNT: "how many",
    AnswerType.DATE: "when",
    AnswerType.PLACE: "where",
    AnswerType.DURATION: "how long",
}


def _rules(corpus: dict[str, Article], rng: random.Random) -> list[Question]:
    """A wh-word in a typed span's place: fronted when the span opens the sentence."""
    found = []
    for article in corpus.values():
        for s in article.sentences:
            if article.headline and s.number == 1:
                continue
            spans = [(kind, span) for kind in _WH for span in find_spans(kind, s.text)]
            rng.shuffle(spans)
            for kind, span in spans[:2]:
                rest = s.text[span.end :].strip().rstrip(".!\"'”")
                if span.start == 0:
                    text = f"{_WH[kind].capitalize()} {rest}?"
                else:
                    head = s.text[: span.start].strip()
                    text = f"{head} {_WH[kind]} {rest}".strip().rstrip(",") + "?"
                text = re.sub(r"\s+", " ", text)
                found.append(Question(text, article.id, (s.number,), (span.text,), "rules"))
    return found


def pairs(
    asked: list[Question],
    corpus: dict[str, Article],
    embed: object,
    *,
    seed: int,
    negatives: int = 6,
    swaps: bool = True,
) -> list[Pair]:
    """Positive and negative pairs for the questions, negatives mined by embedding and terms."""
    rng = random.Random(seed)
    everything = [(article, s) for article in corpus.values() for s in article.sentences]
    vectors = np.asarray(embed([s.text for _, s in everything]))  # type: ignore[operator]
    asked_vectors = np.asarray(embed([q.text for q in asked]))  # type: ignore[operator]
    term_sets = [set(terms(s.text)) for _, s in everything]
    names = _names_by_kind(corpus)
    out: list[Pair] = []
    for q, qv in zip(asked, asked_vectors):
        article = corpus[q.article]
        gold = set(q.answers)
        for number in q.answers:
            s = article.sentences[number - 1]
            out.append(_pair(q.text, article, s, 1, _span(s.text, q.short), q.source))
        similarity = vectors @ qv
        asked_terms = set(terms(q.text))
        overlap = np.array([len(asked_terms & t) for t in term_sets], dtype=float)
        order = np.argsort(-similarity)
        own = [
            i
            for i in order
            if everything[i][0].id == q.article and everything[i][1].number not in gold
        ]
        other = [i for i in order if everything[i][0].id != q.article]
        lexical = [i for i in np.argsort(-overlap) if overlap[i] > 0]
        chosen: list[int] = []
        share = negatives // 2
        for pool in (own[:share], other[: negatives - share], lexical[:2]):
            chosen += [i for i in pool if i not in chosen]
        chosen.append(rng.randrange(len(everything)))
        for i in chosen:
            a, s = everything[i]
            if a.id == q.article and s.number in gold:
                continue
            if a.headline and s.number == 1 and a.id == q.article:
                continue  # a headline restates its article's lead: no clear label
            out.append(_pair(q.text, a, s, 0, None, q.source + "-negative"))
        if swaps and gold:
            swapped = _swap(q.text, article, names, rng)
            if swapped:
                for number in q.answers:
                    s = article.sentences[number - 1]
                    out.append(_pair(swapped, article, s, 0, None, q.source + "-swap"))
    rng.shuffle(out)
    return out


def _pair(
    question: str,
    article: Article,
    s: Sentence,
    label: int,
    span: tuple[int, int] | None,
    source: str,
) -> Pair:
    return Pair(question, s.text, article.title, article.before(s.number), label, span, source)


def _span(sentence: str, shorts: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the first of the short answers stands in the sentence."""
    for short in shorts:
        at = sentence.find(short)
        if short and at >= 0:
            return (at, at + len(short))
    return None


def _names_by_kind(corpus: dict[str, Article]) -> dict[str, list[tuple[str, str]]]:
    """(article, name) pairs for people and places across the corpus, to swap in."""
    found: dict[str, list[tuple[str, str]]] = {"person": [], "place": []}
    for article in corpus.values():
        for s in article.sentences:
            for kind, key in ((AnswerType.PERSON, "person"), (AnswerType.PLACE, "place")):
                found[key] += [(article.id, span.text) for span in find_spans(kind, s.text)]
    return found


def _swap(
    question: str, article: Article, names: dict[str, list[tuple[str, str]]], rng: random.Random
) -> str | None:
    """The question about another person or place, one its article never names."""
    text = " ".join(s.text for s in article.sentences)
    for name in proper_names(question):
        for key in ("person", "place"):
            if not any(name in other or other in name for _, other in names[key]):
                continue
            choices = [n for doc, n in names[key] if doc != article.id and n not in text]
            if choices:
                return question.replace(name, rng.choice(choices), 1)
    return None
