"""A local stand-in for Slack: its Web API on loopback, and signed Events API deliveries.

The Web API answers auth.test, chat.postMessage, conversations.replies and reactions.add/remove
as Slack does, records every call, and can be told to fail a method (HTTP 500, or `ratelimited`
with Retry-After). `deliver()` posts an event to the bot's real HTTP endpoint, signed with the
signing secret exactly as Slack signs it.
"""

from __future__ import annotations

import http.server
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.signature import SignatureVerifier

BOT_USER, BOT_ID, TEAM = "UBOT", "BBOT", "T0001"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class WebAPI:
    """The recording Web API stand-in."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, deque[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=dict
    )
    replies: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # why Slack would have refused a post
    stalls: dict[str, deque[float]] = field(default_factory=dict)
    landed: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fail(
        self, method: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """Make the next call of `method` fail this way (once): nothing is done."""
        self.failures.setdefault(method, deque()).append((status, headers or {}, body))

    def stall(self, method: str, seconds: float) -> None:
        """Make the next call of `method` take effect, then answer only after `seconds`."""
        with self.lock:
            self.stalls.setdefault(method, deque()).append(seconds)

    def posted(self) -> list[dict[str, Any]]:
        """Every message that landed, in order."""
        with self.lock:
            return list(self.landed)

    def called(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """The calls of `method` once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while len(self.called(method)) < count:
            assert time.monotonic() < deadline, f"{method} was called {self.called(method)}"
            time.sleep(0.01)
        return self.called(method)

    def respond(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.calls.append(Call(method, params, time.monotonic()))
            queued = self.failures.get(method)
            if queued:
                return queued.popleft()
            stalls = self.stalls.get(method)
            stall = stalls.popleft() if stalls else 0.0
        reply = self._respond(method, params)
        time.sleep(stall)  # done, but the answer comes late: the client may have given up
        return reply

    def _respond(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        if method == "auth.test":
            return (
                200,
                {},
                {
                    "ok": True,
                    "url": "https://stand-in.slack/",
                    "team": "Stand-in",
                    "user": "assistant",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                },
            )
        if method == "chat.postMessage":
            problem = invalid_blocks(params.get("blocks"))
            if problem:
                self.refused.append(problem)
                return 200, {}, {"ok": False, "error": "invalid_blocks", "errors": [problem]}
            ts = f"{time.time():.6f}"
            message = {
                "type": "message",
                "ts": ts,
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "text": params.get("text"),
                "thread_ts": params.get("thread_ts"),
                "channel": params.get("channel"),
            }
            if params.get("metadata"):
                metadata = params["metadata"]
                message["metadata"] = (
                    json.loads(metadata) if isinstance(metadata, str) else metadata
                )
            with self.lock:
                self.landed.append(message)
                thread = (str(params.get("channel")), str(params.get("thread_ts")))
                self.replies.setdefault(thread, []).append(message)
            return (
                200,
                {},
                {
                    "ok": True,
                    "channel": params.get("channel"),
                    "ts": ts,
                    "message": {"text": params.get("text"), "ts": ts},
                },
            )
        if method == "conversations.replies":
            key = (params.get("channel", ""), params.get("ts", ""))
            with self.lock:
                messages = [dict(m) for m in self.replies.get(key, [])]
            if str(params.get("include_all_metadata")).lower() not in ("true", "1"):
                for m in messages:
                    m.pop("metadata", None)  # as Slack: only when asked for
            return 200, {}, {"ok": True, "messages": messages, "has_more": False}
        if method in ("reactions.add", "reactions.remove"):
            return 200, {}, {"ok": True}
        return 200, {}, {"ok": False, "error": "unknown_method"}


_BLOCK_TYPES = {"section", "context", "rich_text"}
_RICH_ELEMENTS = {"rich_text_section", "rich_text_quote"}


def invalid_blocks(blocks: Any) -> str:
    """Why Slack would refuse these blocks (the checks of the Block Kit reference we rely on)."""
    if blocks is None:
        return ""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "blocks must be a list of at most 50"
    for block in blocks:
        kind = block.get("type")
        if kind not in _BLOCK_TYPES:
            return f"unknown block type {kind}"
        if kind == "section" and len(block["text"]["text"]) > 3000:
            return "section text over 3000 characters"
        for element in block.get("elements", []):
            if kind == "context":
                if element["type"] not in ("mrkdwn", "plain_text") or len(element["text"]) > 3000:
                    return "bad context element"
            elif element["type"] not in _RICH_ELEMENTS or not all(
                part["type"] == "text" and isinstance(part["text"], str) and part["text"]
                for part in element["elements"]
            ):
                return "bad rich text element"
    return ""


def serve_web_api(api: WebAPI) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start the stand-in on loopback; returns the server and its base URL (slack_sdk form)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if "json" in self.headers.get("Content-Type", ""):
                params = json.loads(body or b"{}")
            else:
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            method = self.path.rsplit("/", 1)[-1]
            status, headers, payload = api.respond(method, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/"


_event_ids = itertools.count(1)


def event_payload(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An Events API envelope around `event`, as Slack sends it."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "event": {"event_ts": event.get("ts"), **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def deliver(
    url: str,
    payload: dict[str, Any],
    *,
    secret: str,
    retry: int | None = None,
    timestamp: int | None = None,
    signature: str | None = None,
) -> tuple[int, float]:
    """POST a signed event to the bot; returns the HTTP status and seconds until the ack."""
    body = json.dumps(payload)
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature
        or SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body),
    }
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - started
