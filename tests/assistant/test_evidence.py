"""The answerer's evidence, with the real model over the bundled article."""

import pytest

from assistant import Assistant
from assistant.answerers.extractive import ExtractiveAnswerer, _windows, boosted_score


def test_windows_cover_the_sentence() -> None:
    text = " ".join(f"w{i}" for i in range(25))
    windows = _windows(text)
    assert windows[0].startswith("w0 ") and windows[-1].endswith(" w24")
    assert all(len(w.split()) == 10 for w in windows)
    assert _windows("a short sentence") == ["a short sentence"]


def test_names_do_not_make_a_sentence_answer(assistant: Assistant) -> None:
    # Sentence 8 is about DeepSeek's founder, close to any question naming DeepSeek; without the
    # name it says nothing of a technology officer.
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    question = "Who is DeepSeek's chief technology officer?"
    query, hits = assistant.retrieve(question, [])
    founder = next(e for e in answerer.evidence(query, hits) if e.hit.sentence.number == 8)
    assert founder.predicate < founder.similarity - 0.1


def test_lead_is_the_margin_over_the_next_sentence(assistant: Assistant) -> None:
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    query, hits = assistant.retrieve("Who founded DeepSeek?", [])
    first, second = answerer.evidence(query, hits)[:2]
    assert first.hit.sentence.number == 8
    assert first.lead == first.relevance - second.relevance > 0


def test_boosted_score_walks_each_tree_to_its_leaf() -> None:
    # One stump on feature 1 (x <= 0.5 goes left), one lone leaf; base log-odds -1, rate 0.5.
    model = {
        "base": -1.0,
        "rate": 0.5,
        "trees": [
            [[1, 0.5, 1, 2, 0.0], [-2, -2.0, -1, -1, -3.0], [-2, -2.0, -1, -1, 4.0]],
            [[-2, -2.0, -1, -1, 2.0]],
        ],
    }
    assert boosted_score(model, [9.0, 0.5]) == -1.0 + 0.5 * (-3.0 + 2.0)
    assert boosted_score(model, [9.0, 0.75]) == -1.0 + 0.5 * (4.0 + 2.0)


def test_the_shipped_calibration_is_a_model_of_the_evidence(assistant: Assistant) -> None:
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    query, hits = assistant.retrieve("How much did it cost to train DeepSeek's model?", [])
    answering, *_ = answerer.evidence(query, hits)
    query, hits = assistant.retrieve("What is Nvidia's stock ticker?", [])
    nearest, *_ = answerer.evidence(query, hits)
    assert answerer.confidence(answering) > answerer.threshold > answerer.confidence(nearest)


def test_a_figure_the_sentence_lacks_is_no_answer(assistant: Assistant) -> None:
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    query, hits = assistant.retrieve("How many engineers work at DeepSeek?", [])
    ranked = answerer.evidence(query, hits)
    assert all(e.figure_missing == (e.span is None) for e in ranked)
    assert all(answerer.confidence(e) == 0.0 for e in ranked if e.figure_missing)
    assert not assistant.ask("How many engineers work at DeepSeek?").answered


def test_an_answer_costs_one_call_to_the_model(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The answerer's texts (the question without its names, new key words) ride along with the
    # query's own embedding; the article's sentence windows are embedded once and kept.
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    question = "What did the founder of DeepSeek say about balancing performance?"
    everything = assistant.retriever.search(question, k=len(assistant.index.corpus.sentences()))
    for start in range(0, len(everything), 6):
        answerer.evidence(question, everything[start : start + 6])
    calls: list[list[str]] = []
    real = assistant.index.embedder

    class Counting:
        name = real.name

        def embed(self, texts: list[str]) -> list[list[float]]:
            calls.append(texts)
            return real.embed(texts)

    monkeypatch.setattr(assistant.index, "embedder", Counting())
    answer = assistant.ask("What has the founder of DeepSeek said about costs, lately?")
    assert answer.answered
    assert len(calls) == 1
    assert "lately" in calls[0]  # a key word no earlier question had


def test_a_calibration_file_must_name_the_features_it_was_fitted_on() -> None:
    from assistant.answerers.extractive import (
        EVIDENCE_FEATURES,
        STACKED_FEATURES,
        _load_calibration,
    )
    from assistant.errors import AssistantError

    assert _load_calibration("calibration.json", EVIDENCE_FEATURES)["trees"]
    assert _load_calibration("calibration_reranked.json", STACKED_FEATURES)["trees"]
    reordered = (EVIDENCE_FEATURES[1], EVIDENCE_FEATURES[0], *EVIDENCE_FEATURES[2:])
    with pytest.raises(AssistantError, match=r"refit it with scripts/calibrate\.py"):
        _load_calibration("calibration.json", reordered)
