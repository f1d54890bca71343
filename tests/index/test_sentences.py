from importlib import resources

import pytest

from index.sentences import split_sentences

# (text, expected sentences): the hard cases of news prose.
HARD_CASES = [
    ("The U.S. market fell. Shares dropped.", ["The U.S. market fell.", "Shares dropped."]),
    (
        "Officials in the U.S. said so. The U.S. Senate agreed.",
        ["Officials in the U.S. said so.", "The U.S. Senate agreed."],
    ),
    (
        "It was made in the U.S. The company said so.",
        ["It was made in the U.S.", "The company said so."],
    ),
    (
        "Mr. Smith met Dr. Jones at 5 p.m. on Monday.",
        ["Mr. Smith met Dr. Jones at 5 p.m. on Monday."],
    ),
    (
        "Shares of Apple Inc. rose. Microsoft Corp. fell.",
        ["Shares of Apple Inc. rose.", "Microsoft Corp. fell."],
    ),
    ("J. K. Rowling wrote it. She is British.", ["J. K. Rowling wrote it.", "She is British."]),
    ("It cost $6.5 million. That was 3.5% more.", ["It cost $6.5 million.", "That was 3.5% more."]),
    (
        "He said, \u201cWe are done.\u201d Then he left.",
        ["He said, \u201cWe are done.\u201d", "Then he left."],
    ),
    (
        "\u201cIs it over?\u201d she asked. Nobody knew.",
        ["\u201cIs it over?\u201d she asked.", "Nobody knew."],
    ),
    ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
    (
        "The plan \u2026 was vague. Critics agreed.",
        ["The plan \u2026 was vague.", "Critics agreed."],
    ),
    ("Wait! Really? Yes.", ["Wait!", "Really?", "Yes."]),
    (
        "The deal closed on Jan. 5 this year. Sales rose.",
        ["The deal closed on Jan. 5 this year.", "Sales rose."],
    ),
    ("See e.g. the report. It is long.", ["See e.g. the report.", "It is long."]),
    (
        "No. 10 Downing St. is in London. It is old.",
        ["No. 10 Downing St. is in London.", "It is old."],
    ),
    (
        "First paragraph ends\nSecond paragraph starts.",
        ["First paragraph ends", "Second paragraph starts."],
    ),
    (
        "A line wrapped\nin the middle of a sentence.",
        ["A line wrapped\nin the middle of a sentence."],
    ),
    ("Gov. Newsom spoke (briefly). He left.", ["Gov. Newsom spoke (briefly).", "He left."]),
    (
        "Version 2.0 shipped in 2023. It sold well.",
        ["Version 2.0 shipped in 2023.", "It sold well."],
    ),
    ("", []),
    ("   \n\n  ", []),
    ("No final punctuation", ["No final punctuation"]),
]


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_hard_cases(text: str, expected: list[str]) -> None:
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_paragraphs_are_numbered() -> None:
    text = "One. Two.\n\nThree.\nFour. Five."
    got = [(s.number, s.paragraph, s.text) for s in split_sentences(text)]
    assert got == [
        (1, 1, "One."),
        (2, 1, "Two."),
        (3, 2, "Three."),
        (4, 3, "Four."),
        (5, 3, "Five."),
    ]


def test_bundled_article() -> None:
    text = resources.files("index").joinpath("data", "deepseek.txt").read_text("utf-8")
    sentences = split_sentences(text)
    assert len(sentences) == 11
    assert max(s.paragraph for s in sentences) == 5
    assert [s.number for s in sentences] == list(range(1, 12))
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert text.count("U.S.") == 5
    assert not any(s.text.endswith("U.S.") for s in sentences)
    assert sentences[3].text.startswith("DeepSeek\u2019s AI model, powered by")
    assert sentences[3].text.endswith("on similar models.")
