"""The Slack bot: the only module that imports slack_bolt.

Listeners only check an event and hand it to a bounded pool, so Bolt acknowledges within
milliseconds and one slow answer never holds up another. Each message is answered once: a
retry (`X-Slack-Retry-Num`) or a second delivery of the same message is recognised by the
message's channel and timestamp. A thread is a conversation: its earlier questions come from
`conversations.replies` once, then from memory. Errors are logged with their traceback; the user
gets a fixed friendly sentence. Tokens never reach the logs.

Limits: the once-only memory is per process; several workers behind one Events API URL need a
shared store for it (or Socket Mode, which delivers each event to one connection).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.answer import Asks, Turn
from assistant.config import SlackSettings
from assistant.errors import AssistantError, UnknownDocument
from assistant.slack_format import (
    FRIENDLY_ERROR,
    RATE_LIMITED,
    message,
    plain_message,
    question_text,
    without_documents,
)

__all__ = [
    "RedactTokens",
    "SlackBot",
    "build_app",
    "check_settings",
    "register",
    "run_socket_mode",
    "serve_http",
]

log = logging.getLogger(__name__)

WORKERS = 4
PER_USER = (6, 60.0)  # questions, seconds
THINKING = "eyes"
WEB_API_TIMEOUT = 30  # seconds per Web API call; a reply that takes longer is checked, then retried
POST_ATTEMPTS = 3
ANSWER_EVENT = "article_assistant_answer"  # metadata on each reply: which question it answers


def check_settings(settings: SlackSettings, *, http: bool) -> None:
    """An AssistantError naming the variable to set, if one the chosen mode needs is missing."""
    if not settings.bot_token:
        raise AssistantError(
            "SLACK_BOT_TOKEN is not set; create the app from "
            "slack/manifest.yml, install it, and set its bot token."
        )
    if http and not settings.signing_secret:
        raise AssistantError(
            "SLACK_SIGNING_SECRET is not set; copy it from the app's "
            "Basic Information page, or drop --http to use Socket Mode."
        )
    if not http and not settings.app_token:
        raise AssistantError(
            "SLACK_APP_TOKEN is not set; make an app-level token with "
            "connections:write, or use --http with SLACK_SIGNING_SECRET."
        )


def build_app(
    assistant: Asks,
    settings: SlackSettings,
    *,
    timeout: float = WEB_API_TIMEOUT,
    **bot_options: Any,
) -> App:
    """A Bolt app answering with `assistant`; its Web API client honours `api_url`."""
    if not settings.bot_token:
        check_settings(settings, http=True)
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url or WebClient.BASE_URL,
        timeout=int(timeout) or 1,
    )
    # A 429 did nothing and says when to come back: safe to retry. slack_sdk's default retry
    # on a dropped connection could post twice; `SlackBot._post` checks before it retries.
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=2)]
    try:  # Bolt checks the token with auth.test here
        app = App(
            client=client, signing_secret=settings.signing_secret or "", name="article-assistant"
        )
    except (BoltError, SlackApiError) as exc:
        raise AssistantError(
            f"Slack did not accept SLACK_BOT_TOKEN ({type(exc).__name__}); "
            "check the token and ASSISTANT_SLACK_API_URL."
        ) from exc
    register(app, assistant, **bot_options)
    return app


def register(app: App, assistant: Asks, **bot_options: Any) -> SlackBot:
    """Add the assistant's listeners to an app you already have; returns the bot."""
    bot = SlackBot(assistant, **bot_options)
    app.event("app_mention")(bot.on_mention)
    app.event("message")(bot.on_message)
    return bot


class SlackBot:
    """Answers mentions and direct messages in their threads."""

    def __init__(
        self,
        assistant: Asks,
        *,
        workers: int = WORKERS,
        per_user: tuple[int, float] = PER_USER,
        retry_wait: float = 1.0,
    ) -> None:
        self._assistant = assistant
        self._retry_wait = retry_wait  # seconds before the second post attempt, doubling
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="slack-answer")
        self._seen = _Seen()
        self._limit = _RateLimit(*per_user)
        self._threads = _ThreadMemory()

    # --- listeners: cheap checks, then the pool ----------------------------------------------

    def on_mention(self, event: dict[str, Any], client: WebClient) -> None:
        """`app_mention` in a channel."""
        self._accept(event, client)

    def on_message(self, event: dict[str, Any], client: WebClient) -> None:
        """`message.im`; edits, joins, bot posts and other subtypes are ignored."""
        if event.get("channel_type") == "im":
            self._accept(event, client)

    def _accept(self, event: dict[str, Any], client: WebClient) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, and bots (ourselves included)
        if self._seen.first(f"{event.get('channel')}:{event.get('ts')}"):
            self._pool.submit(self._answer, event, client)

    # --- the work, after the ack ---------------------------------------------------------------

    def _answer(self, event: dict[str, Any], client: WebClient) -> None:
        channel, ts = event["channel"], event["ts"]
        thread = event.get("thread_ts") or ts
        if not self._limit.allow(event["user"]):
            self._post(client, channel, thread, ts, plain_message(RATE_LIMITED))
            return
        self._react(client.reactions_add, channel, ts)
        try:
            reply = self._reply(client, event, thread)
        except (AssistantError, UnknownDocument) as exc:
            reply = plain_message(str(exc))  # for users: an unusable question or `doc:` id
        except Exception:
            log.exception("answering %s:%s failed", channel, ts)
            reply = plain_message(FRIENDLY_ERROR)
        self._post(client, channel, thread, ts, reply)
        self._react(client.reactions_remove, channel, ts)

    def _reply(self, client: WebClient, event: dict[str, Any], thread: str) -> dict[str, Any]:
        question, documents = without_documents(question_text(event.get("text", "")))
        history = self._threads.history(
            client, self._assistant, event["channel"], thread, before=event["ts"]
        )
        answer = self._assistant.ask(question, history, documents)
        self._threads.remember(event["channel"], thread, event["ts"], Turn(question, answer))
        return message(answer)

    def _post(
        self, client: WebClient, channel: str, thread: str, ts: str, reply: dict[str, Any]
    ) -> None:
        """Post the reply to the message `ts` exactly once, though Slack may fail or time out.

        A 500 or a timeout may come after the message landed, so before trying again the
        thread is read for a reply that carries this question's key in its metadata.
        """
        key = f"{channel}:{ts}"
        metadata = {"event_type": ANSWER_EVENT, "event_payload": {"question": key}}
        for attempt in range(1, POST_ATTEMPTS + 1):
            if attempt > 1:
                time.sleep(self._retry_wait * (attempt - 1))
                landed = self._landed(client, channel, thread, key)
                if landed is None:
                    continue  # cannot tell yet: posting again might post twice
                if landed:
                    return
            try:
                client.chat_postMessage(
                    channel=channel, thread_ts=thread, metadata=metadata, **reply
                )
                return
            except SlackApiError as exc:
                status = exc.response.status_code
                if status < 500:  # refused (a 429 was already retried by the client)
                    log.error(
                        "chat.postMessage to %s failed: %s", channel, exc.response.get("error")
                    )
                    return
                log.warning("chat.postMessage to %s failed with HTTP %s", channel, status)
            except Exception as exc:  # a timeout or a dropped connection
                log.warning("chat.postMessage to %s failed: %s", channel, type(exc).__name__)
        log.error(
            "chat.postMessage to %s failed %d times; %s is not answered",
            channel,
            POST_ATTEMPTS,
            key,
        )

    @staticmethod
    def _landed(client: WebClient, channel: str, thread: str, key: str) -> bool | None:
        """Whether a reply to `key` is in the thread (None if the thread cannot be read)."""
        try:
            messages = client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=200
            )["messages"]
        except Exception as exc:
            log.warning("conversations.replies on %s failed: %s", channel, type(exc).__name__)
            return None
        return any(
            (m.get("metadata") or {}).get("event_payload", {}).get("question") == key
            for m in messages or []
        )

    @staticmethod
    def _react(call: Callable[..., Any], channel: str, ts: str) -> None:
        try:
            call(channel=channel, timestamp=ts, name=THINKING)
        except Exception as exc:  # progress is a courtesy; never let it stop an answer
            log.warning("reaction on %s:%s failed: %s", channel, ts, type(exc).__name__)

    def close(self) -> None:
        """Finish the answers under way."""
        self._pool.shutdown(wait=True)


class _Seen:
    """Message keys answered recently (bounded), so a redelivery is not answered twice."""

    def __init__(self, size: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


class _RateLimit:
    """At most `count` questions per user in any `seconds` window."""

    def __init__(self, count: int, seconds: float) -> None:
        self._count, self._seconds = count, seconds
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, user: str) -> bool:
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault(user, deque())
            while times and now - times[0] > self._seconds:
                times.popleft()
            if len(times) >= self._count:
                return False
            times.append(now)
            return True


class _ThreadMemory:
    """The turns of each thread: read once from conversations.replies, then kept up to date."""

    def __init__(self, size: int = 1000) -> None:
        self._threads: OrderedDict[tuple[str, str], dict[str, Turn]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def history(
        self, client: WebClient, assistant: Asks, channel: str, thread: str, before: str
    ) -> list[Turn]:
        key = (channel, thread)
        with self._lock:
            known = self._threads.get(key)
        if known is None and thread != before:
            known = self._load(client, assistant, channel, thread)
        turns = dict(known or {})
        return [turns[ts] for ts in sorted(turns, key=float) if float(ts) < float(before)]

    def remember(self, channel: str, thread: str, ts: str, turn: Turn) -> None:
        with self._lock:
            self._threads.setdefault((channel, thread), {})[ts] = turn
            self._threads.move_to_end((channel, thread))
            while len(self._threads) > self._size:
                self._threads.popitem(last=False)

    def _load(
        self, client: WebClient, assistant: Asks, channel: str, thread: str
    ) -> dict[str, Turn]:
        """Earlier questions of a thread we have not seen (e.g. after a restart), re-answered."""
        messages = client.conversations_replies(channel=channel, ts=thread, limit=50)["messages"]
        turns: dict[str, Turn] = {}
        for m in messages or []:
            if m.get("bot_id") or m.get("subtype") or not m.get("user"):
                continue
            question = question_text(m.get("text", ""))
            try:
                earlier = [turns[t] for t in sorted(turns, key=float)]
                turns[m["ts"]] = Turn(question, assistant.ask(question, earlier))
            except AssistantError:
                continue
        with self._lock:
            self._threads[(channel, thread)] = turns
        return turns


_TOKEN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """A logging filter that masks Slack tokens in messages and tracebacks it passes on."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _TOKEN.search(text):
            record.msg, record.args = _TOKEN.sub("xox…", text), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters reuse exc_text once it is set: make it the redacted traceback.
            record.exc_text = _TOKEN.sub("xox…", record.exc_text)
        return True


def serve_http(app: App, *, host: str = "0.0.0.0", port: int = 3000) -> Any:
    """A threaded WSGI server for the Events API at Bolt's path, /slack/events (not started)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from slack_bolt.adapter.wsgi import SlackRequestHandler

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    return make_server(
        host, port, SlackRequestHandler(app), server_class=Server, handler_class=QuietHandler
    )


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL) and serve until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
