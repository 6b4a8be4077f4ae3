"""The extract package's public API and pipeline: what it imports, how it batches, what it refuses."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from extract import SCHEMA, extract_many, extract_minutes
from extract.errors import EmptyMinutesError, MinutesTooLargeError
from extract.pipeline import MAX_CHARS, build_nlp

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_extract_never_imports_flask_or_sqlalchemy() -> None:
    code = (
        "import sys, extract\n"
        "extract.extract_minutes('RESOLVED – That the report be noted.')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_default_pipeline_is_blank_english_plus_our_components() -> None:
    nlp = build_nlp()
    assert nlp.lang == "en"
    assert not nlp.meta.get("vectors", {}).get("width")
    names = nlp.pipe_names
    assert names and all(n.startswith("minutes_") for n in names)


def test_extract_many_matches_extract_minutes_and_keeps_order() -> None:
    texts = [s.read_text(encoding="utf-8") for s in SEEDS] * 3
    one_by_one = [extract_minutes(t).to_dict() for t in texts]
    batched = [e.to_dict() for e in extract_many(texts)]
    assert batched == one_by_one


def test_extract_many_in_two_processes_gives_the_same_records() -> None:
    texts = [s.read_text(encoding="utf-8") for s in SEEDS] * 4
    serial = [e.to_dict() for e in extract_many(texts)]
    parallel = [e.to_dict() for e in extract_many(texts, n_process=2, batch_size=3)]
    assert parallel == serial


def test_extract_many_with_context() -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    (ex,) = extract_many([(text, {"source_name": "a.txt", "meeting_date": "2018-09-26"})], as_tuples=True)
    data = ex.to_dict()
    assert data["schema"] == SCHEMA
    assert data["source"]["name"] == "a.txt"
    assert data["meeting_date"] == "2018-09-26"
    assert "text" not in data  # plain text input: the reader has it already


@pytest.mark.parametrize("text", ["", "   \n\t  \n"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(EmptyMinutesError):
        extract_minutes(text)


def test_oversized_text_is_refused_with_its_source_named() -> None:
    with pytest.raises(MinutesTooLargeError) as err:
        extract_minutes("x" * (MAX_CHARS + 1), source_name="huge.txt")
    assert "huge.txt" in str(err.value)


def test_a_trained_pipeline_named_by_tracker_spacy_model_adds_people(tmp_path: Path, monkeypatch) -> None:
    """A saved pipeline with an entity ruler stands in for a trained model: its PERSON entities in an
    attendance sentence add attendees the rules would not find; nothing else changes."""
    model = spacy.blank("en")
    ruler = model.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "ada quill"}])
    path = tmp_path / "tiny_model"
    model.to_disk(path)
    text = (
        "The meeting was attended by the auditor, ada quill, for this item.\n\n"
        "RESOLVED – That the report be noted.\n"
    )
    blank = extract_minutes(text).to_dict()
    monkeypatch.setenv("TRACKER_SPACY_MODEL", str(path))
    with_model = extract_minutes(text).to_dict()
    assert [a["name"] for a in blank["attendees"]] == []
    assert [a["name"] for a in with_model["attendees"]] == ["ada quill"]
    assert with_model["resolutions"] == blank["resolutions"]


@pytest.mark.parametrize(
    "text",
    [
        "(" * 30_000 + ")" * 30_000,  # spaCy's affix rules are quadratic on one such run
        "RESOLVED – That the report be noted. " + "'" * 20_000 + "\n\n(2) That officers report back.",
    ],
)
def test_hostile_runs_without_spaces_extract_quickly_and_keep_offsets(text: str) -> None:
    data = extract_minutes(text).to_dict()  # would take minutes if tokenised by spaCy's affix rules
    for group in ("dates", "amounts", "references"):
        for rec in data[group]:
            assert text[rec["span"][0] : rec["span"][1]] == rec["text"]


def test_texts_over_a_million_characters_are_accepted_up_to_our_limit() -> None:
    text = SEEDS[0].read_text(encoding="utf-8") * 200  # about 1.1 MB: over spaCy's default max_length
    data = extract_minutes(text).to_dict()
    assert len(data["resolutions"]) >= 3


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_evidence_spans_put_every_record_on_the_doc(seed: Path) -> None:
    """The pipeline keeps plain data; ``evidence_spans`` turns it into ``doc.spans`` on request,
    one span per record, each covering the record's own characters."""
    from extract.components import evidence_spans
    from extract.pipeline import _prepare

    text = seed.read_text(encoding="utf-8")
    nlp = build_nlp()
    doc = _prepare(nlp, text, None)
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert not doc.spans  # nothing is built unless asked for
    evidence_spans(doc)
    result = extract_minutes(text)
    by_group = {
        "resolutions": [r.span for r in result.resolutions],
        "attendees": [a.span for a in result.attendees],
        "dates": [d.span for d in result.dates],
        "amounts": [a.span for a in result.amounts],
        "references": [r.span for r in result.references],
    }
    assert by_group["resolutions"] and by_group["attendees"]
    for key, spans in by_group.items():
        group = doc.spans[key]
        assert len(group) == len(spans), key
        for span, (s, e) in zip(group, spans, strict=True):
            assert span.start_char <= s and e <= span.end_char, (key, span.text, text[s:e])
    narrative = [a.span for a in result.actions if a.origin != "resolution"]
    assert len(doc.spans["actions"]) >= len(narrative)


def _people_with_entities(text: str, spans: list[tuple[int, int]]) -> list[tuple]:
    """Run the pipeline by hand, with PERSON entities set before the attendee component (as a
    trained pipeline's recogniser would) on ``spans``; ``[]`` marks every token outside one. The
    Doc has the English tokenizer's tokens, as a trained pipeline's would (the blank pipeline's own
    tokenizer splits on white space alone: "Quint." would be one token)."""
    nlp = build_nlp()
    doc = spacy.blank("en").make_doc(text)
    doc.user_data["minutes.text"] = text
    doc.user_data["minutes.meeting_date"] = None
    for name, proc in nlp.pipeline:
        if name == "minutes_attendees":
            ents = [doc.char_span(s, e, label="PERSON") for s, e in spans]
            doc.set_ents(ents, default="outside")
        doc = proc(doc)
    return [(p.name, p.capacity, p.start) for p in doc.user_data["minutes.people"]]


def test_person_entities_in_an_attendance_sentence_add_attendees() -> None:
    text = "Minutes\n\nPRESENT: Councillor A Khan (Chair)\n\nThe meeting was attended by Zara Quint.\n"
    plain = _people_with_entities(text, [])
    start = text.index("Zara Quint")
    found = _people_with_entities(text, [(start, start + len("Zara Quint"))])
    assert ("Zara Quint", "invited", start) in found
    assert [p for p in found if p[0] != "Zara Quint"] == plain
    # every token annotated "outside" and no entity: the same people as no annotation at all
    assert plain == [(p.name, p.capacity, p.start) for p in _bare_people(text)]


def _bare_people(text: str) -> list:
    nlp = build_nlp()
    doc = spacy.blank("en").make_doc(text)
    doc.user_data["minutes.text"] = text
    doc.user_data["minutes.meeting_date"] = None
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc.user_data["minutes.people"]


def test_blank_pipeline_docs_are_split_on_white_space_and_keep_the_text() -> None:
    """Only minutes_cues needs the English tokens, and it makes them itself where cues can be."""
    from extract.pipeline import _prepare, _splits_on_white_space

    text = SEEDS[0].read_text(encoding="utf-8")
    nlp = build_nlp()
    doc = _prepare(nlp, text, None)
    assert _splits_on_white_space(nlp.tokenizer)
    assert not _splits_on_white_space(spacy.blank("en").tokenizer)
    assert doc.user_data["minutes.word_tokens"]
    assert doc.text == text
    assert [t.text for t in doc if not t.is_space] == text.split()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_an_extraction_pickles_to_an_equal_one_rebuilt_from_its_fields(seed: Path) -> None:
    """Batch workers send extractions to the writer by pickle; every record type makes the trip."""
    extraction = extract_minutes(seed.read_text(encoding="utf-8"), source_name=seed.name)
    for records in (extraction.attendees, extraction.resolutions, extraction.actions, extraction.dates):
        assert records  # the seeds hold every kind the writer stores
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(extraction, protocol=protocol))
        assert back == extraction and back.to_dict() == extraction.to_dict()
        assert type(back.actions[0]) is type(extraction.actions[0])
    assert extraction.actions[0].__reduce__()[1][0] == extraction.actions[0].text  # its fields, in order


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Item 9 – Delayed Discharge and Winter Resilience Update\n\nIntegration Joint Board\n\n"
            "RESOLVED – That the report be noted.\n",
            "Delayed Discharge and Winter Resilience Update",
        ),
        (
            "Westmoor Combined Authority\n\nOverview and Scrutiny Committee\n\nThursday 16 January 2025\n\n"
            "Agenda item 41\n\nAdult Skills Fund: Commissioning Review\n\nMinutes:\n\n"
            "RESOLVED – That the report be noted.\n",
            "Adult Skills Fund: Commissioning Review",
        ),
        (
            "Westmoor Combined Authority\n\nOverview and Scrutiny Committee\n\nThursday 16 January 2025\n\n"
            "AGENDA  Item 41\n\nAdult Skills Fund: Commissioning Review\n\nMinutes:\n\n"
            "RESOLVED – That the report be noted.\n",
            "Adult Skills Fund: Commissioning Review",
        ),
    ],
)
def test_title_of_a_numbered_agenda_item(text: str, title: str) -> None:
    assert extract_minutes(text).to_dict()["title"] == title
