"""Reading input files: every decoding, sniffing and HTML rule in :mod:`extract.sources`.

All inputs are generated here into ``tmp_path``; the HTML pages are invented, shaped like council
pages (site furniture around a main-content block) but copied from none.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from extract.errors import (
    BinaryInputError,
    EmptyMinutesError,
    ExtractionError,
    FormatMismatchError,
    MinutesTooLargeError,
    SourceNotFoundError,
    UndecodableInputError,
    UnsupportedFormatError,
)
from extract.sources import MAX_BYTES, SourceText, html_to_text, iter_sources, read_bytes, read_source

MINUTE = "RESOLVED that the report be noted.\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def codes(src: SourceText) -> list[str]:
    return [w.code for w in src.warnings]


# --- plain text -------------------------------------------------------------------------------


def test_utf8_text_is_read_verbatim(tmp_path: Path) -> None:
    text = "Café “quoted” – £1,347,955\r\nsecond line\n"
    path = write(tmp_path, "m.txt", text.encode("utf-8"))
    src = read_source(path)
    assert src == SourceText(name=str(path), text=text, derived=False, warnings=())


def test_name_is_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "m.txt", MINUTE)
    monkeypatch.chdir(tmp_path)
    assert read_source("./m.txt").name == "./m.txt"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    src = read_source(write(tmp_path, "m.txt", codecs.BOM_UTF8 + MINUTE.encode()))
    assert src.text == MINUTE
    assert src.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_accepted(tmp_path: Path, encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    src = read_source(write(tmp_path, "m.txt", bom + "Café minutes\n".encode(encoding)))
    assert src.text == "Café minutes\n"
    assert src.warnings == ()


def test_cp1252_is_accepted_with_a_warning(tmp_path: Path) -> None:
    data = "Caf\xe9 \u201cquoted\u201d \u2013 \u00a3450k \u20ac5\n".encode("cp1252")
    src = read_source(write(tmp_path, "m.txt", data))
    assert src.text == "Café “quoted” – £450k €5\n"
    assert codes(src) == ["W_ENCODING_CP1252"]
    warning = src.warnings[0]
    assert warning.message == "decoded as Windows-1252; check accented characters"
    assert warning.span is None


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_undefined_in_cp1252_are_undecodable(tmp_path: Path, byte: int) -> None:
    path = write(tmp_path, "m.txt", b"Caf\xe9 " + bytes([byte]) + b" minutes\n")
    with pytest.raises(UndecodableInputError) as info:
        read_source(path)
    assert info.value.source == str(path)
    assert info.value.code == "E_UNDECODABLE"


def test_utf8_bom_with_invalid_utf8_is_undecodable(tmp_path: Path) -> None:
    with pytest.raises(UndecodableInputError):
        read_source(write(tmp_path, "m.txt", codecs.BOM_UTF8 + b"Caf\xe9\n"))


def test_utf16_bom_with_broken_body_is_undecodable(tmp_path: Path) -> None:
    # A lone high surrogate cannot be decoded.
    with pytest.raises(UndecodableInputError):
        read_source(write(tmp_path, "m.txt", codecs.BOM_UTF16_LE + b"A\x00\x00\xd8"))


# --- refusals ---------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(SourceNotFoundError) as info:
        read_source(path)
    assert info.value.source == str(path)
    assert info.value.code == "E_NOT_FOUND"


@pytest.mark.parametrize("name", ["m.doc", "m.odt", "m.rtf", "README", "m.txt.bak"])
def test_other_suffixes_are_unsupported(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, MINUTE)
    with pytest.raises(UnsupportedFormatError) as info:
        read_source(path)
    assert info.value.source == str(path)


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert read_source(write(tmp_path, "M.TXT", MINUTE)).text == MINUTE
    assert read_source(write(tmp_path, "P.HTM", f"<p>{MINUTE}</p>")).derived


def test_directory_is_unsupported(tmp_path: Path) -> None:
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(UnsupportedFormatError, match="directory"):
        read_source(tmp_path / "d.txt")


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")]
)
def test_empty_or_whitespace_only(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "m.txt", data)
    with pytest.raises(EmptyMinutesError) as info:
        read_source(path)
    assert info.value.source == str(path)
    assert info.value.code == "E_EMPTY"


def test_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", b"a" * MAX_BYTES)
    assert len(read_source(path).text) == MAX_BYTES


def test_one_byte_over_the_limit_is_too_large(tmp_path: Path) -> None:
    assert MAX_BYTES == 5 * 1024 * 1024
    path = write(tmp_path, "m.txt", b"a" * (MAX_BYTES + 1))
    with pytest.raises(MinutesTooLargeError) as info:
        read_source(path)
    assert info.value.source == str(path)
    assert "5,242,881" in info.value.message


def test_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "m.txt", b"a" * (MAX_BYTES + 1))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(MinutesTooLargeError):
        read_source(path)


@pytest.mark.parametrize(
    ("magic", "what"),
    [
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"GIF89a", "GIF"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04", "ZIP"),
    ],
)
def test_known_binary_signatures(tmp_path: Path, magic: bytes, what: str) -> None:
    path = write(tmp_path, "m.txt", magic + b"rest of the file is ordinary text\n")
    with pytest.raises(BinaryInputError, match=what) as info:
        read_source(path)
    assert info.value.source == str(path)
    assert info.value.code == "E_BINARY"


def test_binary_signature_in_an_html_file(tmp_path: Path) -> None:
    with pytest.raises(BinaryInputError):
        read_source(write(tmp_path, "m.html", b"%PDF-1.4\n<p>hello</p>"))


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    with pytest.raises(BinaryInputError, match="NUL"):
        read_source(write(tmp_path, "m.txt", b"RESOLVED that\x00 the report be noted\n"))


def test_utf16_without_bom_is_binary(tmp_path: Path) -> None:
    # NULs without a byte-order mark: we cannot tell UTF-16 from binary, so refuse.
    with pytest.raises(BinaryInputError):
        read_source(write(tmp_path, "m.txt", "minutes\n".encode("utf-16-le")))


def test_mostly_control_characters_mean_binary(tmp_path: Path) -> None:
    data = bytes(range(1, 9)) * 50 + b"some words\n"
    with pytest.raises(BinaryInputError, match="control"):
        read_source(write(tmp_path, "m.txt", data))


def test_a_few_control_characters_are_tolerated(tmp_path: Path) -> None:
    text = "Minutes\x0c\n" + "The Committee noted the report.\n" * 20 + "\x07\n"
    assert read_source(write(tmp_path, "m.txt", text)).text == text


def test_errors_are_extraction_errors(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as info:
        read_source(tmp_path / "missing.txt")
    assert str(info.value) == f"{tmp_path / 'missing.txt'}: no such file or directory"


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Browse meetings - Example Borough Council</title>
  <style>body { font-family: sans-serif; }</style>
  <script>window.analytics = "SCRIPT TEXT";</script>
</head>
<body class="page">
  <a class="skip-link" href="#main">Skip to main content</a>
  <div id="cookie-banner">We use cookies on this site. <button>Accept cookies</button></div>
  <header class="site-header"><img alt="Example Borough Council logo" src="logo.png">
    <nav><ul><li>Home</li><li>Council and democracy</li></ul></nav>
  </header>
  <div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/mgListCommittees">Committees</a></div>
  <form class="search" action="/search"><label>Search</label><input name="q"></form>
  <main id="main">
    <h1>Example Scrutiny Board &ndash; 3 May 2016</h1>
    <p>Present:&nbsp;Councillor A&nbsp;Brown (Chair), Councillors C&nbsp;Green and D&nbsp;White.</p>
    <h2>12 &nbsp; Housing Repairs Update</h2>
    <p>The Board considered a report of the Director of Housing &amp; Communities.
       Members raised the following <em>questions</em>:</p>
    <ul>
      <li>Waiting times for repairs</li>
      <li><p>The cost of &pound;2.8m for the new contract</p></li>
    </ul>
    <table>
      <tr><th>Ward</th><th>Repairs</th></tr>
      <tr><td>North</td><td>120</td></tr>
    </table>
    <p>RESOLVED:<br>(1) That the report be noted.<br>(2) That officers report back.</p>
    <p><a href="doc.pdf"><img alt="pdf icon" src="pdf.gif"> PDF 120 KB</a></p>
    <noscript>NOSCRIPT TEXT</noscript>
    <template><p>TEMPLATE TEXT</p></template>
    <svg><text>SVG TEXT</text></svg>
    <iframe src="video.html">IFRAME TEXT</iframe>
  </main>
  <aside class="sidebar">Related pages: Council tax</aside>
  <footer>Copyright Example Borough Council</footer>
  <script>trackPage("SCRIPT TEXT");</script>
</body>
</html>
"""


def test_html_page_reads_main_content(tmp_path: Path) -> None:
    src = read_source(write(tmp_path, "m.html", PAGE))
    assert src.derived is True
    assert src.warnings == ()
    assert src.text == (
        "Example Scrutiny Board – 3 May 2016\n"
        "\n"
        "Present: Councillor A Brown (Chair), Councillors C Green and D White.\n"
        "\n"
        "12 Housing Repairs Update\n"
        "\n"
        "The Board considered a report of the Director of Housing & Communities. "
        "Members raised the following questions:\n"
        "\n"
        "• Waiting times for repairs\n"
        "• The cost of £2.8m for the new contract\n"
        "\n"
        "Ward | Repairs\n"
        "North | 120\n"
        "\n"
        "RESOLVED:\n"
        "(1) That the report be noted.\n"
        "(2) That officers report back.\n"
        "\n"
        "pdf icon PDF 120 KB\n"
    )


@pytest.mark.parametrize(
    "gone",
    [
        "SCRIPT TEXT",
        "font-family",
        "Skip to main content",
        "cookies",
        "Council and democracy",
        "logo",
        "Committees",
        "Search",
        "NOSCRIPT",
        "TEMPLATE",
        "SVG",
        "IFRAME",
        "Related pages",
        "Copyright",
        "Browse meetings",
    ],
)
def test_html_furniture_is_dropped(gone: str) -> None:
    assert gone not in html_to_text(PAGE)


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_furniture_is_dropped_even_without_a_main_element() -> None:
    text = html_to_text(
        _page(
            '<div id="breadcrumb">Home &gt; Meetings</div>'
            '<div class="mgSideBar">Calendar</div>'
            '<ul class="main-menu"><li>Menu entry</li></ul>'
            '<div role="navigation">Role nav</div>'
            '<div class="cookieNotice">Cookie text</div>'
            "<p>The Panel noted the report.</p>"
            "<footer>Footer</footer>"
        )
    )
    assert text == "The Panel noted the report.\n"


def test_id_and_class_words_are_not_matched_inside_other_words() -> None:
    text = html_to_text(_page('<div class="canvas-area"><p>Kept: canvas is not nav.</p></div>'))
    assert text == "Kept: canvas is not nav.\n"


@pytest.mark.parametrize(
    "wrapper",
    [
        '<div role="main">{}</div>',
        '<div id="content">{}</div>',
        '<div id="main-content">{}</div>',
        '<div id="modgov">{}</div>',
        '<div class="mgContent wide">{}</div>',
    ],
)
def test_main_content_containers(wrapper: str) -> None:
    body = '<div class="intro"><p>Welcome to the council website.</p></div>' + wrapper.format(
        "<p>RESOLVED that the report be noted.</p>"
    )
    assert html_to_text(_page(body)) == "RESOLVED that the report be noted.\n"


def test_main_element_wins_over_content_id() -> None:
    body = '<div id="content"><p>Outside.</p><main><p>Inside main.</p></main></div>'
    assert html_to_text(_page(body)) == "Inside main.\n"


def test_empty_main_falls_back_to_body() -> None:
    assert html_to_text(_page("<main> </main><p>Body text.</p>")) == "Body text.\n"


def test_content_wrapper_with_a_furniture_class_is_kept() -> None:
    body = '<div id="content" class="layout-with-sidebar"><p>Minutes text.</p></div>'
    assert html_to_text(_page(body)) == "Minutes text.\n"


def test_whole_page_form_is_not_dropped() -> None:
    body = '<form id="aspnetForm" action="page.aspx"><h1>Minutes</h1><p>The Committee resolved.</p></form>'
    assert html_to_text(_page(body)) == "Minutes\n\nThe Committee resolved.\n"


def test_header_inside_the_content_is_kept() -> None:
    body = "<header>Site banner</header><article><header><h1>Item title</h1></header><p>Text.</p></article>"
    assert html_to_text(_page(body)) == "Item title\n\nText.\n"


def test_hidden_elements_are_dropped() -> None:
    body = '<p hidden>Hidden one.</p><p style="display: none">Hidden two.</p><p>Shown.</p>'
    assert html_to_text(_page(body)) == "Shown.\n"


def test_blocks_start_new_lines_and_inline_elements_do_not() -> None:
    body = (
        "<div>First <b>bold</b> <i>italic</i>\n   words</div><div>Second</div>"
        "<dl><dt>Term</dt><dd>Definition</dd></dl>"
        "<blockquote>Quoted</blockquote><section>Section</section><article>Article</article>"
    )
    assert html_to_text(_page(body)) == (
        "First bold italic words\nSecond\n\nTerm\nDefinition\n\nQuoted\n\nSection\nArticle\n"
    )


def test_headings_are_followed_by_a_blank_line() -> None:
    assert html_to_text(_page("<h3>Apologies</h3>None.")) == "Apologies\n\nNone.\n"


def test_table_cells_are_separated_and_rows_are_lines() -> None:
    body = (
        "<table><thead><tr><th>Action</th><th>Owner</th><th>Due</th></tr></thead>"
        "<tbody><tr><td><p>Circulate the update</p></td><td>Clerk</td><td>June</td></tr>"
        "<tr><td>Report back</td><td></td><td>Next meeting</td></tr></tbody></table>"
    )
    assert html_to_text(_page(body)) == (
        "Action | Owner | Due\nCirculate the update | Clerk | June\nReport back | | Next meeting\n"
    )


def test_nested_lists_get_bullets() -> None:
    body = "<ol><li>One<ul><li>One a</li></ul></li><li>Two</li></ol>"
    assert html_to_text(_page(body)) == "• One\n• One a\n• Two\n"


def test_entities_are_decoded() -> None:
    body = "<p>&pound;450k &amp; &lsquo;quoted&rsquo; &#8211; &#x20AC;5 caf&eacute;</p>"
    assert html_to_text(_page(body)) == "£450k & ‘quoted’ – €5 café\n"


def test_pre_keeps_its_layout() -> None:
    body = "<pre>Item   Owner\n  (a) Clerk</pre><p>After.</p>"
    assert html_to_text(_page(body)) == "Item   Owner\n  (a) Clerk\n\nAfter.\n"


def test_runs_of_blank_lines_are_collapsed() -> None:
    body = "<pre>a\n\n\n\n\n\nb</pre>"
    assert html_to_text(_page(body)) == "a\n\n\nb\n"


def test_comments_are_not_text() -> None:
    assert html_to_text(_page("<p>Shown<!-- hidden --> text.</p>")) == "Shown text.\n"


def test_deeply_nested_page_does_not_recurse() -> None:
    # Deeper than Python's recursion limit, within what libxml2 builds with huge_tree.
    body = "<div>" * 1500 + "Deep." + "</div>" * 1500
    assert html_to_text(_page(body)).strip() == "Deep."


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    data = _page("<p>Caf\xe9 \u2013 \u00a35</p>", head).encode("cp1252")
    src = read_source(write(tmp_path, "m.htm", data))
    assert src.text == "Café – £5\n"
    assert src.warnings == ()  # declared, not guessed


def test_html_undeclared_cp1252_is_decoded_with_a_warning(tmp_path: Path) -> None:
    data = _page("<p>Caf\xe9 \u2013 \u00a35</p>").encode("cp1252")
    src = read_source(write(tmp_path, "m.html", data))
    assert src.text == "Café – £5\n"
    assert codes(src) == ["W_ENCODING_CP1252"]


def test_html_default_is_utf8(tmp_path: Path) -> None:
    src = read_source(write(tmp_path, "m.html", _page("<p>Café – £5</p>").encode("utf-8")))
    assert src.text == "Café – £5\n"
    assert src.warnings == ()


def test_html_bom_beats_meta_charset(tmp_path: Path) -> None:
    head = '<meta charset="windows-1252">'
    data = codecs.BOM_UTF16_LE + _page("<p>Café</p>", head).encode("utf-16-le")
    assert read_source(write(tmp_path, "m.html", data)).text == "Café\n"


def test_html_with_xml_declaration(tmp_path: Path) -> None:
    data = '<?xml version="1.0" encoding="utf-8"?>\n' + _page("<p>Café</p>")
    assert read_source(write(tmp_path, "m.xhtml.html", data)).text == "Café\n"


@pytest.mark.parametrize(
    "body",
    ["", "   ", "<nav>Only navigation</nav>", "<script>only()</script>", "<!-- nothing -->"],
)
def test_html_without_text_is_empty(tmp_path: Path, body: str) -> None:
    with pytest.raises(EmptyMinutesError):
        read_source(write(tmp_path, "m.html", _page(body) if body.strip() else body))


# --- iter_sources -----------------------------------------------------------------------------


def test_iter_sources_walks_directories_sorted(tmp_path: Path) -> None:
    names = ["b.txt", "a.html", "c.htm", "z.pdf", "y.DOCX", "n.odt", ".hidden.txt", "sub/d.txt", ".git/e.txt"]
    for name in [*names, "sub/F.TXT"]:
        write(tmp_path, name, MINUTE)
    found = list(iter_sources([tmp_path]))
    assert found == [
        str(tmp_path / "a.html"),
        str(tmp_path / "b.txt"),
        str(tmp_path / "c.htm"),
        str(tmp_path / "y.DOCX"),
        str(tmp_path / "z.pdf"),
        str(tmp_path / "sub" / "F.TXT"),
        str(tmp_path / "sub" / "d.txt"),
    ]


def test_iter_sources_keeps_named_paths_in_order(tmp_path: Path) -> None:
    b = write(tmp_path, "b.txt", MINUTE)
    a = write(tmp_path, "a.odt", MINUTE)  # named explicitly: read_source says why it is refused
    found = list(iter_sources([str(b), tmp_path / "missing.txt", str(a)]))
    assert found[0] == str(b)
    assert isinstance(found[1], SourceNotFoundError)
    assert found[1].source == str(tmp_path / "missing.txt")
    assert found[2] == str(a)


def test_iter_sources_reports_a_directory_without_inputs(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", "nothing")
    (found,) = list(iter_sources([tmp_path]))
    assert isinstance(found, SourceNotFoundError)
    assert found.source == str(tmp_path)


def test_iter_sources_joins_names_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "dir/m.txt", MINUTE)
    monkeypatch.chdir(tmp_path)
    assert list(iter_sources(["dir/"])) == ["dir/m.txt"]


# --- bytes that arrived without a file (uploads) ------------------------------------------------


def test_read_bytes_follows_the_file_rules(tmp_path: Path) -> None:
    data = "Minutes – café\r\nRESOLVED that\n".encode("cp1252")
    from_file = read_source(write(tmp_path, "a.txt", data))
    from_bytes = read_bytes(data, "a.txt")
    assert from_bytes.text == from_file.text and codes(from_bytes) == codes(from_file) == [
        "W_ENCODING_CP1252"
    ]
    page = b"<html><body><nav>Menu</nav><main><p>RESOLVED that</p></main></body></html>"
    html = read_bytes(page, "Item 12.HTML")
    assert html.derived and html.text == "RESOLVED that\n" and html.name == "Item 12.HTML"
    assert read_bytes(b"plain words", "pasted", suffix=".txt").text == "plain words"


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"", "a.txt", EmptyMinutesError),
        (b"  \n", "a.txt", EmptyMinutesError),
        (b"%PDF-1.4 x", "a.txt", BinaryInputError),
        (b"ok", "a.odt", UnsupportedFormatError),
        (b"ok", "a.pdf", FormatMismatchError),
        (b"ok", "a.docx", FormatMismatchError),
        (b"ok", "noext", UnsupportedFormatError),
        (b"\x81 not text", "a.txt", UndecodableInputError),
        (b"x" * (MAX_BYTES + 1), "big.txt", MinutesTooLargeError),
    ],
)
def test_read_bytes_refuses_what_read_source_refuses(data: bytes, name: str, error: type) -> None:
    with pytest.raises(error) as caught:
        read_bytes(data, name)
    assert caught.value.source == name
