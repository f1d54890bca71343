"""Settings from the environment: the only module that reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]

APP_NAME = "article-assistant"


@dataclass(frozen=True)
class Settings:
    """Where the index lives, which store to use, and which model writes answers."""

    home: Path
    chroma_url: str | None = None
    llm: str | None = None  # a LangChain init_chat_model string, or llamacpp:PATH.gguf

    @classmethod
    def from_env(cls, home: Path | str | None = None, llm: str | None = None) -> Settings:
        """Settings from ASSISTANT_HOME, ASSISTANT_CHROMA_URL and ASSISTANT_LLM; arguments win."""
        if home is None:
            home = os.environ.get("ASSISTANT_HOME") or _default_home()
        return cls(
            home=Path(home).expanduser(),
            chroma_url=os.environ.get("ASSISTANT_CHROMA_URL") or None,
            llm=llm or os.environ.get("ASSISTANT_LLM") or None,
        )


def _default_home() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)
