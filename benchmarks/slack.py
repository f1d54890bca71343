"""The Slack bot's latency against the local Web API stand-in, over its real HTTP endpoint.

    python benchmarks/slack.py [EVENTS]

Sends EVENTS (default 100) signed app_mention events one after another and reports, p50 and
p99: the time from sending an event to Bolt's ack (the HTTP response), and from sending it to the
stand-in receiving the reply's chat.postMessage.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.config import SlackSettings  # noqa: E402
from assistant.slack import build_app, serve_http  # noqa: E402
from tests.assistant.slack_standin import (  # noqa: E402
    BOT_USER,
    WebAPI,
    deliver,
    event_payload,
    serve_web_api,
)

SECRET = "benchmark-signing-secret"
QUESTIONS = [
    "Who founded DeepSeek?",
    "How much value did Nvidia lose?",
    "How much did it cost to train DeepSeek's model?",
    "Who doubted DeepSeek's figures?",
]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    api = WebAPI()
    web, api_url = serve_web_api(api)
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.warm_up()
        settings = SlackSettings(
            bot_token="xoxb-benchmark", app_token=None, signing_secret=SECRET, api_url=api_url
        )
        app = build_app(assistant, settings, per_user=(count, 60.0))
        server = serve_http(app, host="127.0.0.1", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        acks, replies = [], []
        for i in range(count):
            ts = f"{1_700_000_000 + i}.000100"
            event = {
                "type": "app_mention",
                "user": "U1",
                "channel": "C1",
                "ts": ts,
                "text": f"<@{BOT_USER}> {QUESTIONS[i % len(QUESTIONS)]}",
            }
            sent = time.monotonic()
            _, ack = deliver(url, event_payload(event), secret=SECRET)
            acks.append(ack)
            post = api.wait_for("chat.postMessage", i + 1)[i]
            replies.append(post.at - sent)
        server.shutdown()
    web.shutdown()
    print(f"{count} signed app_mention events, one at a time, local Web API stand-in:")
    print(
        f"  event → ack            p50 {percentile(acks, 0.5):7.1f} ms   "
        f"p99 {percentile(acks, 0.99):7.1f} ms"
    )
    print(
        f"  event → posted reply   p50 {percentile(replies, 0.5):7.1f} ms   "
        f"p99 {percentile(replies, 0.99):7.1f} ms"
    )


if __name__ == "__main__":
    main()
