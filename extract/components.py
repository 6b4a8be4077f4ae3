"""The ``minutes_*`` spaCy components (work in progress: filled in by the extractor slices)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

for _name in ("minutes_layout", "minutes_mentions", "minutes_resolutions", "minutes_attendees", "minutes_actions"):
    Language.component(_name)(lambda doc: doc)
