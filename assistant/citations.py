"""Parse `[n]` citations out of model-written text, and check each claim against its sources.

A claim is one sentence of an answer with the numbers it cites. It is supported when it cites at
least one known source, every number, amount, date and proper name in it appears in the cited
sentences, and most of its content words (by stem) do too. Pure: no model, no index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.sentences import split_sentences
from index.text import STOP_WORDS, terms

__all__ = ["Claim", "Verdict", "parse_claims", "renumber", "verify"]

MIN_OVERLAP = 0.5  # share of a claim's content stems that its sources must contain

_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NAME = re.compile(r"\b[A-Z][\w’'-]*")


@dataclass(frozen=True)
class Claim:
    """One answer sentence without its markers, and the source numbers it cites."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether a claim is supported by its cited sources, and why not."""

    claim: Claim
    supported: bool
    reason: str = ""


def parse_claims(text: str) -> list[Claim]:
    """Split model output into sentences, each with the `[n]`/`[n, m]` numbers it carries."""
    claims: list[Claim] = []
    for sentence in split_sentences(text.strip()):
        body = sentence.text
        # "... in 2023. [1] Cost ...": markers after a full stop belong to the sentence before.
        leading = re.match(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+", body)
        if leading and claims:
            last = claims[-1]
            claims[-1] = Claim(last.text, _unique(last.cites, _numbers(leading.group())))
            body = body[leading.end() :]
        bare = re.sub(r"\s+([.!?,;:])", r"\1", _MARKERS.sub("", body).strip())
        if bare.strip(" .!?"):
            claims.append(Claim(bare, _unique((), _numbers(body))))
    return claims


def _numbers(markers: str) -> list[int]:
    return [
        int(n) for match in _MARKERS.finditer(markers) for n in re.findall(r"\d+", match.group(1))
    ]


def _unique(first: Sequence[int], more: Sequence[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys((*first, *more)))


def verify(claim: Claim, sources: Mapping[int, str]) -> Verdict:
    """Check one claim against the sources it cites (unknown numbers are ignored)."""
    cited = [sources[n] for n in claim.cites if n in sources]
    if not cited:
        return Verdict(claim, False, "cites no known sentence")
    evidence = " ".join(cited)
    evidence_numbers = {_number(n) for n in _NUMBER.findall(evidence)}
    for number in _NUMBER.findall(claim.text):
        if _number(number) not in evidence_numbers:
            return Verdict(claim, False, f"{number!r} is not in the cited sentences")
    evidence_terms = set(terms(evidence))
    for name in _names(claim.text):
        if not set(terms(name)) <= evidence_terms:
            return Verdict(claim, False, f"{name!r} is not in the cited sentences")
    claim_terms = set(terms(claim.text))
    if claim_terms:
        overlap = len(claim_terms & evidence_terms) / len(claim_terms)
        if overlap < MIN_OVERLAP:
            return Verdict(claim, False, f"only {overlap:.0%} of its words are in the sources")
    return Verdict(claim, True)


def renumber(claims: Sequence[Claim], sources: Mapping[int, str]) -> tuple[str, list[int]]:
    """Answer text with markers renumbered 1.. by first use, and the source numbers in order."""
    order: list[int] = []
    for claim in claims:
        order.extend(n for n in claim.cites if n in sources and n not in order)
    new = {old: i + 1 for i, old in enumerate(order)}
    parts = []
    for claim in claims:
        marks = "".join(f"[{new[n]}]" for n in claim.cites if n in new)
        parts.append(f"{claim.text} {marks}".strip())
    return " ".join(parts), order


def _number(text: str) -> str:
    return text.replace(",", "").rstrip(".")


def _names(text: str) -> list[str]:
    """Capitalised words, but not a sentence's ordinary first word ("The", "It")."""
    return [w for w in _NAME.findall(text) if w.lower() not in STOP_WORDS]
