import pytest

from assistant.answer import Answer
from assistant.followups import Turn, standalone_question


def turn(question: str, short: str | None = None) -> Turn:
    answer = Answer(
        question=question,
        answer="...",
        answered=True,
        citations=(),
        answerer="test",
        query=question,
        short_answer=short,
    )
    return Turn(question, answer)


@pytest.mark.parametrize(
    ("previous", "short", "question", "expected"),
    [
        (
            "What did Liang Wenfeng say?",
            None,
            "When was his company launched?",
            "When was Liang Wenfeng's company launched?",
        ),
        (
            "Which model made DeepSeek famous?",
            "R1",
            "What framework is it built on?",
            "What framework is DeepSeek's R1 model built on?",
        ),
        ("Who founded DeepSeek?", "Liang Wenfeng", "How old is he?", "How old is Liang Wenfeng?"),
        (
            "How much value did Nvidia lose?",
            "$600 billion",
            "Why did its shares fall?",
            "Why did Nvidia's shares fall?",
        ),
        (
            "What did President Trump say?",
            None,
            "Does he think the U.S. will keep its lead?",
            "Does President Trump think the U.S. will keep its lead?",
        ),
        (
            "How much did DeepSeek spend?",
            "$6 million",
            "And American firms?",
            "American firms? (following: How much did DeepSeek spend?)",
        ),
        (
            "Who founded DeepSeek?",
            "Liang Wenfeng",
            "What did Elon Musk doubt?",
            "What did Elon Musk doubt?",
        ),
    ],
)
def test_standalone_question(
    previous: str, short: str | None, question: str, expected: str
) -> None:
    assert standalone_question(question, [turn(previous, short)]) == expected


def test_first_question_is_its_own_standalone() -> None:
    assert standalone_question("What did he say?", []) == "What did he say?"
