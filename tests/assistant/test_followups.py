import pytest

from assistant.answer import Answer, Citation
from assistant.followups import Turn, standalone_question
from assistant.questions import Question


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
    assert standalone_question(question, [turn(previous, short)]).query == expected


def test_first_question_is_its_own_standalone() -> None:
    assert standalone_question("What did he say?", []) == Question("What did he say?")


def test_it_is_the_thing_the_last_answer_named_beside_the_person() -> None:
    cited = Citation(
        n=1,
        document="deepseek",
        sentence=8,
        text="Liang Wenfeng, the founder of DeepSeek, which launched in 2023, spoke.",
        start=0,
        end=70,
        score=0.6,
        paragraph=3,
        title="DeepSeek",
    )
    answer = Answer(
        question="Who is Liang Wenfeng?",
        answer="...",
        answered=True,
        citations=(cited,),
        answerer="test",
        query="Who is Liang Wenfeng?",
    )
    history = [Turn("Who is Liang Wenfeng?", answer)]
    assert standalone_question("When was it launched?", history) == Question(
        "When was DeepSeek launched?"
    )


def test_a_terse_follow_up_carries_the_last_question_as_a_field() -> None:
    asked = standalone_question(
        "And American firms?", [turn("How much did DeepSeek spend?", "$6 million")]
    )
    assert asked == Question("American firms?", context="How much did DeepSeek spend?")
    assert asked.query == "American firms? (following: How much did DeepSeek spend?)"
    assert Question.of(asked.query) == asked  # an earlier Answer's `query` reads back the same
    assert Question.of("Who founded DeepSeek?") == Question("Who founded DeepSeek?")
