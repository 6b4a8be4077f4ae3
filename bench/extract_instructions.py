"""Count the instructions extraction and the tokenizer execute a text: a figure the load cannot move.

On a machine shared with other busy processes, wall-clock and even CPU-time ratios move by a
quarter between runs of the same code (see ``docs/BENCHMARKS.md``), which hides changes of a few
per cent. Valgrind's callgrind counts the instructions executed (``Ir``), which do not depend on
the load: the same code and texts give the same count to within a fraction of a per cent. It is a
proxy, not a timing (it ignores cache misses and branch mispredictions, which cost our
Python-and-regex code more than spaCy's tokenizer), so the instruction ratio reads lower than the
time ratio; use it to compare two versions, and ``extract_speed.py`` for the target itself.

The child process builds the texts, warms both sides (pipeline build, lazy regex compiles) with
instrumentation off, then the parent switches counting on for ``spacy.blank("en").pipe`` over the
texts, dumps, lets ``extract_many`` run over the same texts, and dumps again:

    python bench/extract_instructions.py --texts 100                   # this checkout
    python bench/extract_instructions.py --texts 100 --repo /tmp/main  # another checkout's extractor

Needs ``valgrind`` (callgrind and ``callgrind_control``) on the PATH; takes about a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(repo: Path, n: int, sync: Path) -> None:
    """Run under callgrind: warm up, then each side when the parent says so."""
    sys.path.insert(0, str(repo))
    # the extractor first: extract_speed puts this checkout on the path when it is imported
    import extract
    from extract import extract_many
    from extract.pipeline import get_nlp

    if not Path(extract.__file__).resolve().is_relative_to(repo):
        raise SystemExit(f"extract_instructions: imported {extract.__file__}, not the extractor of {repo}")
    sys.path.insert(1, str(ROOT / "bench"))
    import spacy
    from extract_speed import build_texts

    texts = build_texts(n + 30)
    warm, texts = texts[:30], texts[30:]
    nlp = spacy.blank("en")
    get_nlp()
    for _doc in nlp.pipe(warm):
        pass
    list(extract_many(warm))

    def step(name: str) -> None:
        (sync / f"{name}.ready").touch()
        while not (sync / f"{name}.go").exists():
            time.sleep(0.1)

    step("tokenizer")
    for _doc in nlp.pipe(texts):
        pass
    step("extract")
    list(extract_many(texts))
    step("end")


def _total(dump: Path) -> int:
    m = re.search(r"^summary:\s+(\d+)", dump.read_text(encoding="utf-8", errors="replace"), re.M)
    if m is None:
        raise SystemExit(f"extract_instructions: no summary line in {dump}")
    return int(m.group(1))


def run(repo: Path, n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="extract-ir-") as tmp:
        sync = Path(tmp)
        out = sync / "callgrind.out"
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(sync),
            "--texts",
            str(n),
            "--repo",
            str(repo),
        ]
        # a fixed hash seed: set and dict orders, hence the work done, are the same every run
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def wait(name: str) -> None:
            while not (sync / f"{name}.ready").exists():
                if proc.poll() is not None:
                    raise SystemExit(f"extract_instructions: the child stopped:\n{proc.stderr.read()}")
                time.sleep(0.2)

        control = ["callgrind_control"]
        wait("tokenizer")
        subprocess.run([*control, "--instr=on", str(proc.pid)], check=True, capture_output=True)
        (sync / "tokenizer.go").touch()
        wait("extract")
        subprocess.run([*control, "--dump", str(proc.pid)], check=True, capture_output=True)
        (sync / "extract.go").touch()
        wait("end")
        subprocess.run([*control, "--dump", str(proc.pid)], check=True, capture_output=True)
        (sync / "end.go").touch()
        proc.wait()
        tokenizer, extract = _total(Path(f"{out}.1")), _total(Path(f"{out}.2"))
    return {
        "texts": n,
        "repo": str(repo),
        "tokenizer_per_text": tokenizer // n,
        "extract_per_text": extract // n,
        "ratio": round(extract / tokenizer, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=100, help="how many texts (default 100)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to measure (default: this)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.repo.resolve(), args.texts, args.child)
        return 0
    res = run(args.repo.resolve(), args.texts)
    print(
        f"extract_instructions: {res['texts']} texts, extractor of {res['repo']}\n"
        f"  tokenizer  spacy.blank('en').pipe  {res['tokenizer_per_text']:>13,} instructions a text\n"
        f"  extract    list(extract_many)      {res['extract_per_text']:>13,} instructions a text\n"
        f"  ratio      extract / tokenizer     {res['ratio']:>13.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
