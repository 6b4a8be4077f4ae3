"""``extract.frozen.frozen``: its faster ``__init__`` stores what dataclasses' own stores."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from extract import records
from extract.actions import NarrativeAction
from extract.classify import Classification
from extract.dates import DueMatch
from extract.frozen import frozen
from extract.layout import Item
from extract.people import Person
from extract.resolutions import LeafClause


@frozen
class _Plain:
    a: int
    b: str | None
    c: tuple[int, int] = (0, 0)
    d: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _Reference:
    a: int
    b: str | None
    c: tuple[int, int] = (0, 0)
    d: str | None = None


def _values(obj: object) -> list:
    return [getattr(obj, f.name) for f in dataclasses.fields(obj)]  # type: ignore[arg-type]


def test_the_faster_init_stores_what_the_dataclass_init_stores() -> None:
    assert _Plain.__init__.__qualname__ == "_Plain.__init__"
    for args, kwargs in [
        ((1, "x"), {}),
        ((1, None, (2, 3)), {}),
        ((1,), {"b": "y", "d": "z"}),
        ((), {"d": "w", "c": (4, 5), "b": None, "a": 7}),
    ]:
        assert _values(_Plain(*args, **kwargs)) == _values(_Reference(*args, **kwargs))
    with pytest.raises(TypeError):
        _Plain(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Plain(1, "x", e=2)  # type: ignore[call-arg]


def test_the_class_stays_a_frozen_dataclass() -> None:
    one = _Plain(1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 2  # type: ignore[misc]
    assert one == _Plain(1, "x", (0, 0), None) and hash(one) == hash(_Plain(1, "x"))
    assert dataclasses.replace(one, d="z") == _Plain(1, "x", d="z")
    assert not hasattr(one, "__dict__")
    assert list(inspect.signature(_Plain).parameters) == ["a", "b", "c", "d"]


def test_a_class_the_faster_init_cannot_serve_keeps_its_own() -> None:
    @frozen
    class Made:
        a: int
        b: list[int] = dataclasses.field(default_factory=list)

    @frozen
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    assert Made(1).b == [] and Made(1).b is not Made(1).b
    with pytest.raises(ValueError):
        Checked(-1)
    assert Checked(2).a == 2


def _frozen_classes() -> list[type]:
    found = [
        c
        for c in vars(records).values()
        if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == records.__name__
    ]
    return found + [Classification, DueMatch, Item, LeafClause, NarrativeAction, Person]


@pytest.mark.parametrize("cls", _frozen_classes(), ids=lambda c: c.__name__)
def test_every_extractor_record_is_built_and_pickled_field_for_field(cls: type) -> None:
    fields = dataclasses.fields(cls)
    values = [f"value {i}" for i in range(len(fields))]
    obj = cls(*values)
    assert "_set0" in cls.__init__.__code__.co_names  # the faster __init__ serves every one
    assert _values(obj) == values
    assert _values(cls(**{f.name: v for f, v in zip(fields, values, strict=True)})) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, fields[0].name, "changed")
    if cls.__module__ == records.__name__:
        assert pickle.loads(pickle.dumps(obj)) == obj
