"""Article Assistant: ask questions about news articles, get answers with cited sentences."""

from assistant.answer import Answer, Citation
from assistant.core import Assistant, Turn
from assistant.errors import AssistantError, BadQuestion

__all__ = ["Answer", "Assistant", "AssistantError", "BadQuestion", "Citation", "Turn"]
