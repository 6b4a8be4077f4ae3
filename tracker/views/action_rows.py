"""The action list's table rows, written in Python: one ``escape()`` per distinct value, one join a row.

The list is the page people load most, and 50 rows of about 14 values each were half of its time
in Jinja (an escape, an attribute look-up and a buffer write per ``{{ }}``, filters called through
the environment). Here each row is one list of strings joined once, and a value the page repeats
(an owner, a status, a committee, a date) is escaped once a page. Every value that comes from the
database or a person goes through :func:`markupsafe.escape`; only the fixed markup below and the
row links' paths (escaped once, in :func:`tracker.views.actions._row_links`) are trusted.
``tests/tracker/test_list_page.py`` checks the escaping and the links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from jinja2 import Environment
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from ..render import day, words
from ..services import RAG_LABELS, ListedAction, Rag

#: characters of an action's text shown in its row (cut at a word, as Jinja's ``truncate``)
TEXT_SHOWN = 160


def rows_html(rows: Iterable[tuple[ListedAction, Rag]], links: Any, env: Environment) -> Markup:
    """The ``<tr>`` of every row, ready to put in the table's ``<tbody>``."""
    cells: dict[object, str] = {}  # a page repeats its owners, statuses, committees and dates
    return Markup("\n".join(_row(a, rag, links, env, cells) for a, rag in rows))


def _row(a: ListedAction, rag: Rag, links: Any, env: Environment, cells: dict[object, str]) -> str:
    def cell(key: object, make: Callable[[], str]) -> str:
        """A repeated value's escaped words, made once a page."""
        text = cells.get(key)
        if text is None:
            text = cells[key] = make()
        return text

    out = [
        f'<tr>\n<td><a href="{links.action}{a.id}">Action {a.id}</a>:\n',
        str(escape(do_truncate(env, a.text, TEXT_SHOWN))),
    ]
    if a.clause_label:
        out += [' <span class="meta">(clause ', str(escape(a.clause_label)), ")</span>"]
    out += [
        "</td>\n<td>",
        cell(("owner", a.owner), lambda: str(escape(a.owner or "Not named"))),
        '</td>\n<td class="due">',
        _due(a) if a.due_date is None else cell(("day", a.due_date), lambda: str(escape(day(a.due_date)))),
    ]
    if rag is not Rag.NONE:
        out += [
            f'<br><span class="badge rag-{rag.value}">',
            cell(("rag", rag), lambda: str(escape(RAG_LABELS[rag]))),
            "</span>",
        ]
    out += ["</td>\n<td>", cell(("status", a.status), lambda: str(escape(words(a.status).capitalize())))]
    if a.close_reason:
        out += [" (", cell(("reason", a.close_reason), lambda: str(escape(words(a.close_reason)))), ")"]
    out += [
        f'</td>\n<td><a href="{links.committee}{a.committee_id}">',
        cell(("committee", a.committee_id, a.committee_name), lambda: str(escape(a.committee_name))),
        f'</a>,\n<a href="{links.meeting}{a.meeting_id}">meeting of ',
        cell(("day", a.meeting_date), lambda: str(escape(day(a.meeting_date)))),
        "</a></td>\n</tr>",
    ]
    return "".join(out)


def _due(a: ListedAction) -> str:
    """The due cell's words, escaped: as :func:`templates/macros.html`'s ``due_text`` says them."""
    if a.due_date:
        return str(escape(day(a.due_date)))
    if a.due_rule:
        month: date | None = a.due_rule_month
        if a.due_rule.value == "meeting_in_month" and month is not None:
            return str(escape(month.strftime("%B %Y"))) + " meeting (date not yet known)"
        return "next meeting (date not yet known)"
    if a.due_text:
        return f"“{escape(a.due_text)}” (no date)"
    return "No due date"
