"""Answers from the real model over a real Chroma index of the bundled article."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Answer, Assistant, Turn
from assistant.evaluation import evaluate, load_cases
from index.ingest import bundled_article
from index.loaders import article_from_text

from ..conftest import DATA

pytestmark = pytest.mark.integration  # the real model

SOURCE = bundled_article().text

# Every answerer must honour the answer contract; more join this list as they are added.
ANSWERERS: list[str] = ["extractive"]

CONTRACT_QUESTIONS = [
    "How much did it cost to train DeepSeek's model?",
    "Why could this upend the industry?",
    "What is Nvidia's stock ticker?",
    "hi",
    "What can you do?",
    "Nvidia",
    "?!?",
]


@pytest.fixture(params=ANSWERERS)
def ask(request: pytest.FixtureRequest, assistant: Assistant) -> Callable[..., Answer]:
    assert assistant.answerer.name == request.param
    return assistant.ask


@pytest.mark.parametrize("question", CONTRACT_QUESTIONS)
def test_answer_contract(ask: Callable[..., Answer], question: str) -> None:
    answer = ask(question)
    data = answer.to_dict()
    assert {"question", "answer", "answered", "citations", "answerer"} <= data.keys()
    assert data["question"] == question and data["answer"].strip()
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    for c in data["citations"]:
        assert SOURCE[c["start"] : c["end"]] == c["text"]
        assert c["document"] == "deepseek" and 0 <= c["score"] <= 1
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    if answer.answered:
        assert markers == {c.n for c in answer.citations}
        assert all(c.role == "cited" for c in answer.citations)
    else:
        assert not markers  # related sentences are listed, never cited
        assert all(c.role == "related" for c in answer.citations)


def test_amount_leads_the_answer(assistant: Assistant) -> None:
    answer = assistant.ask("How much did it cost to train DeepSeek's model?")
    assert answer.answered and answer.short_answer == "$6 million"
    assert answer.answer.startswith("$6 million")
    assert [c.sentence for c in answer.citations] == [4]


def test_person_and_date(assistant: Assistant) -> None:
    assert assistant.ask("Who founded DeepSeek?").short_answer == "Liang Wenfeng"
    assert assistant.ask("When was DeepSeek launched?").short_answer == "2023"


def test_market_capitalisation_hit(assistant: Assistant) -> None:
    answer = assistant.ask("How big was the hit to Nvidia's market capitalisation?")
    assert answer.answered and "$600 billion" in (answer.short_answer or "")


def test_place_questions(assistant: Assistant) -> None:
    country = assistant.ask("Which country is DeepSeek from?")
    assert country.answered and country.short_answer == "China"
    assert [c.sentence for c in country.citations] == [1]
    # The article names DeepSeek's country but no city, and nobody's birthplace.
    assert not assistant.ask("Which city is DeepSeek headquartered in?").answered
    assert not assistant.ask("Where was Liang Wenfeng born?").answered


def test_not_in_the_article(assistant: Assistant) -> None:
    answer = assistant.ask("What is Nvidia's stock ticker?")
    assert not answer.answered and answer.kind == "not_found"
    assert answer.answer == "The article does not say."
    # The related sentences are the ones about Nvidia, the one on its shares among them.
    assert answer.citations and "Nvidia" in answer.citations[0].text
    assert 3 in {c.sentence for c in answer.citations}


def test_follow_up_uses_the_conversation(assistant: Assistant) -> None:
    first = assistant.ask("Which model made DeepSeek famous?")
    assert first.answered and [c.sentence for c in first.citations] == [2]
    follow_up = assistant.ask(
        "What framework is it built on?", history=[Turn("Which model made DeepSeek famous?", first)]
    )
    assert follow_up.query == "What framework is DeepSeek's R1 model built on?"
    assert follow_up.short_answer == "DeepSeek-V3"
    assert [c.sentence for c in follow_up.citations] == [4]


def test_his_company(assistant: Assistant) -> None:
    first = assistant.ask("What did Liang Wenfeng say?")
    answer = assistant.ask(
        "When was his company launched?", history=[Turn("What did Liang Wenfeng say?", first)]
    )
    assert answer.query == "When was Liang Wenfeng's company launched?"
    assert answer.short_answer == "2023"


@pytest.mark.parametrize(
    "question", ["hi", "thanks!", "What can you do?", "???", "¿Cuánto costó entrenar el modelo?"]
)
def test_no_citations_for_non_questions(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.answered and answer.citations == ()


def test_bad_question_raises_the_cli_message(assistant: Assistant) -> None:
    from assistant import BadQuestion

    with pytest.raises(BadQuestion, match="the question is empty"):
        assistant.ask("  ")


# The targets for the development set: below them the assistant has regressed. Measured figures
# are printed by `assistant eval tests/data/deepseek_dev.jsonl` and benchmarks/quality.py, which
# also reports the held-out split and the test set.
# The reranked answerer trades answers on this article for abstentions that hold on others
# (benchmarks/news.py): it answers fewer of these questions, and answers them more precisely.
BARS = {
    "answer accuracy": 0.80,
    "citation hit": 0.80,
    "citation precision": 0.95,
    "correct abstention": 0.90,
    "false abstention": 0.20,
}


def test_development_set_quality(assistant: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    cases = load_cases(Path(DATA) / "deepseek_dev.jsonl")
    report = evaluate(cases, assistant.ask)
    with capsys.disabled():
        print("\n" + report.render(f"development set ({len(cases)} questions)"))
    figures = report.figures
    for name, bar in BARS.items():
        if name == "false abstention":
            assert figures[name] <= bar, f"{name} {figures[name]:.3f} > {bar}"
        else:
            assert figures[name] >= bar, f"{name} {figures[name]:.3f} < {bar}"


APPLE = (
    "Apple reported record quarterly revenue of $124 billion on Thursday, driven by strong "
    "iPhone sales in China and India.\n"
    "Chief executive Tim Cook said the company's services business grew 14 percent, helped by "
    "the App Store and Apple Music.\n"
    "The company, based in Cupertino, California, employs about 161,000 people worldwide.\n"
    "Analysts had expected revenue of $118 billion, and the shares rose 3 percent in after-hours "
    "trading.\n"
)


def test_a_users_article_beside_the_bundled_one(tmp_path: Path) -> None:
    assistant = Assistant.open(tmp_path)
    assistant.ensure_index()
    assistant.add([article_from_text(APPLE, doc_id="apple")])
    revenue = assistant.ask("How much revenue did Apple report?")
    assert revenue.short_answer == "$124 billion"
    staff = assistant.ask("How many people work at Apple?")
    assert staff.short_answer == "about 161,000 people"
    chief = assistant.ask("Who is Apple's chief executive?")
    assert chief.short_answer == "Tim Cook"  # not "Apple Music", which is named after Apple
    shares = assistant.ask("Why did Apple's shares rise?")
    assert {c.document for c in shares.citations} == {"apple"}  # no DeepSeek sentence spliced in
    assert not assistant.ask("What is Apple's stock ticker?").answered


@pytest.mark.xfail(
    strict=True,
    reason="known error: without a name, 'the shares' of the bundled article's Nvidia sentence "
    "outweigh the user's article's 'shares rose' (benchmarks/news.py other_entity traps)",
)
def test_an_unnamed_question_prefers_the_article_that_answers_it(tmp_path: Path) -> None:
    assistant = Assistant.open(tmp_path)
    assistant.ensure_index()
    assistant.add([article_from_text(APPLE, doc_id="apple")])
    shares = assistant.ask("Why did the shares rise?")
    assert {c.document for c in shares.citations} == {"apple"}
