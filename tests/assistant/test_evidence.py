"""The answerer's evidence, with the real model over the bundled article."""

from assistant import Assistant
from assistant.answerers.extractive import ExtractiveAnswerer, _windows


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
