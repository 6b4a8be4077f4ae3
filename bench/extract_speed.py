"""How much does extraction cost over spaCy's tokenizer alone? Times both on the same texts.

Builds N seed-sized texts from ``seeds/*.txt`` (deterministic: a seeded ``random.Random`` varies
committees, people, places, dates, amounts, numbers and paragraph/sentence order), then alternates
timed rounds of ``spacy.blank("en").pipe(texts)`` and ``extract_many(texts)`` in one process,
swapping which goes first each round so drift (CPU frequency, caches) hits both sides alike. Speed is
the median of the rounds. Both sides consume their results as they come and keep none, as a batch
import does: a list of 2,000 kept extractions grows the heap until Python's cyclic collector makes a
full pass over everything, spaCy's own 80,000-odd objects included (40-60 ms a pass here), which the
tokenizer's side, keeping no Docs, never pays. ``--keep`` times ``list(extract_many(texts))`` instead.
Peak memory is measured honestly, with every extraction kept: each side also runs once alone, in a
fresh subprocess that reports its own peak (``VmHWM``; ``ru_maxrss`` off Linux), so the two sides
cannot hide in each other's peak, and the timing process's own peak is printed too.

Target (issue): extraction at most 2x the tokenizer's time, peak memory under 300 MB.

    python bench/extract_speed.py                 # 2,000 texts, 5 rounds each way
    python bench/extract_speed.py --texts 500 --rounds 3 --json
    python bench/extract_speed.py --corpus ../shared/corpus --rounds 20   # real minutes, read in place
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# Let `python bench/extract_speed.py` run from a checkout even before `pip install -e .`.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
TARGET_PEAK_MB = 300.0

_BODIES = ["Committee", "Board", "Panel", "Scrutiny Board", "Sub-Committee", "Forum"]
_COMMITTEES = [
    "Scrutiny Co-ordination Committee",
    "Health and Wellbeing Board",
    "Audit and Procedures Committee",
    "Children and Young People Scrutiny Board",
    "Licensing and Regulatory Committee",
    "Planning Committee",
    "Communities and Neighbourhoods Panel",
    "Finance and Corporate Services Scrutiny Board",
]
_PLACES = [
    "Coventry",
    "Northbridge",
    "Eastleigh Vale",
    "Kingsmoor",
    "Ashford Green",
    "Southport Lane",
    "Hallam",
]
_SURNAMES = [
    "Abbott", "Akhtar", "Duggins", "Khan", "Patel", "Brown", "Green", "White", "Okafor", "Nowak",
    "Singh", "O'Neill", "Murray", "Hughes", "Evans", "Begum", "Clarke", "Lewis", "Osei", "Walsh",
]  # fmt: skip
_FIRST = ["Sarah", "Gary", "Kimberley", "Rosie", "Martina", "Susan", "David", "Amir", "Joan", "Tom", "Priya"]
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip

_DATE = re.compile(r"\b(\d{1,2})(st|nd|rd|th)? (" + "|".join(_MONTHS) + r"),? (\d{4})\b")
_AMOUNT = re.compile(r"£\d[\d,]*(?:\.\d+)?(?:m|k| million)?")
_NUMBER = re.compile(r"(?<![(\d£,.])\b\d{1,2}\b(?![)\d,.%])")
_COUNCILLOR = re.compile(r"\bCouncillor ([A-Z]) ([A-Z][a-z]+)\b")
_REPRESENTATIVE = re.compile(r"^(?:Inspector )?([A-Z][a-z]+)(?: [A-Z][a-z]+)+(?=, )", re.MULTILINE)
_THE_COMMITTEE = re.compile(r"\b([Tt]he) Committee\b")
_NAMED_BODY = re.compile(
    r"\b(?:Scrutiny Co-Ordination Committee|Police and Crime Board|Health and Wellbeing Board)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _vary(text: str, rng: random.Random) -> str:
    """One variant of a seed: same shape and size, different names, numbers and order."""
    body = rng.choice(_BODIES)
    place = rng.choice(_PLACES)
    text = _THE_COMMITTEE.sub(lambda m: f"{m.group(1)} {body}", text)
    text = _NAMED_BODY.sub(lambda m: rng.choice(_COMMITTEES), text)
    text = text.replace("Coventry", place)
    text = _COUNCILLOR.sub(
        lambda m: f"Councillor {rng.choice('ABCDEFGHJKLMPRST')} {rng.choice(_SURNAMES)}", text
    )
    text = _REPRESENTATIVE.sub(lambda m: f"{rng.choice(_FIRST)} {rng.choice(_SURNAMES)}", text)
    # Numbers before dates, so a date's day is rewritten whole and stays a real day.
    text = _NUMBER.sub(lambda m: str(rng.randint(2, 24)), text)
    text = _DATE.sub(lambda m: _date(rng, ordinal=bool(m.group(2))), text)
    text = _AMOUNT.sub(lambda m: _money(rng), text)
    return _shuffle(text, rng)


def _date(rng: random.Random, *, ordinal: bool) -> str:
    day = rng.randint(1, 28)
    suffix = ""
    if ordinal:
        suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix} {rng.choice(_MONTHS)}, {rng.randint(2012, 2024)}"


def _money(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.6:
        return f"£{rng.randint(1_000, 5_000_000):,}"
    if style < 0.8:
        return f"£{rng.randint(1, 99) / 10:.1f}m"
    return f"£{rng.randint(5, 900)}k"


def _shuffle(text: str, rng: random.Random) -> str:
    """Reorder the narrative paragraphs among themselves, and sometimes the sentences inside them.

    Headings, list items, wrapped fragments and the closing resolutions keep their places, so the
    text keeps the seed's structure.
    """
    parts = re.split(r"(\n\s*\n)", text)
    paras = parts[0::2]
    tail = max(4, len(paras) // 4)
    slots = [i for i, p in enumerate(paras[3:-tail], start=3) if _movable(p)]
    moved = [paras[i] for i in slots]
    rng.shuffle(moved)
    for i, para in zip(slots, moved, strict=True):
        sentences = _SENTENCE.split(para)
        if len(sentences) > 2 and rng.random() < 0.4:
            rng.shuffle(sentences)
            para = " ".join(sentences)
        paras[i] = para
    parts[0::2] = paras
    return "".join(parts)


def _movable(para: str) -> bool:
    """A narrative paragraph: long, not a list item, not the lead-in of the list after it."""
    body = para.strip()
    return len(body) >= 200 and body[:1] not in "•·-(" and not body.endswith((":", ":-", "-"))


def corpus_texts(directory: Path) -> list[str]:
    """Every ``.md`` and ``.txt`` file under ``directory`` with text in it, read as UTF-8, in path
    order: real minutes, read in place (never copied into the repository)."""
    texts = []
    for path in sorted(directory.rglob("*")):
        if path.suffix in (".md", ".txt") and path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if text.strip():
                texts.append(text)
    if not texts:
        raise SystemExit(f"extract_speed: no .md or .txt text under {directory}")
    return texts


def _texts(n: int, seed: int, corpus: Path | None) -> list[str]:
    return corpus_texts(corpus) if corpus is not None else build_texts(n, seed)


def build_texts(n: int, seed: int = 2024) -> list[str]:
    """``n`` varied texts from the seeds, the same list for the same ``n`` and ``seed``."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not seeds:
        raise SystemExit(f"extract_speed: no seed texts in {SEEDS}")
    rng = random.Random(seed)
    return [_vary(seeds[i % len(seeds)], rng) for i in range(n)]


def _tokenize(nlp: object, texts: Sequence[str]) -> None:
    for _doc in nlp.pipe(texts):  # type: ignore[attr-defined]
        pass


def _extract(texts: Sequence[str], *, keep: bool = False) -> None:
    """Extract every text; ``keep`` holds all the results until the end (``list``)."""
    from extract import extract_many

    if keep:
        list(extract_many(texts))
        return
    for _extraction in extract_many(texts):
        pass


def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call.

    The CPU time (``time.process_time``: this process alone) is printed beside the wall clock
    because the machine is shared: other processes stretch the wall-clock rounds unevenly.
    """
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux: ``VmHWM`` from /proc, the high-water mark of this process image alone. ``ru_maxrss``
    would be wrong in a child: Linux carries the parent's peak across fork and exec into it.
    Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on macOS) is the best there is.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _probe(side: str, n: int, seed: int, corpus: Path | None = None) -> None:
    """Child process: run one side once and print its memory as JSON."""
    import spacy

    texts = _texts(n, seed, corpus)
    if side == "tokenizer":
        nlp = spacy.blank("en")
        before = _peak_mb()
        _tokenize(nlp, texts)
    else:
        from extract.pipeline import get_nlp

        get_nlp()
        before = _peak_mb()
        _extract(texts, keep=True)  # the worst case: a caller holding every extraction
    print(json.dumps({"side": side, "before_mb": round(before, 1), "peak_mb": round(_peak_mb(), 1)}))


def _memory(side: str, n: int, seed: int, corpus: Path | None = None) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-probe",
        side,
        "--texts",
        str(n),
        "--seed",
        str(seed),
    ]
    if corpus is not None:
        cmd += ["--corpus", str(corpus)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(n: int, rounds: int, seed: int, *, keep: bool = False, corpus: Path | None = None) -> dict:
    # Memory first, each side alone in a fresh process, before this one loads anything big.
    memory = {side: _memory(side, n, seed, corpus) for side in ("tokenizer", "extract")}

    import spacy

    from extract.pipeline import get_nlp

    texts = _texts(n, seed, corpus)
    n = len(texts)
    chars = sum(map(len, texts))
    nlp = spacy.blank("en")
    # Warm up both sides (pipeline build, lazy imports, caches) outside the timed rounds.
    _tokenize(nlp, texts[:50])
    get_nlp()
    _extract(texts[:50])

    sides: dict[str, Callable[[], None]] = {
        "tokenizer": lambda: _tokenize(nlp, texts),
        "extract": lambda: _extract(texts, keep=keep),
    }
    times: dict[str, list[float]] = {"tokenizer": [], "extract": []}
    cpu_times: dict[str, list[float]] = {"tokenizer": [], "extract": []}
    for r in range(rounds):
        order = ("tokenizer", "extract") if r % 2 == 0 else ("extract", "tokenizer")
        for side in order:
            wall, cpu = _timed(sides[side])
            times[side].append(wall)
            cpu_times[side].append(cpu)

    med = {side: statistics.median(ts) for side, ts in times.items()}
    ratio = med["extract"] / med["tokenizer"]
    # each round's own ratio pairs the two sides run back to back: its spread shows the noise
    round_ratios = sorted(e / t for e, t in zip(times["extract"], times["tokenizer"], strict=True))
    cpu_med = {side: statistics.median(ts) for side, ts in cpu_times.items()}
    extract_peak = memory["extract"]["peak_mb"]
    return {
        "texts": n,
        "characters": chars,
        "mean_chars": round(chars / n),
        "rounds": rounds,
        "seed": seed,
        "results_kept": keep,
        "texts_from": str(corpus) if corpus is not None else "seeds (bench variations)",
        "model": os.environ.get("TRACKER_SPACY_MODEL") or 'spacy.blank("en")',
        "seconds": {side: [round(t, 4) for t in ts] for side, ts in times.items()},
        "cpu_seconds": {side: [round(t, 4) for t in ts] for side, ts in cpu_times.items()},
        "round_ratios": [round(x, 3) for x in round_ratios],
        "cpu_ratio": round(cpu_med["extract"] / cpu_med["tokenizer"], 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "texts_per_second": {side: round(n / t, 1) for side, t in med.items()},
        "ratio": round(ratio, 3),
        "peak_mb": {
            "tokenizer_process": memory["tokenizer"]["peak_mb"],
            "extract_process": extract_peak,
            "extract_before_run": memory["extract"]["before_mb"],
            "timing_process": round(_peak_mb(), 1),
        },
        "target": {
            "ratio_max": TARGET_RATIO,
            "peak_mb_max": TARGET_PEAK_MB,
            "ratio_met": ratio <= TARGET_RATIO,
            "memory_met": extract_peak < TARGET_PEAK_MB,
        },
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def report(res: dict) -> str:
    tps, peak, tgt = res["texts_per_second"], res["peak_mb"], res["target"]
    met = {True: "met", False: "MISSED"}
    spread = {s: f"{min(ts):.2f}-{max(ts):.2f} s" for s, ts in res["seconds"].items()}
    return "\n".join(
        [
            f"extract_speed: {res['texts']:,} texts from {res['texts_from']}, "
            f"{res['characters']:,} characters (mean {res['mean_chars']:,}); "
            f"{res['rounds']} round(s) each way, alternating; "
            f"pipeline {res['model']}; Python {res['python']} on {res['machine']}",
            f"  tokenizer  spacy.blank('en').pipe  {tps['tokenizer']:>9,.1f} texts/s  "
            f"(median; rounds {spread['tokenizer']})",
            f"  extract    {'list(extract_many)' if res['results_kept'] else 'extract_many, streamed':24}"
            f"{tps['extract']:>9,.1f} texts/s  "
            f"(median; rounds {spread['extract']})",
            f"  ratio      extract / tokenizer     {res['ratio']:>9.2f}x        "
            f"target <= {tgt['ratio_max']:.1f}x: {met[tgt['ratio_met']]}",
            f"             round by round          "
            f"{res['round_ratios'][0]:.2f}-{res['round_ratios'][-1]:.2f}x; "
            f"CPU time (this process) {res['cpu_ratio']:.2f}x; load average "
            + " ".join(f"{x:.2f}" for x in res["load_average"]),
            f"  peak RSS   extract, fresh process  {peak['extract_process']:>9.1f} MB       "
            f"target < {tgt['peak_mb_max']:.0f} MB: {met[tgt['memory_met']]}"
            f"  ({peak['extract_before_run']:.1f} MB before the run)",
            f"             tokenizer, fresh process{peak['tokenizer_process']:>9.1f} MB",
            f"             this timing process     {peak['timing_process']:>9.1f} MB",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=2000, help="how many texts (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of each side (default 5)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the text variations")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument(
        "--keep", action="store_true", help="time list(extract_many(texts)), every result kept to the end"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="time real minutes instead: every .md/.txt file under DIR, each once a round (--texts unused)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--memory-probe", choices=["tokenizer", "extract"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.texts < 1 or args.rounds < 1:
        parser.error("--texts and --rounds must be at least 1")
    if args.memory_probe:
        _probe(args.memory_probe, args.texts, args.seed, args.corpus)
        return 0
    res = run(args.texts, args.rounds, args.seed, keep=args.keep, corpus=args.corpus)
    print(json.dumps(res, indent=2) if args.json else report(res))
    if args.check and not (res["target"]["ratio_met"] and res["target"]["memory_met"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
