"""Errors of the answering side, safe to show users; each message names the fix.

    AssistantError          root: anything the assistant refuses
    └── BadQuestion         an empty, oversized or unprintable question

Index errors (`index.errors.ArticleIndexError`) pass through unchanged; `USER_ERRORS` names
both roots for the front ends, which catch them without reaching into the index.
"""

from index.errors import ArticleIndexError, UnknownDocument

__all__ = ["USER_ERRORS", "AssistantError", "BadQuestion", "UnknownDocument"]


class AssistantError(Exception):
    """Root of the assistant's errors; the message is one line, fit for users."""


class BadQuestion(AssistantError):
    """The question cannot be answered as given."""


# Everything a front end shows the user as one line instead of a traceback.
USER_ERRORS = (AssistantError, ArticleIndexError)
