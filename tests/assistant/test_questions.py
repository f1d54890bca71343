import pytest

from assistant.errors import BadQuestion
from assistant.questions import AnswerType, Intent, Question, answer_type, check_question, intent


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        ("   \t\n ", "the question is empty"),
        ("x" * 100_000, "100,000 characters long"),
        ("What\x00 happened?", "control characters"),
        ("\x1b[31mred\x1b[0m", "control characters"),
    ],
)
def test_bad_questions_are_one_line_errors(question: str, message: str) -> None:
    with pytest.raises(BadQuestion, match=message) as info:
        check_question(question)
    assert "\n" not in str(info.value)


def test_check_question_folds_white_space() -> None:
    assert check_question("  Who\tfounded\nDeepSeek?  ") == "Who founded DeepSeek?"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("hi", Intent.SMALL_TALK),
        ("Thanks!", Intent.SMALL_TALK),
        ("good morning", Intent.SMALL_TALK),
        ("What can you do?", Intent.ABOUT_ASSISTANT),
        ("who are you", Intent.ABOUT_ASSISTANT),
        ("???", Intent.NOT_A_QUESTION),
        ("¿Cuánto costó entrenar el modelo de DeepSeek?", Intent.OTHER_LANGUAGE),
        ("Wie viel hat das Training gekostet und wer ist der Gründer?", Intent.OTHER_LANGUAGE),
        ("深度求索的创始人是谁？", Intent.OTHER_LANGUAGE),
        ("Nvidia", Intent.QUESTION),
        ("What is this development about?", Intent.QUESTION),
        ("help", Intent.ABOUT_ASSISTANT),
        ("Who founded DeepSeek?", Intent.QUESTION),
        ("High performance at a fraction of the cost?", Intent.QUESTION),
    ],
)
def test_intent(question: str, expected: Intent) -> None:
    assert intent(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much did training cost?", AnswerType.AMOUNT),
        ("How many chips were used?", AnswerType.COUNT),
        ("Who founded DeepSeek?", AnswerType.PERSON),
        ("Who doubted the number of chips?", AnswerType.PERSON),
        ("When was DeepSeek launched?", AnswerType.DATE),
        ("In what year did it start?", AnswerType.DATE),
        ("How long did training take?", AnswerType.DURATION),
        ("How long ago was the company founded?", AnswerType.DATE),
        ("Which model made DeepSeek famous?", AnswerType.NAME),
        ("Why could this upend the industry?", AnswerType.REASON),
        ("What did Sam Altman do?", AnswerType.OTHER),
        ("Which country is DeepSeek from?", AnswerType.PLACE),
        ("Where was Liang Wenfeng born?", AnswerType.PLACE),
        ("Which city is DeepSeek headquartered in?", AnswerType.PLACE),
        ("What did training the model reportedly cost?", AnswerType.AMOUNT),
        ("Which well-known entrepreneur questioned the figures?", AnswerType.PERSON),
        ("Which framework is the model based on?", AnswerType.NAME),
        ("How few chips did it need?", AnswerType.COUNT),
        ("What was R1's reported training bill?", AnswerType.AMOUNT),
        ("What did American firms spend on similar models?", AnswerType.AMOUNT),
        ("At what local time did the helicopters come down?", AnswerType.DATE),
        ("Over which holiday will flights run as usual?", AnswerType.DATE),
        ("What did he say at the time?", AnswerType.OTHER),
        # A lead-in before the question word: a follow-up's "And", a phrase set off by a comma.
        ("And roughly when was it launched?", AnswerType.DATE),
        ("Before the launch, when had the company last raised money?", AnswerType.DATE),
        ("According to the report, which company trained the model?", AnswerType.NAME),
        ("So, how many chips were used?", AnswerType.COUNT),
        ("Who, besides Liang, runs DeepSeek?", AnswerType.PERSON),
        ("What happened when the shares fell?", AnswerType.OTHER),
        ("To whom did the founder sell his stake?", AnswerType.PERSON),
        ("What's the name of the model?", AnswerType.NAME),
        # A "who" further in: asked for, or only saying whom the question is about.
        ("Do you know who founded DeepSeek?", AnswerType.PERSON),
        ("How old is the engineer who was hired in May?", AnswerType.DURATION),
        ("How many of the staff who were laid off came back?", AnswerType.COUNT),
        ("When did the founder who runs it step down?", AnswerType.DATE),
    ],
)
def test_answer_type(question: str, expected: AnswerType) -> None:
    assert answer_type(question) is expected


def test_a_question_is_read_once_into_its_parts() -> None:
    asked = Question("What did the article say about Nvidia's stock ticker?")
    assert asked.kind is AnswerType.OTHER
    assert asked.names == ("Nvidia's",)
    assert asked.name_terms == {"nvidia"}
    # Framing words ("article", "say") say nothing of what is asked about.
    assert [word for _, word in asked.key_terms] == ["nvidia", "stock", "ticker"]
    assert asked.unnamed == "What did the article say about stock ticker?"


def test_a_follow_ups_context_is_read_only_where_it_helps() -> None:
    asked = Question("And the cost?", context="How much did DeepSeek spend on chips?")
    assert asked.kind is AnswerType.OTHER  # the kind comes from the question alone
    assert asked.names == ()
    assert [word for _, word in asked.key_terms] == ["cost"]
    assert [word for _, word in asked.key_terms_with_context] == [
        "cost",
        "deepseek",
        "spend",
        "chips",
    ]
    assert {"cost", "spend"} <= asked.said
    assert "DeepSeek" not in asked.unnamed and "chips" in asked.unnamed
    assert Question.of(asked.query) == asked


def test_what_is_asked_for_is_read_after_a_lead_in() -> None:
    question = Question("According to the report, which company trained the model?")
    assert question.focus == ("company",)


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("In which city was the treaty signed?", ("city",)),
        ("Which NGO worker gave evidence at the inquiry?", ("ngo", "worker")),
        ("What was the probe launched from the station called?", ("probe",)),
        ("Which Attorney-General spoke to reporters?", ("attorney", "general")),
    ],
)
def test_what_is_asked_for_after_a_preposition_an_acronym_or_before_called(
    question: str, focus: tuple[str, ...]
) -> None:
    assert Question(question).focus == focus
