import pytest

from assistant.questions import AnswerType
from assistant.spans import find_spans, labelled_spans, quantities, where
from index.text import stem


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        (
            AnswerType.AMOUNT,
            "It was trained for just $6 million, less than billions.",
            ["$6 million", "billions"],
        ),
        (AnswerType.AMOUNT, "Nvidia lost nearly $600 billion in value.", ["nearly $600 billion"]),
        (AnswerType.AMOUNT, "Sales were 20 million euros, up 3.5%.", ["20 million euros", "3.5%"]),
        (
            AnswerType.COUNT,
            "It needed around 2,000 chips, not 16,000 or more, in 2023.",
            ["around 2,000 chips", "16,000 or more"],
        ),
        (AnswerType.DATE, "Founded in 2023, it grew by Jan. 27, 2025.", ["2023", "Jan. 27, 2025"]),
        (
            AnswerType.DURATION,
            "Training took two months for the 45-year-old founder.",
            ["two months", "45-year-old"],
        ),
        (
            AnswerType.PERSON,
            "Liang Wenfeng, the founder, met President Trump and OpenAI’s Sam Altman.",
            ["Liang Wenfeng", "President Trump", "Sam Altman"],
        ),
        (AnswerType.PERSON, "The company said Nvidia fell.", []),
        (
            AnswerType.PERSON,
            "Police sought Osama bin Laden and Marius duPlessis.",
            ["Osama bin Laden", "Marius duPlessis"],
        ),
        (
            AnswerType.NAME,
            "DeepSeek’s model, R1, uses the DeepSeek-V3 framework.",
            ["DeepSeek", "R1", "DeepSeek-V3"],
        ),
        (AnswerType.PLACE, "The rise of the Chinese company DeepSeek.", ["Chinese"]),
        (
            AnswerType.PLACE,
            "Based in Hangzhou, it sells to U.S. firms in March, not to China.",
            ["Hangzhou", "U.S.", "China"],
        ),
        (AnswerType.PLACE, "He spoke in DeepSeek’s office in San Francisco.", ["San Francisco"]),
        (AnswerType.REASON, "Because it was cheap.", []),
    ],
)
def test_find_spans(kind: AnswerType, sentence: str, expected: list[str]) -> None:
    spans = find_spans(kind, sentence)
    assert [s.text for s in spans] == expected
    assert all(sentence[s.start : s.end] == s.text for s in spans)


def test_a_nationality_answers_with_its_country() -> None:
    spans = find_spans(AnswerType.PLACE, "The Chinese company sold chips to U.S. firms.")
    assert [(s.text, s.answer) for s in spans] == [
        ("Chinese", "China"),
        ("U.S.", "the United States"),
    ]
    (city,) = find_spans(AnswerType.PLACE, "It is based in Hangzhou.")
    assert city.answer == "Hangzhou" and not city.country
    # The countries the news names, not only the largest economies.
    talks = find_spans(AnswerType.PLACE, "Pakistani and Afghan envoys met in Nepal.")
    assert [s.answer for s in talks] == ["Pakistan", "Afghanistan", "Nepal"]


def test_where_something_happened_is_not_the_country_describing_someone() -> None:
    sentence = (
        "In Brussels, the US Defence Secretary, Donald Rumsfeld, has told NATO allies to prepare."
    )
    spans = find_spans(AnswerType.PLACE, sentence)
    assert [(s.text, s.describes) for s in spans] == [("Brussels", False), ("US", True)]
    assert [s.text for s in where(spans, asks_for_a_country=False)] == ["Brussels"]
    # "Which country ...?": the country that describes someone may be the answer.
    assert [s.text for s in where(spans, asks_for_a_country=True)] == ["Brussels", "US"]
    # A country the sentence goes on from describes nothing.
    (both,) = [find_spans(AnswerType.PLACE, "Relations between the US and China soured.")]
    assert [s.describes for s in both] == [False, False]


def test_a_place_after_at_or_at_the_start_of_a_sentence() -> None:
    found = find_spans(AnswerType.PLACE, "The first Test starts at the Adelaide Oval tomorrow.")
    assert [s.text for s in found] == ["Adelaide Oval"]
    found = find_spans(AnswerType.PLACE, "It landed at Kennedy Space Centre in Florida.")
    assert [s.text for s in found] == ["Kennedy Space Centre", "Florida"]


@pytest.mark.parametrize(
    ("sentence", "noun", "surer", "less_sure"),
    [
        ("Winds drove the fire towards the town of Ridgeway.", "town", ["Ridgeway"], []),
        ("The lab launched a probe called Kestrel 3 on Monday.", "probe", ["Kestrel 3"], []),
        (
            "Central Intelligence Agency officer Ann Price said the files were real.",
            "officer",
            ["Ann Price"],
            ["Central Intelligence Agency"],
        ),
        ("Most were F-16 fighter jets from the carrier.", "jets", [], ["F-16"]),
        ("He leads the United Workers Party in parliament.", "party", ["United Workers Party"], []),
        (
            "The head of the army, General Tom Reyes, spoke first.",
            "general",
            ["General Tom Reyes"],
            [],
        ),
        ("The town was evacuated before the fire reached it.", "town", [], []),
        ("The  Health Minister,\tAna Ruiz, spoke.", "minister", ["Ana Ruiz"], []),
        ("They woke to the tune Please Come Home, a carol.", "tune", ["Please Come Home"], []),
    ],
)
def test_labelled_spans(sentence: str, noun: str, surer: list[str], less_sure: list[str]) -> None:
    after, before = labelled_spans(sentence, frozenset({stem(noun)}))
    assert [s.text for s in after] == surer
    assert [s.text for s in before] == less_sure
    assert all(sentence[s.start : s.end] == s.text for s in after + before)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The satellite weighed 6,800 kilograms.", ["6,800 kilograms"]),
        ("The crew hauled some three tonnes of cargo.", ["some three tonnes"]),
        ("Staff put in a million hours of overtime.", ["a million hours"]),
        ("Cheques of up to 1,000 pesos can be cashed.", ["up to 1,000 pesos"]),
        ("It cost $5 million and 20 people came.", []),
    ],
)
def test_quantities(sentence: str, expected: list[str]) -> None:
    assert [s.text for s in quantities(sentence)] == expected


def test_a_nationality_that_begins_a_name_is_not_the_country() -> None:
    sentence = "The jet ditched in the Indian Ocean near Diego Garcia, US officials said."
    spans = find_spans(AnswerType.PLACE, sentence)
    assert [(s.text, s.country) for s in spans] == [
        ("Indian Ocean", ""),
        ("Diego Garcia", ""),
        ("US", "the United States"),
    ]


def test_a_place_after_a_or_an_and_a_longer_name() -> None:
    found = find_spans(AnswerType.PLACE, "Staff at a Ballarat Catholic school were questioned.")
    assert [s.text for s in found] == ["Ballarat Catholic"]
    landed = find_spans(AnswerType.PLACE, "It landed at Florida's Kennedy Space Centre at noon.")
    assert [s.text for s in landed] == ["Florida's Kennedy Space Centre"]
