"""Load test: the tracker under gunicorn on PostgreSQL, many staff at once, and nothing lost.

Runs the real app (``gunicorn 'tracker:create_app()'``, 2 workers) on a PostgreSQL schema of its
own, seeded with imported minutes, and drives it from ``--connections`` loopback clients, each
signed in as its own staff account through the sign-in form, for ``--duration`` seconds. Each
client mixes what officers do: page views (dashboard, action list, an action, a committee), searches
(actions and resolutions), progress notes, status changes and closures (with reopening, so actions
keep moving). Status changes carry the version the client last saw, so clients race each other:
a 409 conflict page is a correct answer, not an error.

Every note and every status change carries a unique token. At the end the database is read back
and compared with what the server acknowledged (a 302 redirect after a POST):

- every acknowledged note is stored exactly once (none lost, none doubled), and nothing is stored
  that was not acknowledged;
- every acknowledged status change is stored exactly once with its new status, and each action's
  final status is the one its last stored change set.

Target (issue 5): zero errors (no 5xx, no failed connection, no broken page) and the final state
equal to the acknowledged updates. Results go to stdout and, with ``--json``, to a file.

    .venv/bin/python bench/load.py --duration 300 --connections 16
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import create_app, services  # noqa: E402
from tracker.db import get_db  # noqa: E402
from tracker.models import Action, ActionStatus, ActionUpdate  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "load test password"
COMMITTEES = ("Scrutiny Co-ordination Committee", "Health Scrutiny Board", "Audit Committee", "Housing Panel")
TOKEN = re.compile(r"load-[0-9a-f]{12}")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
STATUS = re.compile(r"<dt>Status</dt><dd>(Open|In progress|Awaiting committee|Closed)")


# --- the database -----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_schema(url: str):  # type: ignore[no-untyped-def]
    """A new PostgreSQL schema, and a URL whose connections use it; dropped afterwards."""
    name = f"tracker_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={name}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


def seed(url: str, copies: int, clients: int) -> tuple[list[int], list[str]]:
    """Import the seeds ``copies`` times (varied committee, date and a unique line), make the staff."""
    app = create_app({"TESTING": True, "SECRET_KEY": "seed", "DATABASE_URL": url})
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with get_db(app).sessions() as session:
        for i in range(copies):
            text = texts[i % len(texts)] + f"\n\nCopy {i} for the load test.\n"
            source = services.read_upload(text.encode(), f"copy-{i}.txt")
            when = date(2018, 1, 1) + timedelta(days=14 * i)
            extraction = services.extract_source(source, meeting_date=when)
            services.import_minutes(
                session,
                committee=COMMITTEES[i % len(COMMITTEES)],
                meeting_date=when,
                extraction=extraction,
                source_text=extraction.text,
                source_name=source.name,
            )
        emails = []
        for n in range(clients):
            email = f"load{n}@example.invalid"
            services.create_user(
                session, email=email, name=f"Load Staff {n}", role="staff", password=PASSWORD
            )
            emails.append(email)
        session.commit()
        actions = list(session.scalars(select(Action.id).order_by(Action.id)))
    get_db(app).engine.dispose()
    return actions, emails


# --- the server -------------------------------------------------------------------------------


def start_gunicorn(url: str, logdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit("load.py: gunicorn is not installed: pip install -e '.[bench]'")
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": secrets.token_hex(32)}
    log = open(logdir / "gunicorn.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tracker:create_app()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # ready when both workers have loaded the app and answer
        if proc.poll() is not None:
            raise SystemExit("load.py: gunicorn exited:\n" + (logdir / "gunicorn.log").read_text()[-2000:])
        with contextlib.suppress(requests.RequestException):
            answers = [
                requests.get(f"http://127.0.0.1:{port}/login", timeout=60).status_code for _ in range(4)
            ]
            if answers == [200] * 4:
                return proc, port
        time.sleep(0.5)
    stop(proc)
    raise SystemExit("load.py: gunicorn did not answer within 180 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- the clients ------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients did and saw, merged across threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)
    #: token -> (action id, status it set)
    changes: dict[str, tuple[int, str]] = field(default_factory=dict)

    def record(self, kind: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.outcomes[f"{kind} {outcome}"] += 1


NEXT = {"open": ["in_progress", "closed"], "in_progress": ["awaiting_committee", "closed"],
        "awaiting_committee": ["in_progress", "closed"], "closed": ["open"]}  # fmt: skip


def client(base: str, email: str, actions: list[int], until: float, tally: Tally, seed_: int) -> None:
    """One staff member's session; anything that goes wrong outside a request is an error too."""
    try:
        _client(base, email, actions, until, tally, seed_)
    except Exception as err:  # noqa: BLE001 - counted as an error, the run fails
        with tally.lock:
            tally.errors.append(f"{email}: {type(err).__name__}: {err}")


def _client(base: str, email: str, actions: list[int], until: float, tally: Tally, seed_: int) -> None:
    rng = random.Random(seed_)
    web = requests.Session()
    page = web.get(f"{base}/login", timeout=30)
    answer = web.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": CSRF.search(page.text).group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        with tally.lock:
            tally.errors.append(f"{email}: sign-in answered {answer.status_code}")
        return
    while time.monotonic() < until:
        roll = rng.random()
        action_id = rng.choice(actions)
        try:
            if roll < 0.45:
                url = rng.choice(
                    ["/", "/actions", f"/actions/{action_id}", "/committees", "/actions?status=all"]
                )
                _get(web, base + url, "view", tally)
            elif roll < 0.65:
                word = rng.choice(["report", "officers", "contract", "waiting times", "partner", "zzz-none"])
                url = rng.choice([f"/actions?q={word}&status=all", f"/search?q={word}"])
                _get(web, base + url, "search", tally)
            elif roll < 0.85:
                _note(web, base, action_id, tally)
            else:
                _move(web, base, action_id, rng, tally)
        except requests.RequestException as err:
            with tally.lock:
                tally.errors.append(f"{type(err).__name__}: {err}")


def _get(web: requests.Session, url: str, kind: str, tally: Tally) -> requests.Response:
    started = time.perf_counter()
    response = web.get(url, timeout=60)
    ok = response.status_code == 200 and "</html>" in response.text
    tally.record(kind, time.perf_counter() - started, "ok" if ok else str(response.status_code))
    if not ok:
        with tally.lock:
            tally.errors.append(f"GET {url}: {response.status_code}")
    return response


def _form(web: requests.Session, base: str, action_id: int, tally: Tally) -> tuple[str, int, str] | None:
    page = _get(web, f"{base}/actions/{action_id}", "view", tally)
    token, version = CSRF.search(page.text), VERSION.search(page.text)
    if not token or not version:
        return None
    status = STATUS.search(page.text)
    return token.group(1), int(version.group(1)), status.group(1).lower().replace(" ", "_") if status else ""


def _note(web: requests.Session, base: str, action_id: int, tally: Tally) -> None:
    form = _form(web, base, action_id, tally)
    if form is None:
        return
    token = f"load-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    response = web.post(
        f"{base}/actions/{action_id}/update",
        data={"csrf_token": form[0], "version": form[1], "note": f"Progress {token}", "status": ""},
        allow_redirects=False,
        timeout=60,
    )
    _settle(response, "note", started, tally, lambda: tally.notes.add(token))


def _move(web: requests.Session, base: str, action_id: int, rng: random.Random, tally: Tally) -> None:
    form = _form(web, base, action_id, tally)
    if form is None:
        return
    csrf, version, current = form
    if current not in NEXT:
        return
    target = rng.choice(NEXT[current])
    token = f"load-{uuid.uuid4().hex[:12]}"
    if target == "closed":
        url, data = f"/actions/{action_id}/close", {"close_reason": "completed"}
    elif target == "open":
        url, data = f"/actions/{action_id}/reopen", {}
    else:
        url, data = f"/actions/{action_id}/update", {"status": target}
    started = time.perf_counter()
    response = web.post(
        base + url,
        data={"csrf_token": csrf, "version": version, "note": f"Moved {token}", **data},
        allow_redirects=False,
        timeout=60,
    )

    _settle(response, "move", started, tally, lambda: tally.changes.__setitem__(token, (action_id, target)))


def _settle(response: requests.Response, kind: str, started: float, tally: Tally, acknowledged: Any) -> None:
    elapsed = time.perf_counter() - started
    if response.status_code == 302:
        with tally.lock:
            acknowledged()
        tally.record(kind, elapsed, "acknowledged")
    elif response.status_code in (400, 409):
        tally.record(kind, elapsed, f"refused {response.status_code}")
    else:
        tally.record(kind, elapsed, str(response.status_code))
        with tally.lock:
            tally.errors.append(f"POST {response.url}: {response.status_code}")


# --- checking the final state -----------------------------------------------------------------


def check(url: str, tally: Tally) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(  # in id order: the order they were written (the heap's order is not)
            select(ActionUpdate.action_id, ActionUpdate.note, ActionUpdate.to_status).order_by(
                ActionUpdate.id
            )
        ).all()
        final = dict(conn.execute(select(Action.id, Action.status)).all())
    engine.dispose()
    stored_notes: Counter[str] = Counter()
    stored_changes: Counter[str] = Counter()
    change_rows: dict[str, tuple[int, str]] = {}
    last_change: dict[int, tuple[str, str]] = {}
    for action_id, note, to_status in rows:
        found = TOKEN.search(note or "")
        if not found:
            continue
        if to_status is None:
            stored_notes[found.group(0)] += 1
        else:
            stored_changes[found.group(0)] += 1
            change_rows[found.group(0)] = (action_id, ActionStatus(to_status).value)
            last_change[action_id] = (found.group(0), ActionStatus(to_status).value)
    problems = []
    lost = tally.notes - set(stored_notes)
    phantom = set(stored_notes) - tally.notes
    doubled = [t for t, n in stored_notes.items() if n > 1]
    problems += [f"note lost: {t}" for t in sorted(lost)]
    problems += [f"note stored but never acknowledged: {t}" for t in sorted(phantom)]
    problems += [f"note stored {stored_notes[t]} times: {t}" for t in doubled]
    lost = set(tally.changes) - set(stored_changes)
    phantom = set(stored_changes) - set(tally.changes)
    problems += [f"status change lost: {t}" for t in sorted(lost)]
    problems += [f"status change stored but never acknowledged: {t}" for t in sorted(phantom)]
    problems += [f"status change stored {n} times: {t}" for t, n in stored_changes.items() if n > 1]
    problems += [
        f"status change {t} stored as {change_rows[t]} but acknowledged as {tally.changes[t]}"
        for t in tally.changes
        if t in change_rows and change_rows[t] != tally.changes[t]
    ]
    problems += [
        f"action {a}: final status {final[a].value}, but its last change set {s}"
        for a, (_, s) in last_change.items()
        if final[a].value != s
    ]
    return {
        "acknowledged_notes": len(tally.notes),
        "stored_notes": sum(stored_notes.values()),
        "acknowledged_changes": len(tally.changes),
        "stored_changes": sum(stored_changes.values()),
        "problems": problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--copies", type=int, default=200, help="imported seed copies (default 200)")
    parser.add_argument("--database-url", default=os.environ.get("TRACKER_LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    with fresh_schema(args.database_url) as url, tempfile.TemporaryDirectory() as logdir:
        print(f"seeding {args.copies} imported items and {args.connections} staff accounts …", flush=True)
        actions, emails = seed(url, args.copies, args.connections)
        proc, port = start_gunicorn(url, Path(logdir))
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        print(
            f"{len(actions)} actions; {args.connections} clients for {args.duration:g} s on {base}",
            flush=True,
        )
        started = time.monotonic()
        until = started + args.duration
        threads = [
            threading.Thread(target=client, args=(base, email, actions, until, tally, n), daemon=True)
            for n, email in enumerate(emails)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
        stop(proc)
        server_errors = [
            line
            for line in (Path(logdir) / "gunicorn.log").read_text(errors="replace").splitlines()
            if "Error" in line
        ]
        state = check(url, tally)

    requests_made = sum(len(v) for v in tally.latencies.values())
    latency = {
        kind: {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(sorted(values)[int(len(values) * 0.99) - 1] * 1000, 1)
            if len(values) >= 100
            else None,
        }
        for kind, values in sorted(tally.latencies.items())
    }
    result = {
        "duration_s": round(elapsed, 1),
        "connections": args.connections,
        "actions": len(actions),
        "requests": requests_made,
        "requests_per_s": round(requests_made / elapsed, 1),
        "outcomes": dict(sorted(tally.outcomes.items())),
        "latency": latency,
        "errors": tally.errors[:50],
        "error_count": len(tally.errors),
        "server_log_errors": server_errors[:20],
        **state,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    ok = requests_made > 0 and not tally.errors and not state["problems"] and not server_errors
    print("PASS: no errors, and the database holds exactly the acknowledged updates" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
