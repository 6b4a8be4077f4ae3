"""Frozen, slotted dataclasses whose ``__init__`` costs about half of ``dataclasses``' own.

Why: a frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``
(about 85 ns a field, against 20 ns for a plain attribute), and the extractor makes some sixty
such objects a page, records and the pieces they are built from. Setting each slot through its
member descriptor's ``__set__`` stores the same values. Everything else stays ``dataclasses``'
own (``fields``, ``replace``, equality, hashing, ``FrozenInstanceError`` on assignment); only
``__init__`` is replaced, and only when every field is an ``__init__`` argument, positional or
keyword, with at most a plain default, and the class has no ``__post_init__``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar

_T = TypeVar("_T")


def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True, slots=True)`` with the faster ``__init__`` where it can have one."""
    made = dataclass(frozen=True, slots=True)(cls)
    found = fields(made)
    if hasattr(made, "__post_init__") or any(
        not f.init or f.kw_only or f.default_factory is not MISSING for f in found
    ):
        return made
    namespace: dict[str, Any] = {}
    params: list[str] = []
    body: list[str] = []
    for i, f in enumerate(found):
        namespace[f"_set{i}"] = made.__dict__[f.name].__set__  # the slot's member descriptor
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        body.append(f"    _set{i}(self, {f.name})")
    if not body:
        return made
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n", namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    init.__module__ = made.__module__
    made.__init__ = init  # type: ignore[misc]
    return made
