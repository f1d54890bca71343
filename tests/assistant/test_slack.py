"""The Slack bot end to end: the real Bolt app behind its real HTTP endpoint, signed events,
and a local stand-in of Slack's Web API recording what the bot does."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from assistant import Answer, Assistant
from assistant.answer import Turn
from assistant.config import SlackSettings
from assistant.slack import RedactTokens, build_app, serve_http
from assistant.slack_format import (
    FRIENDLY_ERROR,
    RATE_LIMITED,
    message,
    question_text,
    without_documents,
)

from .slack_standin import BOT_ID, BOT_USER, WebAPI, deliver, event_payload, serve_web_api

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1111-2222-abcdefghijklmnop"
_ts = iter(range(1, 1_000_000))


def new_ts() -> str:
    return f"{1_700_000_000 + next(_ts)}.000100"


@dataclass
class Bot:
    api: WebAPI
    url: str

    def send(self, event: dict[str, Any], **options: Any) -> tuple[int, float]:
        event_id = options.pop("event_id", None)
        return deliver(self.url, event_payload(event, event_id), secret=SECRET, **options)

    def posts(self, count: int = 1) -> list[dict[str, Any]]:
        return [c.params for c in self.api.wait_for("chat.postMessage", count)]


def mention(
    text: str,
    *,
    user: str = "U1",
    thread: str | None = None,
    ts: str | None = None,
    channel: str = "C1",
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts or new_ts(),
        "channel": channel,
    }
    if thread:
        event["thread_ts"] = thread
    return event


def dm(text: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "text": text,
        "ts": new_ts(),
        "channel": "D1",
        **fields,
    }


@pytest.fixture
def bot_for(assistant: Assistant) -> Iterator[Any]:
    servers: list[Any] = []
    apis: list[WebAPI] = []

    def start(answerer: Any = assistant, **options: Any) -> Bot:
        api = WebAPI()
        apis.append(api)
        web, api_url = serve_web_api(api)
        settings = SlackSettings(
            bot_token=TOKEN, app_token=None, signing_secret=SECRET, api_url=api_url
        )
        app = build_app(answerer, settings, **options)
        http = serve_http(app, host="127.0.0.1", port=0)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        servers.extend([web, http])
        return Bot(api, f"http://127.0.0.1:{http.server_port}/slack/events")

    yield start
    for server in servers:
        server.shutdown()
    assert [problem for api in apis for problem in api.refused] == []  # every post well formed


@pytest.fixture
def bot(bot_for: Any) -> Bot:
    return bot_for()


def texts(node: Any) -> list[str]:
    """Every `text` string in a message or block, depth first."""
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if isinstance(node.get("text"), str) else []
    return own + [t for key in ("text", "elements", "blocks") for t in texts(node.get(key))]


def all_text(post: dict[str, Any]) -> str:
    return "\n".join(texts(post))


def quotes(post: dict[str, Any]) -> list[str]:
    """The quoted sentences: the text of each rich-text quote."""
    return [
        "".join(texts(element))
        for block in post["blocks"]
        if block["type"] == "rich_text"
        for element in block["elements"]
        if element["type"] == "rich_text_quote"
    ]


def test_mention_answered_in_thread_with_sources(bot: Bot) -> None:
    event = mention("Who founded DeepSeek?")
    status, seconds = bot.send(event)
    assert status == 200 and seconds < 3  # acknowledged well within Slack's 3 seconds
    [post] = bot.posts()
    assert post["channel"] == "C1" and post["thread_ts"] == event["ts"]
    text = all_text(post)
    assert post["text"].startswith("Liang Wenfeng")
    assert "*Sources*" in text
    assert quotes(post)[0].startswith("Liang Wenfeng, the founder of DeepSeek, which launched in")
    assert "DeepSeek's R1 shakes up the AI industry, paragraph 3" in text
    added = bot.api.wait_for("reactions.add")[0]
    removed = bot.api.wait_for("reactions.remove")[0]
    assert added.params["name"] == "eyes" and added.params["timestamp"] == event["ts"]
    post_call = bot.api.called("chat.postMessage")[0]
    assert added.at <= post_call.at <= removed.at


def test_direct_message(bot: Bot) -> None:
    event = dm("How much did it cost to train DeepSeek's model?")
    assert bot.send(event)[0] == 200
    [post] = bot.posts()
    assert post["channel"] == "D1" and post["thread_ts"] == event["ts"]
    assert post["text"].startswith("$6 million")


def test_follow_up_in_thread(bot: Bot) -> None:
    first = mention("Who founded DeepSeek?")
    bot.send(first)
    bot.posts(1)
    bot.send(mention("When was his company launched?", thread=first["ts"]))
    follow_up = bot.posts(2)[1]
    assert follow_up["thread_ts"] == first["ts"]
    assert follow_up["text"].startswith("2023")
    assert bot.api.called("conversations.replies") == []  # the thread was already in memory


def test_follow_up_in_a_thread_it_has_not_seen(bot: Bot) -> None:
    """After a restart the thread's earlier questions come from conversations.replies."""
    root = new_ts()
    bot.api.replies[("C1", root)] = [
        {
            "type": "message",
            "user": "U1",
            "text": f"<@{BOT_USER}> Who founded DeepSeek?",
            "ts": root,
        },
        {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER,
            "text": "Liang Wenfeng — ...",
            "ts": new_ts(),
        },
    ]
    bot.send(mention("When was his company launched?", thread=root))
    [post] = bot.posts()
    assert post["text"].startswith("2023")
    [replies] = bot.api.called("conversations.replies")
    assert replies.params["ts"] == root


def test_retry_and_duplicate_delivery_answer_once(bot: Bot) -> None:
    event = mention("Who founded DeepSeek?")
    assert bot.send(event, event_id="Ev-dup")[0] == 200
    assert bot.send(event, event_id="Ev-dup", retry=1)[0] == 200
    assert bot.send(event, event_id="Ev-dup")[0] == 200
    bot.posts(1)
    time.sleep(0.5)
    assert len(bot.api.called("chat.postMessage")) == 1


@pytest.mark.parametrize("tamper", ["signature", "stale"])
def test_bad_signature_or_stale_timestamp_rejected(bot: Bot, tamper: str) -> None:
    options: dict[str, Any] = (
        {"signature": "v0=" + "0" * 64}
        if tamper == "signature"
        else {"timestamp": int(time.time()) - 6 * 60}
    )
    status, _ = bot.send(mention("Who founded DeepSeek?"), **options)
    assert status == 401
    time.sleep(0.3)
    assert bot.api.called("chat.postMessage") == []


@pytest.mark.parametrize(
    "event",
    [
        dm("I am the bot", user=BOT_USER, bot_id=BOT_ID),
        dm("Another bot", user="U9", bot_id="BOTHER"),
        dm("edited", subtype="message_changed"),
        dm("", subtype="channel_join"),
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U1",
            "text": "chatter",
            "ts": "1700000000.000200",
            "channel": "C1",
        },
    ],
)
def test_ignored_messages(bot: Bot, event: dict[str, Any]) -> None:
    assert bot.send(event)[0] == 200
    time.sleep(0.3)
    assert bot.api.called("chat.postMessage") == []


class SlowAssistant:
    """The real assistant, but one question takes seconds."""

    def __init__(self, assistant: Assistant) -> None:
        self._assistant = assistant

    def ask(
        self, question: str, history: Sequence[Turn] = (), documents: Sequence[str] | None = None
    ) -> Answer:
        if "slowly" in question:
            time.sleep(2)
        return self._assistant.ask(question.replace("slowly", ""), history, documents)


def test_ten_concurrent_questions_and_a_slow_one(bot_for: Any, assistant: Assistant) -> None:
    bot = bot_for(SlowAssistant(assistant))
    bot.send(mention("slowly Who founded DeepSeek?", user="U0"))
    questions = [mention("How much value did Nvidia lose?", user=f"U{i + 1}") for i in range(10)]
    with ThreadPoolExecutor(10) as pool:
        acks = list(pool.map(bot.send, questions))
    assert all(status == 200 and seconds < 3 for status, seconds in acks)
    posts = bot.posts(11)
    assert {p["thread_ts"] for p in posts[:10]} == {q["ts"] for q in questions}
    assert posts[-1]["text"].startswith("Liang Wenfeng")  # the slow one came last


def answers_by_question(api: WebAPI) -> dict[str, int]:
    """How many replies landed for each question, by its key in the replies' metadata."""
    counts: dict[str, int] = {}
    for posted in api.posted():
        key = posted.get("metadata", {}).get("event_payload", {}).get("question")
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_a_500_that_did_nothing_is_posted_again(bot_for: Any) -> None:
    bot = bot_for(retry_wait=0.05)
    bot.api.fail("chat.postMessage", 500, {"ok": False, "error": "fatal_error"})
    event = mention("Who founded DeepSeek?")
    bot.send(event)
    bot.api.wait_for("reactions.remove")
    [post] = bot.api.posted()
    assert post["text"].startswith("Liang Wenfeng")
    assert answers_by_question(bot.api) == {f"C1:{event['ts']}": 1}


def test_a_post_that_landed_but_timed_out_is_not_posted_twice(bot_for: Any) -> None:
    bot = bot_for(retry_wait=0.05, timeout=1)
    bot.api.stall("chat.postMessage", 2.5)
    event = mention("Who founded DeepSeek?")
    bot.send(event)
    bot.api.wait_for("reactions.remove", timeout=30)
    assert len(bot.api.called("chat.postMessage")) == 1  # the thread showed it had landed
    assert answers_by_question(bot.api) == {f"C1:{event['ts']}": 1}


def test_a_burst_of_200_events_with_duplicates_and_failures(bot_for: Any) -> None:
    # A post that timed out may still be on its way: the bot waits a second before it looks.
    bot = bot_for(retry_wait=1.0, timeout=1, per_user=(1000, 60.0))
    for _ in range(4):
        bot.api.fail(
            "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        )
        bot.api.fail("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    for _ in range(3):
        bot.api.stall("chat.postMessage", 1.5)
    questions = [
        "Who founded DeepSeek?",
        "How much value did Nvidia lose?",
        "How much did it cost to train DeepSeek's model?",
        "Who doubted DeepSeek's figures?",
    ]
    events = [mention(questions[i % 4], user=f"U{i % 7}") for i in range(180)]
    sent = 0
    for i, event in enumerate(events):
        bot.send(event)
        sent += 1
        if i % 9 == 0:  # 10% arrive twice: a retry of the delivery, or the same event again
            bot.send(event, retry=1)
            sent += 1
    assert sent == 200
    keys = {f"C1:{event['ts']}" for event in events}
    deadline = time.monotonic() + 120
    while set(answers_by_question(bot.api)) != keys and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # any late duplicate would land by now
    assert answers_by_question(bot.api) == dict.fromkeys(keys, 1)  # each exactly once
    last = mention("Who founded DeepSeek?")
    bot.send(last)
    while f"C1:{last['ts']}" not in answers_by_question(bot.api):
        assert time.monotonic() < deadline + 30
        time.sleep(0.1)


def test_ratelimited_post_is_retried_after_the_wait(bot: Bot) -> None:
    bot.api.fail(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
    )
    bot.send(mention("Who founded DeepSeek?"))
    calls = bot.api.wait_for("chat.postMessage", 2)
    assert calls[1].at - calls[0].at >= 0.9  # Retry-After was honoured
    time.sleep(0.5)
    assert len(bot.api.called("chat.postMessage")) == 2  # one refused, one posted


def test_per_user_rate_limit(bot_for: Any) -> None:
    bot = bot_for(per_user=(2, 60.0))
    for _ in range(3):
        bot.send(mention("Who founded DeepSeek?", user="U7"))
    posts = bot.posts(3)
    assert sum(p["text"] == RATE_LIMITED for p in posts) == 1


class Exploding:
    def ask(
        self, question: str, history: Sequence[Turn] = (), documents: Sequence[str] | None = None
    ) -> Answer:
        raise RuntimeError(f"internal detail with {TOKEN}")


def test_errors_are_logged_not_shown_and_tokens_never_logged(bot_for: Any) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        bot = bot_for(Exploding())
        bot.send(mention("Who founded DeepSeek?"))
        [post] = bot.posts()
        bot.api.wait_for("reactions.remove")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert post["text"] == FRIENDLY_ERROR and "internal" not in all_text(post)
    logged = stream.getvalue()
    assert "Traceback" in logged and "RuntimeError: internal detail" in logged
    assert TOKEN not in logged and "xoxb-1111" not in logged


def test_bad_question_gets_its_one_line_reason(bot: Bot) -> None:
    bot.send(mention("   "))
    [post] = bot.posts()
    assert post["text"] == "the question is empty; type a question about the article."


def test_doc_limits_the_answer_to_an_article(bot: Bot) -> None:
    bot.send(mention("doc:deepseek Who founded DeepSeek?"))
    bot.send(mention("Who founded DeepSeek? doc:nope"))
    first, second = sorted(bot.posts(2), key=lambda post: post["text"])
    assert first["text"].startswith("Liang Wenfeng")
    assert second["text"] == "no article 'nope' in the index; see `assistant list`."


def test_without_documents() -> None:
    assert without_documents("doc:a Who? doc:b-2") == ("Who?", ["a", "b-2"])


def test_message_respects_slack_limits(assistant: Assistant) -> None:
    answer = assistant.ask("What is Nvidia's stock ticker?")
    built = message(answer)
    assert "*Related sentences*" in all_text(built)
    long = Answer(
        question="q",
        answer="word " * 2000,
        answered=True,
        citations=answer.citations * 30,
        answerer="x",
    )
    blocks = message(long)["blocks"]
    assert len(blocks) <= 50
    assert all(len(text) <= 3000 for text in texts(blocks))
    answer_blocks = blocks[: next(i for i, b in enumerate(blocks) if b["type"] == "context")]
    assert len(answer_blocks) == 4  # the answer is split, never cut short
    assert " ".join(all_text(b) for b in answer_blocks).split() == long.answer.split()


HOSTILE = (
    "Acme *earned* _$5 million_ ~last~ `year`, see https://evil.example and <@U123> "
    "<!channel> &amp; <https://x.example|click>\n> not a quote 😀 " + "é" * 3000
)


class HostileArticle:
    """Answers every question from an article written to break out of Slack's formatting."""

    def ask(self, question: str, history: Any = (), documents: Any = None) -> Answer:
        from assistant.answer import Citation

        cited = Citation(1, "acme", 1, HOSTILE, 0, len(HOSTILE), 0.9, 1, "Acme *news* <@U9>")
        return Answer(question, f"$5 million — {HOSTILE} [1]", True, (cited,), "x")


def test_a_hostile_article_through_the_bot(bot_for: Any) -> None:
    bot = bot_for(HostileArticle())
    bot.send(mention("How much did Acme earn?"))
    [post] = bot.posts()
    [quote] = quotes(post)
    assert quote.startswith(HOSTILE[:100]) and post["mrkdwn"] is False
    mrkdwn = [
        element["text"]
        for block in post["blocks"]
        for element in block.get("elements", [])
        if element.get("type") == "mrkdwn"
    ]
    assert mrkdwn == ["*Sources*"]  # the only formatted text is the bot's own


def test_article_text_cannot_format_link_mention_or_leave_its_quote() -> None:
    from assistant.answer import Citation

    citation = Citation(1, "acme", 1, HOSTILE, 0, len(HOSTILE), 0.9, 1, "Acme *news*\n<@U9>")
    built = message(Answer("q", f"$5 million — {HOSTILE} [1]", True, (citation,), "x"))
    assert built["mrkdwn"] is False and not built["unfurl_links"]
    # Article words travel only in rich-text `text` elements and plain text, which Slack shows
    # as they are; no mrkdwn field holds them.
    for block in built["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                assert "Acme" not in element["text"] and "@U" not in element["text"]
    [quote] = quotes(built)
    assert quote.startswith(HOSTILE[:200])  # verbatim, newline and all, inside the quote element
    assert len(quote) <= 2900 and quote.endswith("…") and "é" in quote[-3:]
    fallback = built["text"]
    assert "<" not in fallback and ">" not in fallback.replace("&gt;", "")
    assert "&amp;amp;" in fallback and not fallback.endswith("&")  # escaped after shortening


def test_question_text() -> None:
    assert question_text("<@UBOT> What about <https://x.com|x.com> &amp; AI?") == (
        "What about x.com & AI?"
    )


def test_manifest_asks_for_what_the_bot_uses() -> None:
    import yaml

    from ..conftest import DATA

    manifest = yaml.safe_load((DATA.parent.parent / "slack" / "manifest.yml").read_text())
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
    }
    assert {
        "app_mentions:read",
        "chat:write",
        "im:history",
        "channels:history",
        "reactions:write",
    } <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_register_on_an_existing_app(assistant: Assistant) -> None:
    from slack_bolt import App
    from slack_sdk import WebClient

    api = WebAPI()
    web, api_url = serve_web_api(api)
    app = App(client=WebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)

    @app.event("reaction_added")
    def existing_listener() -> None:  # the user's own listeners keep working beside ours
        pass

    from assistant.slack import register

    register(app, assistant)
    http = serve_http(app, host="127.0.0.1", port=0)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        bot = Bot(api, f"http://127.0.0.1:{http.server_port}/slack/events")
        bot.send(mention("Who founded DeepSeek?"))
        assert bot.posts()[0]["text"].startswith("Liang Wenfeng")
    finally:
        http.shutdown()
        web.shutdown()
