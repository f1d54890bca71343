"""Answers as terminal text: the answer, then numbered footnotes for the cited sentences."""

from __future__ import annotations

import textwrap
from typing import Any

from assistant.answer import Answer, Citation

__all__ = ["render_answer", "render_library", "render_sources", "render_streamed"]

WIDTH = 100


def render_answer(answer: Answer) -> str:
    """The answer with its citations as footnotes; quotes a sentence the text does not hold."""
    return "\n".join([_wrap(answer.answer), *_footnotes(answer)])


def render_streamed(answer: Answer, streamed: str) -> str:
    """What follows a streamed answer: the checked text if it differs, then the footnotes."""
    same = " ".join(streamed.split()) == " ".join(answer.answer.split())
    head = [""] if same else ["", "", "Checked against the article:", _wrap(answer.answer)]
    return "\n".join([*head, *_footnotes(answer)])  # the first "" ends the streamed line


def _footnotes(answer: Answer) -> list[str]:
    lines: list[str] = []
    if answer.citations:
        lines.append("")
        if not answer.answered:
            lines.append("Related sentences:")
    for c in answer.citations:
        place = _place(c)
        if c.text in answer.answer:
            lines.append(f"  [{c.n}] {place}")
        else:
            lines.append(_wrap(f"[{c.n}] “{c.text}”", indent="  ", hang="      "))
            lines.append(f"      — {place}")
    if answer.unsupported:
        lines.append(
            f"({len(answer.unsupported)} sentence(s) the article does not support were removed.)"
        )
    lines.extend(f"({notice})" for notice in answer.notices)
    return lines


def render_sources(answer: Answer | None) -> str:
    """Every cited sentence of the last answer, in full, with its place in the article."""
    if answer is None or not answer.citations:
        return "No sources yet: the last answer cited no sentence."
    lines = [f"Searched for: {answer.query}", ""] if answer.query else []
    for c in answer.citations:
        role = "" if c.role == "cited" else " (related)"
        lines.append(_wrap(f"[{c.n}]{role} “{c.text}”", hang="    "))
        place = f"— {_place(c)}, characters {c.start}–{c.end}, relevance {c.score:.2f}"
        lines.append(_wrap(place, indent="    ", hang="      "))
    return "\n".join(lines)


def render_library(rows: list[dict[str, Any]]) -> str:
    """The `list --json` rows as a table: id, sentences, published, added, title, source."""
    header = {"id": "ID", "sentences": "SENTENCES", "published": "PUBLISHED", "added": "ADDED"}
    cells = [header] + [
        {
            "id": str(r["id"]),
            "sentences": str(r["sentences"]),
            "published": str(r["published"] or "-"),
            "added": str(r["added"])[:16].replace("T", " "),
        }
        for r in rows
    ]
    widths = {key: max(len(c[key]) for c in cells) for key in header}
    tails = ["TITLE  SOURCE"] + [f"{_cut(r['title'], 60)}  {r['source']}" for r in rows]
    return "\n".join(
        "  ".join(c[key].ljust(widths[key]) for key in header) + "  " + tail
        for c, tail in zip(cells, tails)
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _place(c: Citation) -> str:
    title = c.title or c.document
    page = f"page {c.page}, " if c.page else ""
    return f"{title} ({c.document}), {page}paragraph {c.paragraph}, sentence {c.sentence}"


def _wrap(text: str, indent: str = "", hang: str = "") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=hang or indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
