"""The chat loop: reads lines, runs commands, keeps the conversation; knows nothing of models.

`Conversation` holds the turns and asks through a callback. `run_chat` drives it with any line
reader (prompt_toolkit at a terminal, plain stdin otherwise) and any writer, so tests feed it
a script and compare the transcript. `run_json_chat` is the one-JSON-object-a-line protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from assistant.answer import Answer, Turn
from assistant.errors import USER_ERRORS
from assistant.render import render_answer, render_sources, render_streamed
from assistant.terminal import json_line

__all__ = ["COMMANDS", "Conversation", "run_chat", "run_json_chat"]

# (question, earlier turns, article ids to answer from: empty for all)
Ask = Callable[[str, Sequence[Turn], Sequence[str]], Answer]
Stream = Callable[[str, Sequence[Turn], Sequence[str]], Iterable[str | Answer]]

COMMANDS = {
    "/help": "show this help",
    "/sources": "the sentences the last answer cited, in full, with their place in the article",
    "/reset": "start a new conversation",
    "/doc": "/doc ID [ID...] answers from those articles only; /doc all from every article",
    "/quit": "leave (Ctrl-D works too)",
}


class Conversation:
    """The turns so far; each question is asked with them as history."""

    def __init__(self, ask: Ask, stream: Stream | None = None) -> None:
        self._ask = ask
        self._stream = stream
        self.turns: list[Turn] = []
        self.documents: tuple[str, ...] = ()  # the articles answers come from; () for all

    def ask(self, question: str) -> Answer:
        """Ask with the conversation so far, and remember the exchange."""
        answer = self._ask(question, tuple(self.turns), self.documents)
        self.turns.append(Turn(question, answer))
        return answer

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Text as it is written (if the answerer streams), then the Answer, remembered."""
        if self._stream is None:
            yield self.ask(question)
            return
        for item in self._stream(question, tuple(self.turns), self.documents):
            if isinstance(item, Answer):
                self.turns.append(Turn(question, item))
            yield item

    @property
    def last(self) -> Answer | None:
        """The most recent answer, if any."""
        return self.turns[-1].answer if self.turns else None

    def reset(self) -> None:
        """Forget the conversation."""
        self.turns.clear()

    def limit(self, arguments: Sequence[str]) -> str:
        """Run `/doc`: limit answers to these article ids ("all": no limit); says what holds."""
        if arguments:
            self.documents = () if [a.lower() for a in arguments] == ["all"] else tuple(arguments)
        if not self.documents:
            return "Answering from every article."
        return "Answering from: " + ", ".join(self.documents) + " (/doc all to undo)."


def help_text() -> str:
    """The commands, one a line."""
    width = max(map(len, COMMANDS))
    return "\n".join(f"  {name:<{width}}  {what}" for name, what in COMMANDS.items())


def run_chat(
    conversation: Conversation,
    lines: Iterable[str],
    write: Callable[[str], None],
    write_partial: Callable[[str], None] | None = None,
) -> None:
    """The interactive loop: questions are answered, `/commands` run, until /quit or EOF."""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            command = line.split()[0].lower()
            if command in ("/quit", "/exit", "/q"):
                return
            if command == "/help":
                write(help_text())
            elif command == "/sources":
                write(render_sources(conversation.last))
            elif command == "/reset":
                conversation.reset()
                write("New conversation.")
            elif command == "/doc":
                write(conversation.limit(line.split()[1:]))
            else:
                write(f"Unknown command {command}; type /help for the commands.")
            continue
        try:
            streamed = ""
            for item in conversation.stream(line):
                if isinstance(item, str):
                    streamed += item
                    (write_partial or write)(item)
                elif streamed:
                    write(render_streamed(item, streamed))
                else:
                    write(render_answer(item))
        except USER_ERRORS as exc:
            write(f"Error: {exc}")


def run_json_chat(
    conversation: Conversation, lines: Iterable[str], write: Callable[[str], None]
) -> None:
    """One message a line in, exactly one JSON object a line out."""
    for line in lines:
        message = line.rstrip("\n")
        if message.strip().lower() in ("/quit", "/exit"):
            write(json_line({"command": "quit"}))
            return
        write(json_line(_json_reply(conversation, message)))


def _json_reply(conversation: Conversation, message: str) -> dict[str, Any]:
    if message.startswith("/"):
        command = message.split()[0].lower()
        if command == "/reset":
            conversation.reset()
            return {"command": "reset"}
        if command == "/sources":
            last = conversation.last
            return {
                "command": "sources",
                "query": last.query if last else None,
                "citations": last.to_dict()["citations"] if last else [],
            }
        if command == "/help":
            return {"command": "help", "commands": COMMANDS}
        if command == "/doc":
            conversation.limit(message.split()[1:])
            return {"command": "doc", "documents": list(conversation.documents)}
        return {"error": f"unknown command {command}; send /help for the commands."}
    try:
        return conversation.ask(message).to_dict()
    except USER_ERRORS as exc:
        return {"error": str(exc)}
