"""Fetching articles from links, against a real HTTP server on loopback with real-looking pages."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from index.errors import LoadError
from index.fetch import fetch_article

from ..sites import news_site


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with news_site() as url:
        yield url


def test_a_page_is_fetched_and_known_by_its_canonical_url(site: str) -> None:
    article = fetch_article(f"{site}/old-link")  # redirected to the article
    assert article.source == "https://harbourtimes.example/news/port-strike-ends"
    assert article.id == "port-strike-ends"
    assert article.title == "Port strike ends after nine days"
    assert article.published == "2024-03-14"
    assert "Most read" not in article.text and "6.5 percent" in article.text


def test_without_a_canonical_link_the_final_url_is_the_source(site: str) -> None:
    article = fetch_article(f"{site}/news/library")
    assert article.source == f"{site}/news/library"
    assert article.id == "library"


def test_pdf_and_declared_charsets(site: str) -> None:
    assert fetch_article(f"{site}/reports/delta.pdf").pages == (0,)
    assert "Le café de la gare" in fetch_article(f"{site}/latin1").text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/slow", "did not answer within 1 s"),
        ("/trickle", "did not arrive within 1 s"),
        ("/loop", "redirects more than 5 times"),
        ("/gone", "answered HTTP 404"),
        ("/logo.png", "is image/png, not HTML, text or PDF"),
        ("/huge", "is larger than 20 MB"),
    ],
)
def test_bad_links_are_one_line_errors(site: str, path: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match=message) as info:
        fetch_article(f"{site}{path}", timeout=1.0)
    assert "\n" not in str(info.value)
    assert time.monotonic() - started < 2.5  # never longer than the timeout, give or take


def test_a_closed_port_is_a_one_line_error() -> None:
    from ..servers import free_port

    with pytest.raises(LoadError, match=r"cannot fetch .*ConnectError.*check the link"):
        fetch_article(f"http://127.0.0.1:{free_port()}/story", timeout=1.0)
