import pytest

from assistant.citations import Claim, parse_claims, renumber, verify

SOURCES = {
    1: "DeepSeek’s AI model, powered by the DeepSeek-V3 framework, was reportedly trained for "
    "just $6 million, much less than the billions spent by U.S. firms on similar models.",
    2: "Liang Wenfeng, the founder of DeepSeek, which launched in 2023, has previously mentioned "
    "the company’s focus on balancing cost and performance.",
}


def test_parse_claims_reads_markers() -> None:
    text = "It cost $6 million [1]. Liang Wenfeng founded it in 2023 [2][1]. Also [1, 2]. Loose."
    assert parse_claims(text) == [
        Claim("It cost $6 million.", (1,)),
        Claim("Liang Wenfeng founded it in 2023.", (2, 1)),
        Claim("Also.", (1, 2)),
        Claim("Loose.", ()),
    ]


@pytest.mark.parametrize(
    ("claim", "supported", "reason"),
    [
        (Claim("DeepSeek trained its model for $6 million.", (1,)), True, ""),
        (Claim("Liang Wenfeng founded DeepSeek in 2023.", (2,)), True, ""),
        (Claim("DeepSeek trained its model for $60 million.", (1,)), False, "'60' is not"),
        (Claim("Google founded DeepSeek in 2023.", (2,)), False, "'Google' is not"),
        (Claim("DeepSeek was founded in 2021.", (2,)), False, "'2021' is not"),
        (Claim("Liang Wenfeng founded DeepSeek in 2023.", (1,)), False, "'2023' is not"),
        (Claim("The model was trained cheaply.", (7,)), False, "cites no known sentence"),
        (Claim("It brought wild celebrations and soaring profits.", (1,)), False, "of its words"),
        (Claim("The model cost $6 million.", ()), False, "cites no known sentence"),
    ],
)
def test_verify(claim: Claim, supported: bool, reason: str) -> None:
    verdict = verify(claim, SOURCES)
    assert verdict.supported is supported
    assert reason in verdict.reason


def test_renumber_by_first_use_and_drop_unknown() -> None:
    claims = [Claim("Founded in 2023.", (2, 9)), Claim("Cost $6 million.", (1, 2))]
    text, order = renumber(claims, SOURCES)
    assert order == [2, 1]
    assert text == "Founded in 2023. [1] Cost $6 million. [2][1]"


def test_markers_after_the_full_stop_belong_to_the_sentence() -> None:
    assert parse_claims("Founded in 2023. [1] Cost $6 million. [2][1]") == [
        Claim("Founded in 2023.", (1,)),
        Claim("Cost $6 million.", (2, 1)),
    ]
