"""Follow-up linking: find the later minute items that may answer an earlier action, and let staff decide.

When an item is imported, :func:`link_item` compares it with the open actions of earlier meetings of
its committee (and open actions owned by that committee, e.g. "Audit Committee" as owner), and, so
that import order does not matter, compares the item's own actions with the already-imported items
of its committee's later meetings. Each pair scoring at least :data:`THRESHOLD` is stored as a
:class:`~tracker.models.FollowUpLink` with its score and the words that matched. The scoring design
and its measured precision and recall are in ``docs/LINKING.md``.

Rules: never an action of the item itself; never an action from a meeting on the same day as the
item or later; no suggestion when either meeting's date is unknown (the order cannot be known, and is
never guessed); one row per (action, item), so a dismissed suggestion stays dismissed.

Cost: two queries for the candidate actions' ids and versions (bounded by the committee's open
actions, through the meeting and minute item indexes, and the owner index), and one for the text of
those whose profile the Session's :func:`action_store` does not hold yet; two for the later items
(at most :data:`MAX_LATER_ITEMS`), one for existing links (none for an item just imported). Profiles
and scoring are :mod:`tracker.profiles` (no database: a batch worker profiles each item while
extracting it); evidence is only gathered for pairs over the threshold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, event, insert, select, tuple_
from sqlalchemy.orm import Session, defer, joinedload

from . import candidates as kept_candidates
from . import db, direct
from .errors import InvalidTransitionError, NotFoundError
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Committee,
    FollowUpLink,
    LinkStatus,
    Meeting,
    MinuteItem,
    User,
    utcnow,
)
from .profiles import (
    NO_ASK_FACTOR,
    NO_EVIDENCE,
    OPENING,
    ActionProfile,
    ActionStore,
    Cache,
    ItemProfile,
    Score,
    action_profile,
    cannot_reach,
    item_profile,
    score_pair,
    stem,
    weight,
)

__all__ = [
    "LINK_KEYS",
    "NO_ASK_FACTOR",
    "OPENING",
    "THRESHOLD",
    "ActionProfile",
    "ItemProfile",
    "Score",
    "action_profile",
    "action_store",
    "item_profile",
    "stem",
    "weight",
    "confirm_link",
    "dismiss_link",
    "link_item",
    "link_record",
    "links_for_action",
    "links_for_item",
    "list_links",
    "score_pair",
]

#: a pair scoring below this is not suggested (chosen on ``tests/links``: see ``docs/LINKING.md``)
THRESHOLD = 0.42
#: at most this many suggestions are stored for one newly imported item, best first
MAX_PER_ITEM = 8
#: at most this many of the committee's open actions (the most recent meetings') are scored per item:
#: a committee that never closes anything must not make every import slower than the last
MAX_CANDIDATES = 400
#: when an item's actions are compared with later items, at most this many (the nearest meetings)
MAX_LATER_ITEMS = 60

# ---------------------------------------------------------------------------------------------
# linking an imported item


@dataclasses.dataclass(frozen=True, slots=True)
class OwnAction:
    """An open action of the item being linked: what :func:`link_item` needs of it."""

    id: int
    text: str
    owner: str | None
    span_start: int
    span_end: int
    #: the row's version, when known: its profile is then kept in the Session's :func:`action_store`
    version: int | None = None


_STORE_KEY = "tracker.action_profiles"


def action_store(session: Session, *, batch: bool = False) -> ActionStore:
    """The Session's store of action profiles by id and version, emptied when it rolls back.

    A batch import's Session lives for the whole batch, so each action is read and profiled once
    (when it is first a candidate, or when the import creates it) rather than once per later item;
    the batch makes its store first, with ``batch`` (see :class:`ActionStore`'s ``process_cache``).
    A rollback empties it: the rows it describes may be gone and their ids given out again.
    """
    store = session.info.get(_STORE_KEY)
    if store is None:
        store = session.info[_STORE_KEY] = ActionStore(process_cache=not batch)
        event.listen(session, "after_soft_rollback", lambda _session, _transaction: store.clear())
    return store  # type: ignore[no-any-return]


def link_item(
    session: Session,
    item: MinuteItem,
    *,
    actions: Sequence[OwnAction] | None = None,
    committee: Committee | None = None,
    when: date | None = None,
    load: bool = True,
    profile: ItemProfile | None = None,
    new: bool = False,
) -> list[Any]:
    """Suggest links for a newly imported item, both ways; return the new suggestions (written).

    1. The item as the answer: the open actions of its committee's earlier meetings, and open actions
       owned by its committee (by name), are scored against it.
    2. The item's own actions as the question: the items of its committee's later meetings (the
       nearest :data:`MAX_LATER_ITEMS`) are scored against each of its open actions.

    Existing links for a pair, whatever their status, are left as they are. The import passes the
    item's open ``actions``, ``committee`` and meeting date ``when``, which it has in hand; without
    them they are read from ``item``. With ``load`` False the links are written without reading
    anything back (no ``RETURNING``) and their ``(action id, item id)`` pairs are returned.
    ``profile`` is the item's profile if already made (a batch worker makes it while extracting);
    it is used only if made with the spans of ``actions``. ``new`` says that the item and its
    ``actions`` were created in this transaction (the import): no link can hold them yet, so
    existing links are not looked up.
    """
    if actions is None or committee is None:
        meeting = item.meeting
        when, committee = meeting.date, meeting.committee
        actions = [
            OwnAction(a.id, a.text, a.owner, a.span_start, a.span_end, a.version)
            for a in item.actions
            if a.status is not ActionStatus.CLOSED
        ]
    if when is None:
        return []
    found: list[tuple[int, int, Score]] = []
    store = action_store(session)
    own_profiles = []
    for a in actions:
        own = store.make(a.text, item.title, a.owner)
        own_profiles.append((a.id, own))
        if a.version is not None:
            store.put(a.id, a.version, own)

    if new:  # a batch keeping its committees' candidates adds the item's own (no-op otherwise)
        made = [(a.id, a.version) for a in actions if a.version is not None]
        kept_candidates.added(session, committee.id, when, item.id, made)
    candidates = _earlier_open_actions(session, committee, when, item.id, store)
    if candidates:
        spans = tuple(sorted((a.span_start, a.span_end) for a in actions))
        if profile is None or profile.spans != spans:
            profile = _item_profile_of(item, spans)
        # values first (no evidence), then the evidence of the best few only; candidates of the
        # same shape (same words and weights, however written) have the same value
        values = []
        value_of: dict[int, float] = {}
        for action_id, action in candidates:
            value = value_of.get(action.shape)
            if value is None:
                value = value_of[action.shape] = (
                    -1.0
                    if cannot_reach(action, profile, THRESHOLD)
                    else score_pair(action, profile, NO_EVIDENCE).value
                )
            if value >= THRESHOLD:
                values.append((value, action_id, action))
        values.sort(key=lambda t: (-t[0], t[1]))
        found += [(a, item.id, score_pair(p, profile)) for _, a, p in values[:MAX_PER_ITEM]]

    if actions:
        for later in _later_items(session, committee.id, when):
            # keyed by the whole row (text and spans too): ids are reused by other databases
            later_profile = _ITEM_PROFILES.get_or(later, lambda it=later: _item_profile_of(it, it.spans))
            for action_id, own in own_profiles:
                if cannot_reach(own, later_profile, THRESHOLD):
                    continue
                s = score_pair(own, later_profile, THRESHOLD)
                if s.value >= THRESHOLD:
                    found.append((action_id, later.id, s))
    if not found:
        return []
    pairs = [(a, i) for a, i, _ in found]
    existing = (
        set()
        if new
        else set(
            session.execute(
                select(FollowUpLink.action_id, FollowUpLink.minute_item_id).where(
                    tuple_(FollowUpLink.action_id, FollowUpLink.minute_item_id).in_(pairs)
                )
            ).all()
        )
    )
    now = utcnow()
    rows = []
    for action_id, item_id, s in found:
        if (action_id, item_id) in existing:
            continue
        existing.add((action_id, item_id))
        rows.append(
            {
                "action_id": action_id,
                "minute_item_id": item_id,
                "score": s.value,
                "evidence": s.evidence,
                "status": LinkStatus.SUGGESTED,
                "decided_by_id": None,
                "decided_at": None,
                "created_at": now,
            }
        )
    if not rows:
        return []
    # one multi-row INSERT (the ORM would write them one by one); read back only when asked for
    table = FollowUpLink.__table__
    if not load:
        direct.insert_rows(session, table, rows)
        return [(row["action_id"], row["minute_item_id"]) for row in rows]
    ids = list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
    by_id = {link.id: link for link in session.scalars(select(FollowUpLink).where(FollowUpLink.id.in_(ids)))}
    return [by_id[i] for i in ids]


def _item_profile_of(item: Any, spans: Iterable[tuple[int, int]]) -> ItemProfile:
    return item_profile(item.title, item.source_text, spans)


_ITEM_PROFILES = Cache(2_000)

_EARLIER_BASE = (
    select(Action.id, Action.version)
    .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(
        Action.status != ActionStatus.CLOSED,
        Meeting.date < bindparam("when"),
        Action.minute_item_id != bindparam("item_id"),
    )
)
#: the committee's own open actions of earlier meetings (built once: only the parameters change)
_EARLIER_OWN = direct.Statement(
    _EARLIER_BASE.where(Meeting.committee_id == bindparam("committee_id"))
    .order_by(Meeting.date.desc(), Action.id.desc())
    .limit(MAX_CANDIDATES)
)
#: open actions of other committees' earlier meetings that name this committee as their owner (its
#: name as written, or after "the" or "The")
_EARLIER_OWNED = direct.Statement(
    _EARLIER_BASE.where(
        kept_candidates.OWNED_BY_COMMITTEE,
        Meeting.committee_id != bindparam("committee_id"),
    )
    .order_by(Meeting.date.desc(), Action.id.desc())
    .limit(MAX_CANDIDATES)
)
#: what an action's profile is made of, for the candidates not in the store yet
_PROFILE_ROWS = (
    select(Action.id, Action.version, Action.text, Action.owner, MinuteItem.title)
    .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
    .where(Action.id.in_(bindparam("ids", expanding=True)))
)


def _earlier_open_actions(
    session: Session, committee: Committee, when: date, item_id: int, store: ActionStore
) -> list[tuple[int, ActionProfile]]:
    """Open actions of the committee's earlier meetings, and open earlier actions owned by it,
    with their profiles, in the order scored.

    Two queries of ids and versions (the first is answered from memory when a batch keeps its
    committees' candidates, see :mod:`tracker.candidates`), through indexes: the committee's meetings
    (``uq_meeting_committee_id``), their items, their actions (``ix_action_item_status_id``); and
    ``ix_action_owner`` for the owned ones (skipped when a batch knows that no open action names the
    committee: :func:`tracker.candidates.may_be_owned`). A third reads text, owner and item title
    of the actions not in ``store`` under the version found (none once a batch has seen them all).
    """
    params = {"when": when, "item_id": item_id, "committee_id": committee.id}
    rows: list[Any] | None = kept_candidates.candidates(session, committee.id, when, item_id, MAX_CANDIDATES)
    if rows is None:
        rows = _EARLIER_OWN.rows(session, params)
    if kept_candidates.may_be_owned(session, committee.name):
        rows += _EARLIER_OWNED.rows(session, params | kept_candidates.owner_forms(committee.name))
    found = store.lookup(rows)
    missing = [action_id for action_id, known in found if known is None]
    if not missing:
        return found  # type: ignore[return-value]
    read = {}
    for action_id, version, text, owner, title in db.core(session).execute(_PROFILE_ROWS, {"ids": missing}):
        read[action_id] = made = store.make(text, title, owner)
        store.put(action_id, version, made)
    return [(action_id, known if known is not None else read[action_id]) for action_id, known in found]


@dataclasses.dataclass(frozen=True, slots=True)
class _Later:
    id: int
    title: str | None
    source_text: str
    spans: tuple[tuple[int, int], ...]


#: the committee's items of later meetings, nearest first (built once: only the parameters change)
_LATER = direct.Statement(
    select(MinuteItem.id, MinuteItem.title, MinuteItem.source_text)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(Meeting.committee_id == bindparam("committee_id"), Meeting.date > bindparam("when"))
    .order_by(Meeting.date, MinuteItem.id)
    .limit(MAX_LATER_ITEMS)
)
_SPANS = select(Action.minute_item_id, Action.span_start, Action.span_end).where(
    Action.minute_item_id.in_(bindparam("ids", expanding=True))
)


def _later_items(session: Session, committee_id: int, when: date) -> list[_Later]:
    """The committee's items from meetings after ``when``, nearest first (at most MAX_LATER_ITEMS).

    Two queries: the items, and their own actions' spans.
    """
    rows = _LATER.rows(session, {"committee_id": committee_id, "when": when})
    if not rows:
        return []
    spans: dict[int, list[tuple[int, int]]] = {item_id: [] for item_id, _, _ in rows}
    for item_id, start, end in db.core(session).execute(_SPANS, {"ids": list(spans)}):
        spans[item_id].append((start, end))
    return [_Later(item_id, title, text, tuple(spans[item_id])) for item_id, title, text in rows]


# ---------------------------------------------------------------------------------------------
# reading and deciding


def _link_rows() -> Any:
    return select(FollowUpLink).options(
        joinedload(FollowUpLink.action).options(
            joinedload(Action.resolution),
            joinedload(Action.minute_item).options(
                defer(MinuteItem.source_text), defer(MinuteItem.extraction), joinedload(MinuteItem.meeting)
            ),
        ),
        joinedload(FollowUpLink.minute_item).options(
            defer(MinuteItem.source_text),
            defer(MinuteItem.extraction),
            joinedload(MinuteItem.meeting).joinedload(Meeting.committee),
        ),
        joinedload(FollowUpLink.decided_by),
    )


def _statuses(include_suggested: bool) -> tuple[LinkStatus, ...]:
    return (LinkStatus.SUGGESTED, LinkStatus.CONFIRMED) if include_suggested else (LinkStatus.CONFIRMED,)


def links_for_action(
    session: Session, action_id: int, *, include_suggested: bool = True
) -> list[FollowUpLink]:
    """The items that may answer (or, confirmed, answer) an action, best first. One query."""
    return list(
        session.scalars(
            _link_rows()
            .where(FollowUpLink.action_id == action_id, FollowUpLink.status.in_(_statuses(include_suggested)))
            .order_by(FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


def links_for_item(session: Session, item_id: int, *, include_suggested: bool = True) -> list[FollowUpLink]:
    """The earlier actions an item may answer (or, confirmed, answers), best first. One query."""
    return list(
        session.scalars(
            _link_rows()
            .where(
                FollowUpLink.minute_item_id == item_id, FollowUpLink.status.in_(_statuses(include_suggested))
            )
            .order_by(FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


#: the choices of ``tracker links --status``
LIST_CHOICES = ("suggested", "confirmed", "dismissed", "all")


def list_links(session: Session, *, status: str = "suggested") -> list[FollowUpLink]:
    """Links with the given status (or ``all``), by action then score. One query.

    :raise ValueError: an unknown status.
    """
    if status not in LIST_CHOICES:
        raise ValueError(f"unknown link status {status!r}; expected one of: {', '.join(LIST_CHOICES)}")
    stmt = _link_rows()
    if status != "all":
        stmt = stmt.where(FollowUpLink.status == LinkStatus(status))
    return list(
        session.scalars(
            stmt.order_by(FollowUpLink.action_id, FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


def _get_link(session: Session, link_id: int) -> FollowUpLink:
    link = session.scalar(
        select(FollowUpLink)
        .where(FollowUpLink.id == link_id)
        .options(
            joinedload(FollowUpLink.minute_item).options(
                defer(MinuteItem.source_text), defer(MinuteItem.extraction), joinedload(MinuteItem.meeting)
            )
        )
    )
    if link is None:
        raise NotFoundError(f"there is no follow-up link {link_id}")
    return link


def _decide(link: FollowUpLink, status: LinkStatus, author: User) -> None:
    if link.status is not LinkStatus.SUGGESTED:
        raise InvalidTransitionError(
            f"follow-up link {link.id} was already {link.status.value}; reload the page to see it"
        )
    if not isinstance(author, User):
        raise TypeError(f"author must be a User, not {type(author).__name__}")
    link.status, link.decided_by, link.decided_at = status, author, utcnow()


def confirm_link(session: Session, link_id: int, *, author: User) -> ActionUpdate:
    """Confirm that the item answers the action: the link is confirmed, and the action's history
    gets an update with the item as evidence (the action stays as it is: closing is a separate step).

    :raise NotFoundError: no such link.
    :raise InvalidTransitionError: it was confirmed or dismissed already.
    """
    from . import services  # services imports this module for the import hook

    link = _get_link(session, link_id)
    _decide(link, LinkStatus.CONFIRMED, author)
    item = link.minute_item
    when = item.meeting.date.isoformat() if item.meeting.date else "date unknown"
    matched = ", ".join(link.evidence.get("phrases") or link.evidence.get("topic") or []) or "its subject"
    note = (
        f"Follow-up confirmed: minute item {item.id}, “{item.title or 'untitled'}” ({when}), "
        f"answers this action (suggested with score {link.score:.2f}; matched: {matched})."
    )
    return services.add_update(session, link.action_id, author=author, note=note, evidence_item_id=item.id)


def dismiss_link(session: Session, link_id: int, *, author: User) -> FollowUpLink:
    """Dismiss a suggestion: it is kept, as dismissed, so it is never suggested again.

    :raise NotFoundError: no such link.
    :raise InvalidTransitionError: it was confirmed or dismissed already.
    """
    link = _get_link(session, link_id)
    _decide(link, LinkStatus.DISMISSED, author)
    session.flush()
    return link


#: the keys of each link in ``tracker links --format json``, in order
LINK_KEYS = (
    "id",
    "status",
    "score",
    "action_id",
    "action_text",
    "action_status",
    "resolution_label",
    "action_meeting_date",
    "minute_item_id",
    "minute_item_title",
    "meeting_date",
    "committee",
    "evidence",
    "decided_by",
    "decided_at",
)


def link_record(link: FollowUpLink) -> dict[str, Any]:
    """One link as plain data: the keys of :data:`LINK_KEYS`, dates as ISO strings."""
    action, item = link.action, link.minute_item
    record = {
        "id": link.id,
        "status": link.status.value,
        "score": link.score,
        "action_id": action.id,
        "action_text": action.text,
        "action_status": action.status.value,
        "resolution_label": action.resolution.label if action.resolution else None,
        "action_meeting_date": _iso(action.minute_item.meeting.date),
        "minute_item_id": item.id,
        "minute_item_title": item.title,
        "meeting_date": _iso(item.meeting.date),
        "committee": item.meeting.committee.name,
        "evidence": link.evidence,
        "decided_by": link.decided_by.name if link.decided_by else None,
        "decided_at": link.decided_at.isoformat() if link.decided_at else None,
    }
    assert tuple(record) == LINK_KEYS
    return record


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
