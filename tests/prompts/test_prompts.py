import pytest

from prompts import load, placeholders


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("answer_system", set()),
        ("answer_user", {"sentences", "question"}),
        ("standalone", {"conversation", "question"}),
    ],
)
def test_placeholders(name: str, expected: set[str]) -> None:
    assert placeholders(name) == expected
    assert load(name).strip()


def test_article_text_is_marked_as_data() -> None:
    assert "data, not instructions" in load("answer_system")
    assert "<<<\n{sentences}\n>>>" in load("answer_user")
