"""The action list's committee and owner ``<option>`` elements, written once per set of choices.

The filter form offers every committee and every owner (76 options on the benchmark's database), and
writing them through Jinja cost an escape and a test per option on every page view, while the choices
themselves are kept between page views (:class:`tracker.services.KeptFilterChoices`). So the options
are written here once for the kept choices, each in two forms (plain and selected), and a page view
only joins them. Names are escaped with :func:`markupsafe.escape`; ids are integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from ..services import FilterChoices

#: an option's value, its element, and its element marked selected
Option = tuple[object, str, str]


class ChoiceOptions(NamedTuple):
    committees: tuple[Option, ...]
    owners: tuple[Option, ...]


#: the choices written last and their options: while a process keeps its choices, the same object
_last: tuple[FilterChoices, ChoiceOptions] | None = None


def options_for(choices: FilterChoices) -> ChoiceOptions:
    """The options of ``choices``, written only when they are not the choices of the last call."""
    global _last
    last = _last  # one read: another thread may swap the tuple in whole
    if last is not None and last[0] is choices:
        return last[1]
    written = ChoiceOptions(
        committees=tuple(
            (
                cid,
                f'<option value="{cid:d}">{escape(name)}</option>',
                f'<option value="{cid:d}" selected>{escape(name)}</option>',
            )
            for cid, name in choices.committees
        ),
        owners=tuple(
            (owner, f"<option>{escape(owner)}</option>", f"<option selected>{escape(owner)}</option>")
            for owner in choices.owners
        ),
    )
    _last = (choices, written)
    return written


def options_html(options: Sequence[Option], selected: object) -> Markup:
    """The options in order, the one whose value is ``selected`` (if any) marked selected."""
    return Markup("".join(chosen if value == selected else plain for value, plain, chosen in options))
