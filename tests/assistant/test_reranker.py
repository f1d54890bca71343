"""The shipped reranker: the file its card describes, and what it says about the bundled article."""

import re
from importlib import resources
from pathlib import Path

import pytest

from assistant.reranker import Reranker
from index.export import model_bytes, sha256_of
from index.ingest import bundled_article
from index.sentences import split_sentences

pytestmark = pytest.mark.integration  # the real model or a real server

MODELS = Path(str(resources.files("assistant").joinpath("models")))


def test_model_file_matches_its_card() -> None:
    card = (MODELS / "reranker.md").read_text()
    recorded = re.search(r"sha256 of the two, in that order: `([0-9a-f]{64})`", card)
    assert recorded is not None, "the card records the files' sha256"
    model = MODELS / "reranker.onnx"
    assert sha256_of(model) == recorded.group(1)
    assert model_bytes(model) <= 30_000_000
    for heading in ("## Data recipe", "## Figures", "retrain: `python training/train_reranker.py"):
        assert heading in card


def test_the_answering_sentence_ranks_first_and_holds_the_span() -> None:
    sentences = split_sentences(bundled_article().text)
    title = "DeepSeek's R1 shakes up the AI industry"
    candidates = [
        (s.text, title, sentences[s.number - 2].text if s.number > 1 else "") for s in sentences
    ]
    reranker = Reranker()
    cases = {
        "How much did it cost to train DeepSeek's model?": (4, "$6 million"),
        "Who founded DeepSeek?": (8, "Liang Wenfeng"),
        "How many chips did DeepSeek need?": (5, "2,000"),
    }
    for question, (number, answer) in cases.items():
        judged = reranker.judge(question, candidates)
        best = max(range(len(judged)), key=lambda i: judged[i].relevance)
        assert best + 1 == number, question
        if number != 8:
            continue  # a figure is chosen by the typed-span rules (assistant/spans.py)
        text = candidates[best][0]
        start = text.index(answer)
        spans = [(a, b) for a, b, _ in [j[:3] for j in [judged[best].best_span()] if j]]
        assert spans and spans[0][0] <= start < spans[0][1], (question, spans)


def test_an_unrelated_sentence_is_judged_not_to_answer() -> None:
    judged = Reranker().judge(
        "How many engineers work at DeepSeek?",
        [("Nvidia lost nearly $600 billion in market value.", "Markets", "")],
    )
    assert judged[0].relevance < 0


def test_a_sentence_is_judged_the_same_whatever_it_is_judged_beside() -> None:
    sentences = split_sentences(bundled_article().text)
    title = "DeepSeek's R1 shakes up the AI industry"
    question = "Who founded DeepSeek?"
    founder = (sentences[7].text, title, sentences[6].text)
    # Long sentences beside it: in one padded batch they would move its int8 ranges.
    longest = sorted(sentences, key=lambda s: -len(s.text))[:5]
    crowd = [(s.text, title, "") for s in longest]
    reranker = Reranker()
    [alone] = reranker.judge(question, [founder])
    beside = reranker.judge(question, [*crowd[:2], founder, *crowd[2:]])
    assert beside[2] == alone
    assert [j.relevance for j in beside] == [
        reranker.judge(question, [c])[0].relevance for c in [*crowd[:2], founder, *crowd[2:]]
    ]
