"""Errors of the answering side, safe to show users; each message names the fix.

    AssistantError          root: anything the assistant refuses
    └── BadQuestion         an empty, oversized or unprintable question

Index errors (`index.errors.ArticleIndexError`) pass through unchanged; front ends catch both.
"""

__all__ = ["AssistantError", "BadQuestion"]


class AssistantError(Exception):
    """Root of the assistant's errors; the message is one line, fit for users."""


class BadQuestion(AssistantError):
    """The question cannot be answered as given."""
