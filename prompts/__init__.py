"""Prompt templates, stored as text files beside this module and loaded by name."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

__all__ = ["load", "placeholders"]


@cache
def load(name: str) -> str:
    """The template `name` (a file `NAME.txt` in this package)."""
    return resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")


def placeholders(name: str) -> set[str]:
    """The `{placeholder}` names a template expects."""
    return {field for _, field, _, _ in string.Formatter().parse(load(name)) if field}
