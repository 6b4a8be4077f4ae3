"""The one Markdown renderer: rendered, then sanitised with nh3; and the highlighting helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from markupsafe import Markup

from tracker.render import Piece, day, highlight, in_context, markdown_to_html, moment, words


def test_markdown_is_rendered() -> None:
    html = markdown_to_html("**Done**, see [the report](https://example.org/r).\n\n- a\n- b")
    assert isinstance(html, Markup)
    assert "<strong>Done</strong>" in html and "<li>a</li>" in html
    assert '<a href="https://example.org/r" rel="nofollow noopener noreferrer">the report</a>' in html


def test_scripts_handlers_and_dangerous_links_are_removed() -> None:
    html = markdown_to_html(
        '<script>alert(1)</script><style>p{}</style><img src=x onerror="alert(2)">'
        '<p onclick="x()">hi</p> [a](javascript:alert(3)) <iframe src="https://x"></iframe>'
    )
    for bad in ("<script", "alert(1)", "<style", "<img", "onerror", "onclick", "javascript:", "<iframe"):
        assert bad not in html
    assert "hi" in html


def test_none_renders_as_nothing() -> None:
    assert markdown_to_html(None) == ""


def test_highlight_merges_overlapping_spans() -> None:
    assert highlight("abcdefgh", [(1, 3), (2, 5), (6, 7)]) == [
        Piece("a", False),
        Piece("bcde", True),
        Piece("f", False),
        Piece("g", True),
        Piece("h", False),
    ]


def test_in_context_marks_the_span_and_cuts_at_spaces() -> None:
    text = "one two three four five six seven"
    start = text.index("four")
    pieces = in_context(text, start, start + 4, margin=6)
    assert [p for p in pieces if p.marked] == [Piece("four", True)]
    assert pieces[0].text == "… " and pieces[-1].text == " …"
    assert "".join(p.text for p in pieces) == "… three four five …"


def test_dates_and_words() -> None:
    assert day(date(2017, 4, 12)) == "12 April 2017" and day(None) == "not known"
    assert moment(datetime(2017, 4, 12, 9, 5, tzinfo=UTC)) == "12 April 2017, 09:05 UTC"
    assert words("awaiting_committee") == "awaiting committee"
