"""A small news site on loopback for fetch tests: pages with chrome, redirects, slow replies."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .pdfs import make_pdf

PAGES = Path(__file__).parent / "data" / "pages"
PDF = make_pdf([["Delta Mining produced 4.2 million tonnes of ore in 2023, the company said."]])


class NewsSite(BaseHTTPRequestHandler):
    """A small news site: article pages with chrome, redirects, slow and broken replies."""

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route == "/news/port-strike-ends.aspx":
            self._send(200, "text/html; charset=utf-8", (PAGES / "aspnet.html").read_bytes())
        elif route == "/news/library":
            self._send(200, "text/html", (PAGES / "unclosed_nav.html").read_bytes())
        elif route == "/old-link":
            self._redirect("/news/port-strike-ends.aspx")
        elif route.startswith("/loop"):
            self._redirect(f"/loop{int(route[5:] or 0) + 1}")
        elif route == "/slow":
            time.sleep(3)
            self._send(200, "text/html", (PAGES / "aspnet.html").read_bytes())
        elif route == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"word ")
                self.wfile.flush()
                time.sleep(0.1)
        elif route == "/gone":
            self._send(404, "text/html", b"<html><body>Not found</body></html>")
        elif route == "/logo.png":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
        elif route == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif route == "/reports/delta.pdf":
            self._send(200, "application/pdf", PDF)
        elif route == "/latin1":
            body = "Le café de la gare a fermé après quarante ans, selon la mairie.".encode(
                "latin-1"
            )
            self._send(200, "text/plain; charset=iso-8859-1", body)
        else:
            self._send(404, "text/plain", b"no such page")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, to: str) -> None:
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a slow page closed its end: that is the point


@contextmanager
def news_site() -> Iterator[str]:
    """Serve the site until the block ends; yields its base URL."""
    server = _QuietServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
