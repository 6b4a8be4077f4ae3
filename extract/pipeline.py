"""Build the spaCy pipeline once per process and run texts through it.

The default pipeline is ``spacy.blank("en")`` plus our ``minutes_*`` rule components: nothing to
download. ``TRACKER_SPACY_MODEL`` may name an installed trained pipeline (a package name or a
path); its entities then add attendee candidates, and nothing else depends on it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from . import components  # noqa: F401  (registers the minutes_* components)
from .build import build_extraction
from .errors import EmptyMinutesError, MinutesTooLargeError
from .records import Extraction

#: texts longer than this are refused: no council minute item comes near it
MAX_CHARS = 5 * 1024 * 1024

COMPONENTS = (
    "minutes_cues",
    "minutes_layout",
    "minutes_mentions",
    "minutes_resolutions",
    "minutes_attendees",
    "minutes_actions",
)


def build_nlp(model: str | None = None) -> Language:
    """Return a pipeline: the named trained pipeline, or a blank English one, plus our components.

    In the blank pipeline only ``minutes_cues`` needs the English tokenizer's tokens, and it makes
    them itself, only around words that may hold a cue; so the pipeline's own
    tokenizer, which makes every Doc, splits on white space alone (spaCy's ``Tokenizer`` with no
    affix rules and no exceptions). Doc texts, and so every offset, are the same; a trained
    pipeline keeps its tokenizer, which its models need. :func:`run` needs not even those tokens
    (see ``_prepare``).
    """
    if model:
        nlp = spacy.load(model)
    else:
        nlp = spacy.blank("en")
    for name in COMPONENTS:
        config = {"from_text": True} if name == "minutes_cues" and not model else {}
        nlp.add_pipe(name, last=True, config=config)
    if not model:
        # after the components: minutes_cues keeps the English tokenizer it was built with
        nlp.tokenizer = Tokenizer(nlp.vocab)
    # our own limit (MAX_CHARS) is the one that counts; spaCy's default 1,000,000 is lower
    nlp.max_length = MAX_CHARS + 1
    return nlp


@lru_cache(maxsize=4)
def _cached_nlp(model: str | None) -> Language:
    return build_nlp(model)


def get_nlp(model: str | None = None) -> Language:
    """The process-wide pipeline for ``model``, else for ``TRACKER_SPACY_MODEL`` (blank if both unset)."""
    return _cached_nlp(model or os.environ.get("TRACKER_SPACY_MODEL") or None)


def _iso(meeting_date: date | str | None) -> date | None:
    if meeting_date is None or meeting_date == "":
        return None
    if isinstance(meeting_date, date):
        return meeting_date
    return date.fromisoformat(str(meeting_date))


def _check(text: str, source_name: str | None) -> None:
    if not isinstance(text, str):
        raise TypeError(f"minutes text must be str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise MinutesTooLargeError(
            f"text is {len(text):,} characters; the limit is {MAX_CHARS:,}", source=source_name
        )
    if not text or text.isspace():  # what "not text.strip()" says, without copying the text
        raise EmptyMinutesError("text is empty or only whitespace", source=source_name)


def _prepare(nlp: Language, text: str, meeting_date: date | None, *, tokens: bool = True) -> Doc:
    """The Doc our components read; without ``tokens``, an empty one where the pipeline allows.

    In the blank pipeline only ``minutes_cues`` reads tokens, and it can find its cues from the
    text alone (``minutes.no_tokens``): a token for every word and the reading of their flags were
    a fifth of extraction. The components read the text from ``minutes.text``.
    """
    # spaCy's affix rules take quadratic time on one enormous run with no spaces (hostile input):
    # such a text is split on white space alone, which keeps the text and every offset the same
    long_run = _has_long_run(text)
    if not tokens and not long_run and _splits_on_white_space(nlp.tokenizer):
        doc = Doc(nlp.vocab)
        doc.user_data["minutes.no_tokens"] = True
    elif long_run:
        doc = _plain_doc(nlp, text)
        # minutes_cues matches these tokens, not the English tokenizer's
        doc.user_data["minutes.plain_tokens"] = True
    else:
        doc = nlp.make_doc(text)
        if _splits_on_white_space(nlp.tokenizer):
            doc.user_data["minutes.word_tokens"] = True  # each token is a whole word (minutes_cues)
    # Doc.text rebuilds the string from tokens on every call: keep the original once
    doc.user_data["minutes.text"] = text
    doc.user_data["minutes.meeting_date"] = meeting_date
    return doc


def _splits_on_white_space(tokenizer: Any) -> bool:
    """Is ``tokenizer`` spaCy's ``Tokenizer`` with no rules at all (white space alone splits)?"""
    return (
        isinstance(tokenizer, Tokenizer)
        and not tokenizer.rules
        and tokenizer.prefix_search is None
        and tokenizer.suffix_search is None
        and tokenizer.infix_finditer is None
        and tokenizer.token_match is None
        and tokenizer.url_match is None
    )


#: longer runs with no white space are split on white space alone (see _prepare)
LONG_RUN = 1000
_WORDS = re.compile(r"\S+")


def _has_long_run(text: str, limit: int = LONG_RUN) -> bool:
    """Does ``text`` hold a run of more than ``limit`` characters with no white space?

    Splitting the whole page into words costs a tenth of tokenising it, so windows are probed
    first: a run of ``limit + 1`` or more characters covers a whole window of ``limit + 1 - limit // 2``
    characters starting at a multiple of ``limit // 2``. Only a window with no white space leads to
    the full word split.
    """
    n = len(text)
    if n <= limit:
        return False
    step = max(1, limit // 2)
    width = limit + 1 - step
    for at in range(0, n - width + 1, step):
        if len(text[at : at + width].split(None, 1)) < 2:
            return max(map(len, text.split()), default=0) > limit
    return False


def _plain_doc(nlp: Language, text: str) -> Doc:
    """A Doc of white-space-separated words whose text is exactly ``text``.

    As spaCy does, one space after a word is that word's trailing space; other white space
    becomes a token of its own.
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in _WORDS.finditer(text + " x"):  # a sentinel word flushes the trailing white space
        gap = text[pos : min(m.start(), len(text))]
        if gap and words and gap[0] == " ":
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
        if m.start() >= len(text):
            break
        words.append(m.group())
        spaces.append(False)
        pos = m.end()
    return Doc(nlp.vocab, words=words, spaces=spaces)


def _finish(doc: Doc, source_name: str | None, meeting_date: date | None) -> Extraction:
    sha = hashlib.sha256(doc.user_data["minutes.text"].encode("utf-8")).hexdigest()
    return build_extraction(doc, source_name=source_name, sha256=sha, meeting_date=meeting_date)


def run(
    nlp: Language, text: str, *, source_name: str | None = None, meeting_date: date | str | None = None
) -> Extraction:
    """Extract one text with ``nlp``."""
    return _run(nlp, _procs(nlp), text, source_name, meeting_date)


def _procs(nlp: Language) -> tuple[Any, ...]:
    """The pipeline's components in order, read once a batch (``nlp.pipeline`` builds a new list,
    and its error message, on every read: ~3 µs)."""
    return tuple(proc for _name, proc in nlp.pipeline)


def _run(
    nlp: Language,
    procs: tuple[Any, ...],
    text: str,
    source_name: str | None,
    meeting_date: date | str | None,
) -> Extraction:
    _check(text, source_name)
    when = _iso(meeting_date)
    doc = _prepare(nlp, text, when, tokens=False)
    for proc in procs:
        doc = proc(doc)
    return _finish(doc, source_name, when)


def _contexts(texts: Iterable[Any], as_tuples: bool) -> Iterator[tuple[str, dict]]:
    for item in texts:
        if as_tuples:
            text, ctx = item
            yield text, dict(ctx or {})
        else:
            yield item, {}


def _run_chunk(payload: tuple[str | None, list[tuple[str, dict]]]) -> list[Extraction]:
    model, chunk = payload
    nlp = _cached_nlp(model)
    procs = _procs(nlp)
    return [_run(nlp, procs, text, ctx.get("source_name"), ctx.get("meeting_date")) for text, ctx in chunk]


def run_many(
    nlp: Language,
    texts: Iterable[Any],
    *,
    n_process: int = 1,
    batch_size: int = 64,
    as_tuples: bool = False,
) -> Iterator[Extraction]:
    """Extract many texts in input order; ``n_process > 1`` spreads batches over worker processes."""
    items = _contexts(texts, as_tuples)
    if n_process == 1:
        procs = _procs(nlp)
        for text, ctx in items:
            yield _run(nlp, procs, text, ctx.get("source_name"), ctx.get("meeting_date"))
        return
    yield from _run_parallel(items, n_process=n_process, batch_size=batch_size)


def _batches(items: Iterator[tuple[str, dict]], size: int) -> Iterator[list[tuple[str, dict]]]:
    batch: list[tuple[str, dict]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_parallel(
    items: Iterator[tuple[str, dict]], *, n_process: int, batch_size: int
) -> Iterator[Extraction]:
    import multiprocessing

    if n_process < 0:
        n_process = os.cpu_count() or 1
    model = os.environ.get("TRACKER_SPACY_MODEL") or None
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes=n_process) as pool:
        payloads = ((model, batch) for batch in _batches(items, batch_size))
        for result in pool.imap(_run_chunk, payloads):
            yield from result
