"""Text from articles, titles and models made safe to print: nothing in it is ever interpreted.

An article is written by someone else. Printed raw, its escape sequences could retitle the
terminal, write to the clipboard (OSC 52), hide a link (OSC 8), clear the screen, move the cursor,
or backspace over a figure so a quote reads differently from the stored sentence. `visible` shows
every control character as a visible escape (`\\x1b`, `\\x08`, `\\x9b`), as do the marks that
reorder text (bidi overrides); line breaks and tabs stay. `json_line` escapes the same characters
that `json.dumps` leaves raw (C1 controls, DEL, line and paragraph separators).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_line", "one_line", "visible"]

# C0 controls but tab and newline, DEL, C1 controls, and bidi overrides and isolates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw that a terminal or a JavaScript parser reads.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with each control character shown as its escape, never sent to the terminal."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """`visible(text)` on one line: line breaks and runs of spaces become one space."""
    return " ".join(visible(text).split())


def json_line(value: Any) -> str:
    """One line of JSON, non-ASCII readable, with every C0 and C1 control character escaped."""
    encoded = json.dumps(value, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
