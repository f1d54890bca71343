from pathlib import Path

from index.library import IdBook, Outcome, Source, expand
from index.loaders import article_from_text
from index.store import DocumentInfo


def info(doc_id: str, source: str) -> DocumentInfo:
    return DocumentInfo(id=doc_id, title=doc_id, source=source, digest="d", sentences=1)


def test_ids_never_collide_and_a_source_keeps_its_id() -> None:
    book = IdBook([info("report", "/a/report.txt"), info("report-2", "/b/report.txt")])
    same = article_from_text("x.", doc_id="report", source="/a/report.txt")
    other = article_from_text("y.", doc_id="report", source="/c/report.txt")
    again = article_from_text("z.", doc_id="report", source="/d/report.txt")
    assert book.assign(same)[0].id == "report"
    assert book.assign(same)[1] is True  # it was there before: an update in place
    named, existed = book.assign(other)
    assert (named.id, existed) == ("report-3", False)
    assert book.assign(again)[0].id == "report-4"  # ids handed out in this run are taken too


def test_an_explicit_id_wins() -> None:
    book = IdBook([info("report", "/a/report.txt")])
    article = article_from_text("x.", doc_id="whatever", source="/z/new.txt")
    named, existed = book.assign(article, "Quarterly Report")
    assert (named.id, named.text, existed) == ("quarterly-report", "x.", False)


def test_folders_are_walked_for_supported_files(tmp_path: Path) -> None:
    for name in ("a/one.txt", "a/b/two.html", "a/b/skip.docx", "a/.git/three.txt", "c.md"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Words.", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    found = list(expand([str(tmp_path / "a"), str(tmp_path / "c.md"), str(tmp_path / "empty")]))
    assert found[:3] == [
        Source(str(tmp_path / "a/b/two.html")),
        Source(str(tmp_path / "a/one.txt")),
        Source(str(tmp_path / "c.md")),
    ]
    assert isinstance(found[3], Outcome) and found[3].status == "skipped"
    assert "has no .htm, .html, .markdown, .md, .pdf" in found[3].reason
    only_html = list(expand([str(tmp_path / "a")], glob="*.html"))
    assert only_html == [Source(str(tmp_path / "a/b/two.html"))]
    assert list(expand(["https://example.com/story", "missing.txt"])) == [
        Source("https://example.com/story"),
        Source("missing.txt"),
    ]
