"""Property-based tests: any text or bytes, and the invariants that must hold for all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Assistant
from assistant.chat import Conversation, run_chat, run_json_chat
from assistant.errors import BadQuestion
from assistant.questions import check_question
from index.loaders import article_from_text
from index.sentences import split_sentences

from .index.test_store import add, open_corpus, stored_ids

# Text as articles hold it: every character a file can carry, prose-like punctuation weighted in.
TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(" .!?\n\n“”\"'…Mr.U.S.$6.5 million, A B")),
    ),
    max_size=300,
)
# What a terminal or a pipe may deliver: any bytes, read as the CLI reads them.
BYTES_AS_TEXT = st.binary(max_size=80).map(lambda b: b.decode("utf-8", "surrogateescape"))


@given(TEXTS)
@settings(max_examples=400, deadline=None)
def test_sentences_are_exact_disjoint_and_cover_every_visible_character(text: str) -> None:
    sentences = split_sentences(text)
    covered = set()
    previous_end = 0
    for number, s in enumerate(sentences, 1):
        assert s.number == number
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text and s.text
        assert s.start >= previous_end  # in order, never overlapping
        previous_end = s.end
        covered.update(range(s.start, s.end))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


@given(st.one_of(TEXTS, BYTES_AS_TEXT))
@settings(max_examples=400, deadline=None)
def test_question_check_returns_text_or_one_line_reason(question: str) -> None:
    try:
        checked = check_question(question)
    except BadQuestion as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert checked == checked.strip() and checked


@pytest.fixture(scope="module")
def conversation(assistant: Assistant) -> Conversation:
    return Conversation(assistant.ask, assistant.stream)


@given(st.lists(st.one_of(TEXTS, BYTES_AS_TEXT), max_size=3))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_chat_loops_answer_every_line_and_go_on(
    conversation: Conversation, lines: list[str]
) -> None:
    import json

    conversation.reset()
    sent = [line.replace("\n", " ") for line in lines] + ["Who founded DeepSeek?"]
    written: list[str] = []
    run_json_chat(conversation, [line + "\n" for line in sent], written.append)
    replies = [json.loads(line) for line in written]
    assert len(replies) == len(sent) - sum(s.strip().lower() in ("/quit", "/exit") for s in sent)
    assert all({"answer", "error", "command"} & set(reply) for reply in replies)
    shown: list[str] = []
    run_chat(conversation, sent, shown.append)
    assert all(isinstance(text, str) for text in shown)


@given(TEXTS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_ingest_then_remove_leaves_the_index_as_it_was(tmp_path: Path, text: str) -> None:
    corpus = open_corpus(tmp_path / "home")
    if not corpus.documents():
        add(corpus, article_from_text("A first article. It stays.", doc_id="first"))
    corpus.sync()

    def snapshot() -> tuple[object, ...]:
        counts = corpus.lexical._db.execute("SELECT term, cnt FROM term_counts").fetchall()
        return (
            corpus.documents(),
            stored_ids(corpus),
            corpus.sentences(),
            corpus.titles(),
            sorted(counts),
        )

    before = snapshot()
    if text.strip():
        add(corpus, article_from_text(text, doc_id="fuzzed"))
        corpus.remove("fuzzed")
    assert snapshot() == before
