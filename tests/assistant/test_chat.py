"""The chat loop with a streaming answerer: text as it comes, then the checked answer."""

from collections.abc import Iterator, Sequence

from assistant.answer import Answer, Citation, Turn
from assistant.chat import Conversation, run_chat

CITATION = Citation(
    n=1,
    document="deepseek",
    sentence=4,
    text="It cost $6 million.",
    start=0,
    end=19,
    score=0.7,
    paragraph=2,
    title="DeepSeek",
)


def answer(text: str, unsupported: tuple[str, ...] = ()) -> Answer:
    return Answer(
        question="q",
        answer=text,
        answered=True,
        citations=(CITATION,),
        answerer="fake",
        unsupported=unsupported,
    )


def streaming(final: Answer, chunks: list[str]):  # type: ignore[no-untyped-def]
    def stream(
        question: str, history: Sequence[Turn], documents: Sequence[str]
    ) -> Iterator[str | Answer]:
        yield from chunks
        yield final

    return stream


def run(final: Answer, chunks: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    conversation = Conversation(lambda q, h, d: final, streaming(final, chunks))
    run_chat(
        conversation,
        ["How much?"],
        lambda t: out.append(("line", t)),
        write_partial=lambda t: out.append(("partial", t)),
    )
    assert conversation.last == final
    return out


def test_streamed_text_then_footnotes() -> None:
    out = run(answer("Training cost $6 million. [1]"), ["Training cost ", "$6 million. [1]"])
    assert out == [
        ("partial", "Training cost "),
        ("partial", "$6 million. [1]"),
        (
            "line",
            "\n\n  [1] “It cost $6 million.”\n      — DeepSeek (deepseek), paragraph 2, sentence 4",
        ),
    ]


def test_checked_answer_shown_when_the_verifier_changed_it() -> None:
    final = answer("Training cost $6 million. [1]", unsupported=("Google bought it.",))
    out = run(final, ["Training cost $6 million [1]. ", "Google bought it [3]."])
    checked = out[-1][1]
    assert checked.startswith("\n\nChecked against the article:\nTraining cost $6 million. [1]")
    assert checked.endswith("(1 sentence(s) the article does not support were removed.)")
