"""The wheel carries what the app reads at run time: templates, stylesheets and the demo's seeds.

They live at the repository root; ``pyproject.toml`` maps them into the ``tracker`` package of a
wheel, and :func:`tracker.resource_dir` finds them in either place. Without this an IT team that
installs a built wheel (``pip install minutes_tracker-….whl``) for gunicorn gets an app whose every
page fails with ``TemplateNotFound``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
MAPPED = SETUPTOOLS["package-dir"]  # package name -> folder at the root


def _matches(relative: PurePosixPath, pattern: str) -> bool:
    """setuptools' package-data glob: ``*`` never crosses a ``/``."""
    parts = PurePosixPath(pattern).parts
    return len(parts) == len(relative.parts) and all(map(fnmatch, relative.parts, parts))


def test_every_file_of_the_mapped_folders_is_package_data() -> None:
    assert set(MAPPED) == {"tracker.templates", "tracker.static", "tracker.seeds"}
    for package, folder in MAPPED.items():
        assert package in SETUPTOOLS["packages"]
        patterns = SETUPTOOLS["package-data"][package]
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, folder
        left_out = [
            str(p.relative_to(ROOT))
            for p in files
            if not any(_matches(PurePosixPath(p.relative_to(ROOT / folder).as_posix()), g) for g in patterns)
        ]
        assert left_out == [], f"add a pattern to [tool.setuptools.package-data] {package!r}"


_SERVE_FROM_WHEEL = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import tracker
    from tracker import cli

    unpacked = Path(sys.argv[1]).resolve()
    assert Path(tracker.__file__).resolve().is_relative_to(unpacked), tracker.__file__
    assert cli.SEEDS_DIR.resolve().is_relative_to(unpacked), cli.SEEDS_DIR
    assert (cli.SEEDS_DIR / "meetings.json").is_file()

    app = tracker.create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200, page.status_code
    assert b'href="/static/style.css' in page.data
    css = client.get("/static/style.css")
    assert css.status_code == 200 and len(css.data) > 1000
    print("served from", unpacked)
    """
)


#: what a wheel is built from (a copy: setuptools writes ``build/`` beside the sources, and two test
#: runs building in the checkout at once would collide there)
SOURCES = ("pyproject.toml", "README.md", "extract", "tracker", *MAPPED.values())


def test_an_app_installed_from_the_wheel_serves_its_pages(tmp_path: Path) -> None:
    """Build the wheel (offline: the dev extra's setuptools, no build isolation) from a copy of the
    sources, unpack it as pip would install it, and serve the sign-in page and its stylesheet."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            tmp_path,
            source,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("minutes_tracker-*.whl")
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    served = subprocess.run(
        [sys.executable, "-c", _SERVE_FROM_WHEEL, str(unpacked)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    assert "served from" in served.stdout
