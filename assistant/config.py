"""Settings from the environment: the only module that reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]

APP_NAME = "article-assistant"


@dataclass(frozen=True)
class Settings:
    """Where the index lives and which store to use."""

    home: Path
    chroma_url: str | None = None

    @classmethod
    def from_env(cls, home: Path | str | None = None) -> Settings:
        """Settings from ASSISTANT_HOME and ASSISTANT_CHROMA_URL; `home` overrides the former."""
        if home is None:
            home = os.environ.get("ASSISTANT_HOME") or _default_home()
        return cls(
            home=Path(home).expanduser(), chroma_url=os.environ.get("ASSISTANT_CHROMA_URL") or None
        )


def _default_home() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)
