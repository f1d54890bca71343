"""Settings from the environment: the only module that reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "SlackSettings"]

APP_NAME = "article-assistant"


@dataclass(frozen=True)
class Settings:
    """Where the index lives, which store to use, and which model writes answers."""

    home: Path
    chroma_url: str | None = None
    llm: str | None = None  # a LangChain init_chat_model string, or llamacpp:PATH.gguf
    llm_timeout: float = 60.0  # seconds per model request (ASSISTANT_LLM_TIMEOUT)
    chroma_timeout: float = 30.0  # seconds per Chroma server request (ASSISTANT_CHROMA_TIMEOUT)
    lock_timeout: float = 120.0  # seconds a writer waits for another (ASSISTANT_LOCK_TIMEOUT)
    models: Path | None = None  # where the exported encoder lives (ASSISTANT_MODELS)

    @property
    def encoder(self) -> Path:
        """The ONNX export of the sentence encoder, made at set-up or on first use."""
        from index.export import ENCODER_FILE

        return (self.models or Path(_default_cache())) / ENCODER_FILE

    @classmethod
    def from_env(cls, home: Path | str | None = None, llm: str | None = None) -> Settings:
        """Settings from ASSISTANT_HOME, ASSISTANT_CHROMA_URL and ASSISTANT_LLM; arguments win."""
        if home is None:
            home = os.environ.get("ASSISTANT_HOME") or _default_home()
        return cls(
            home=Path(home).expanduser(),
            chroma_url=os.environ.get("ASSISTANT_CHROMA_URL") or None,
            llm=llm or os.environ.get("ASSISTANT_LLM") or None,
            llm_timeout=_seconds("ASSISTANT_LLM_TIMEOUT", "60"),
            chroma_timeout=_seconds("ASSISTANT_CHROMA_TIMEOUT", "30"),
            lock_timeout=_seconds("ASSISTANT_LOCK_TIMEOUT", "120"),
            models=Path(os.environ["ASSISTANT_MODELS"])
            if os.environ.get("ASSISTANT_MODELS")
            else None,
        )


@dataclass(frozen=True)
class SlackSettings:
    """Slack's own variable names, plus ASSISTANT_SLACK_API_URL for another Web API base URL."""

    bot_token: str | None
    app_token: str | None
    signing_secret: str | None
    api_url: str | None

    @classmethod
    def from_env(cls) -> SlackSettings:
        """The settings from SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET."""
        return cls(
            bot_token=os.environ.get("SLACK_BOT_TOKEN") or None,
            app_token=os.environ.get("SLACK_APP_TOKEN") or None,
            signing_secret=os.environ.get("SLACK_SIGNING_SECRET") or None,
            api_url=os.environ.get("ASSISTANT_SLACK_API_URL") or None,
        )


def _seconds(name: str, default: str) -> float:
    from assistant.errors import AssistantError

    value = os.environ.get(name) or default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise AssistantError(
            f"{name}={value} is not a number of seconds; set it to e.g. {default}."
        )
    return seconds


def _default_home() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


def _default_cache() -> str:
    import platformdirs

    return str(Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "models")
