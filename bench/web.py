"""Web benchmark: the action list under gunicorn against a bare Flask view on the same database.

Seeds a fresh database (100,000 actions across 50 committees, bulk-inserted with Core), starts two
gunicorn servers of 2 workers each on 127.0.0.1 (the tracker app, and a bare Flask app defined here
that lists 50 rows of ``action`` with one ``SELECT ... LIMIT 50`` and a minimal Jinja template),
signs in as a member, then loads three pages in turn with 8 connections each:

- (a) ``bare``: the bare view, the fair baseline;
- (b) ``list``: ``/actions?status=open&committee=ID``, 50 rows, filters applied;
- (c) ``page500``: ``/actions?status=outstanding&after=ID``, the 500th page of the outstanding list,
  reached through its keyset cursor.

The load generator is ``wrk`` when installed (``apt-get install wrk``), else a bounded Python one
(threads, one keep-alive connection each). Prints requests/s, p50, p99 and errors for each page, the
ratio list/bare, and PASS/MISS against the targets (list ≥ 0.6× bare, p99 < 50 ms). Everything it
starts is stopped at the end, on errors and on Ctrl-C; a PostgreSQL database it made is dropped.

    python bench/web.py [--seconds 20] [--connections 8] [--rounds 4] [--actions 100000]
                        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import http.cookiejar
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
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0
PAGE_SIZE = 50
DEEP_PAGE = 500

COMMITTEES = 50
MEETINGS_PER_COMMITTEE = 20
ITEMS_PER_MEETING = 2
RESOLUTIONS_PER_ITEM = 5
BATCH = 5000

OWNERS = [
    "the Chief Executive",
    "the Director of Finance",
    "the Director of Public Health",
    "the Head of Legal Services",
    "the Monitoring Officer",
    "the Scrutiny Co-ordinator",
    "the Cabinet Member for Housing",
    "the Cabinet Member for Policing and Equalities",
    "the Deputy Chief Executive (People)",
    "the Head of Democratic Services",
    "officers",
    "the Strategic Lead for Adult Services",
    "the Director of Children's Services",
    "the Head of Planning",
    "the Director of Transport",
    "the Chair",
    "the Clerk",
    "the Head of Procurement",
    "the Chief Fire Officer",
    "the Police and Crime Commissioner",
    "the Head of Audit",
    "the Director of Streetscene",
    "the Housing Options Manager",
    "the Environmental Health Manager",
    "the Head of Libraries",
    "the Climate Change Officer",
]
VERBS = [
    "submit a report back to",
    "write to",
    "circulate a briefing note to",
    "arrange a visit for",
    "provide figures on waiting times to",
    "review the policy and report to",
    "consult partners and update",
    "publish the revised strategy for",
    "meet the trade unions and report to",
    "prepare a budget option for",
]
SUBJECTS = [
    "domestic abuse services",
    "the school transport contract",
    "the housing allocations scheme",
    "air quality monitoring",
    "library opening hours",
    "the capital programme",
    "fly-tipping enforcement",
    "the youth offer",
    "adult social care charges",
    "bus service subsidies",
    "the local plan",
]
TEMPLATES_TEXT = "{verb} the committee on {subject} {when}"
WHEN = ["by the next meeting", "within six months", "before the budget is set", "", "by December"]

BARE_TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Actions</title></head>
<body><h1>Actions</h1><table><thead><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>
<tbody>{% for r in rows %}<tr><td><a href="/actions/{{ r.id }}">Action {{ r.id }}</a>: {{ r.text }}</td>
<td>{{ r.owner or "Not named" }}</td><td>{{ r.due_date or "No due date" }}</td><td>{{ r.status }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


# ---------------------------------------------------------------------------------------------
# the bare baseline app (gunicorn imports this module and calls bare_app())


def bare_app() -> Any:
    """A bare Flask app: one SELECT ... LIMIT 50 from ``action``, rendered by a minimal template."""
    from flask import Flask, render_template_string
    from sqlalchemy import create_engine, text

    app = Flask(__name__)
    engine = create_engine(os.environ["BENCH_DATABASE_URL"])
    query = text("SELECT id, text, owner, due_date, status FROM action ORDER BY id LIMIT 50")

    @app.get("/")
    def index() -> str:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    return app


# ---------------------------------------------------------------------------------------------
# database


@contextlib.contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file in ``workdir``, or a PostgreSQL database made and dropped."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    if base.get_backend_name() != "postgresql":
        raise SystemExit("web.py: --database-url must be a PostgreSQL URL (SQLite is the default)")
    name = f"tracker_webbench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, n_actions: int, rng: random.Random, password: str) -> dict[str, Any]:
    """Migrate with the app's init-db code, then bulk-insert committees … actions and a member user."""
    from sqlalchemy import func, insert, select

    from tracker import db, models

    engine = db.make_engine(url)
    db.upgrade_database(engine)
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    n_items = COMMITTEES * MEETINGS_PER_COMMITTEE * ITEMS_PER_MEETING
    per_item = -(-n_actions // n_items)
    with engine.begin() as c:
        c.execute(
            insert(models.Committee),
            [
                {"id": i + 1, "name": f"Committee {i + 1:02d} ({s})", "created_at": now}
                for i, s in enumerate(rng.choices(SUBJECTS, k=COMMITTEES))
            ],
        )
        meetings = []
        for k in range(MEETINGS_PER_COMMITTEE):  # meetings interleaved across committees, by date
            for cid in range(1, COMMITTEES + 1):
                day = today - dt.timedelta(days=30 * (MEETINGS_PER_COMMITTEE - k) + rng.randrange(28))
                meetings.append(
                    {"id": len(meetings) + 1, "committee_id": cid, "date": day, "created_at": now}
                )
        c.execute(insert(models.Meeting), meetings)
        items, resolutions, actions = [], [], []
        for m in meetings:
            for _ in range(ITEMS_PER_MEETING):
                item_id = len(items) + 1
                lines = [f"{j + 1}. That officers {_sentence(rng)}." for j in range(per_item)]
                source = f"Minute item {item_id}\n\nRESOLVED –\n" + "\n".join(lines)
                items.append(
                    {
                        "id": item_id,
                        "meeting_id": m["id"],
                        "title": f"Item {item_id}: {rng.choice(SUBJECTS)}",
                        "source_name": f"item{item_id}.txt",
                        "source_text": source,
                        "text_sha256": hashlib.sha256(source.encode()).hexdigest(),
                        "extraction": {"schema": "minutes-extract/1"},
                        "review_state": "pending",
                        "imported_at": now,
                    }
                )
                first_res = len(resolutions) + 1
                for p in range(RESOLUTIONS_PER_ITEM):
                    resolutions.append(
                        {
                            "id": len(resolutions) + 1,
                            "minute_item_id": item_id,
                            "position": p,
                            "label": f"({p + 1})",
                            "text": f"Requests officers to {_sentence(rng)}.",
                            "kind": "request",
                            "needs_followup": True,
                            "owner": rng.choice(OWNERS),
                            "due_text": None,
                            "due_date": None,
                            "span_start": 0,
                            "span_end": 10,
                        }
                    )
                offset = source.index("1. ")
                for p in range(per_item):
                    if len(actions) >= n_actions:
                        break
                    actions.append(
                        _action(
                            rng,
                            len(actions) + 1,
                            item_id,
                            first_res,
                            p,
                            lines[p],
                            offset,
                            m["date"],
                            today,
                            now,
                        )
                    )
                    offset += len(lines[p]) + 1
        for table, rows in (
            (models.MinuteItem, items),
            (models.Resolution, resolutions),
            (models.Action, actions),
        ):
            for start in range(0, len(rows), BATCH):
                c.execute(insert(table), rows[start : start + BATCH])
        user = models.User(email="member@example.org", name="Bench Member", role=models.UserRole.MEMBER)
        user.set_password(password)
        c.execute(
            insert(models.User),
            [
                {
                    "email": user.email,
                    "name": user.name,
                    "role": "member",
                    "password_hash": user.password_hash,
                    "created_at": now,
                }
            ],
        )
        user_id = c.scalar(select(models.User.id))
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("committee", "meeting", "minute_item", "resolution", "action"):
                c.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        # the filtered list (b): the committee with the most open actions
        open_by_committee = (
            select(models.Meeting.committee_id, func.count())
            .join(models.MinuteItem, models.MinuteItem.meeting_id == models.Meeting.id)
            .join(models.Action, models.Action.minute_item_id == models.MinuteItem.id)
            .where(models.Action.status == "open")
            .group_by(models.Meeting.committee_id)
            .order_by(func.count().desc())
        )
        committee_id, committee_open = c.execute(open_by_committee).first()
        outstanding = select(models.Action.id).where(
            models.Action.status.in_(["open", "in_progress", "awaiting_committee"])
        )
        n_outstanding = c.scalar(select(func.count()).select_from(outstanding.subquery()))
        # the cursor of page 500: the last id of page 499
        deep_after = c.scalar(
            outstanding.order_by(models.Action.id).offset(PAGE_SIZE * (DEEP_PAGE - 1) - 1).limit(1)
        )
    if engine.dialect.name == "postgresql":  # what autovacuum would soon do after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    # SQLite is left without statistics (no ANALYZE), as a tracker database usually is.
    engine.dispose()
    return {
        "actions": len(actions),
        "committees": COMMITTEES,
        "meetings": len(meetings),
        "minute_items": len(items),
        "resolutions": len(resolutions),
        "outstanding": n_outstanding,
        "user_id": user_id,
        "committee_id": committee_id,
        "committee_open": committee_open,
        "deep_after": deep_after,
    }


def _sentence(rng: random.Random) -> str:
    return TEMPLATES_TEXT.format(
        verb=rng.choice(VERBS), subject=rng.choice(SUBJECTS), when=rng.choice(WHEN)
    ).strip()


def _action(
    rng: random.Random,
    action_id: int,
    item_id: int,
    first_res: int,
    position: int,
    line: str,
    offset: int,
    meeting_date: dt.date,
    today: dt.date,
    now: dt.datetime,
) -> dict[str, Any]:
    status = rng.choices(["open", "in_progress", "awaiting_committee", "closed"], weights=[40, 15, 10, 35])[0]
    due_date = None
    if rng.random() < 0.8:
        due_date = today + dt.timedelta(days=rng.randrange(-400, 300))
    closed = status == "closed"
    return {
        "id": action_id,
        "minute_item_id": item_id,
        "position": position,
        "resolution_id": first_res + position % RESOLUTIONS_PER_ITEM if rng.random() < 0.9 else None,
        "text": line.split(". ", 1)[1].rstrip("."),
        "owner": rng.choice(OWNERS) if rng.random() < 0.92 else None,
        "due_text": due_date.strftime("by %d %B %Y") if due_date else rng.choice([None, "a future meeting"]),
        "due_date": due_date,
        "origin": rng.choice(["resolution", "resolution", "narrative", "action_line"]),
        "span_start": offset,
        "span_end": offset + len(line),
        "status": status,
        "close_reason": rng.choice(["completed", "completed", "superseded", "withdrawn"]) if closed else None,
        "created_at": now,
        "updated_at": now,
        "closed_at": now if closed else None,
        "version": 1,
    }


# ---------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """gunicorn processes started here, each in its own process group; :meth:`stop` ends them all."""

    def __init__(self, logdir: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logdir = logdir

    def start(self, name: str, target: str, env: dict[str, str]) -> int:
        port = free_port()
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise SystemExit("web.py: gunicorn is not installed: pip install -e '.[bench]'")
        log = open(self.logdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--pythonpath",
                f"{ROOT / 'bench'},{ROOT}",
                "--log-level",
                "warning",
                target,
            ],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(
                    f"web.py: {name} server exited; see {self.logdir / (name + '.log')}:\n"
                    + (self.logdir / f"{name}.log").read_text(errors="replace")[-2000:]
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return port
            time.sleep(0.1)
        raise SystemExit(f"web.py: {name} server did not start listening within 30 s")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


def sign_in(base: str, email: str, password: str, page: str) -> str:
    """Sign in as a person does, and return the ``session`` cookie a browser would then send.

    Posts the sign-in form with its CSRF token, then opens ``page`` once: the session then holds the
    user's id and the CSRF token of the pages' sign-out form, so it is not rewritten on every request.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/login", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise SystemExit("web.py: the sign-in page has no CSRF token")
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
    try:
        opener.open(f"{base}/login", data=body.encode(), timeout=30).close()
        status = 200
    except urllib.error.HTTPError as err:
        status = err.code
    if status != 302:
        raise SystemExit(f"web.py: signing in answered {status}, not a redirect")
    opener.open(page, timeout=30).close()
    cookie = next((c for c in jar if c.name == "session"), None)
    if cookie is None:
        raise SystemExit("web.py: signing in set no session cookie")
    return f"session={cookie.value}"


def fetch(url: str, cookie: str | None) -> tuple[int, str, bool]:
    """GET ``url``: the status, the body, and whether the answer sets a cookie."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), "Set-Cookie" in response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace"), "Set-Cookie" in err.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# ---------------------------------------------------------------------------------------------
# load


def run_wrk(url: str, cookie: str | None, seconds: float, connections: int) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M)}
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {
        "requests": total,
        "rps": rps,
        "p50_ms": pct["50"],
        "p99_ms": pct["99"],
        "errors": errors,
        "tool": "wrk",
    }


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_python(url: str, cookie: str | None, seconds: float, connections: int) -> dict[str, Any]:
    """Fallback load generator: ``connections`` threads, each one keep-alive connection, for ``seconds``."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while (start := time.perf_counter()) < deadline:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[i] += 1
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                continue
            latencies[i].append((time.perf_counter() - start) * 1000)
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 15)
    elapsed = time.perf_counter() - began
    flat = sorted(x for lst in latencies for x in lst)
    q = statistics.quantiles(flat, n=100, method="inclusive") if len(flat) > 1 else [0.0] * 99
    return {
        "requests": len(flat),
        "rps": len(flat) / elapsed,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "errors": sum(errors),
        "tool": "python",
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several rounds of one page: requests summed, rps the mean, p50 the median round's, p99 the worst."""
    return {
        "requests": sum(r["requests"] for r in runs),
        "rps": statistics.fmean(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "tool": runs[0]["tool"],
    }


# ---------------------------------------------------------------------------------------------


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL; a database is made there and dropped")
    parser.add_argument(
        "--seconds", type=float, default=20, help="load per page, split over the rounds (default 20)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of a, b, c in turn (default 4)")
    parser.add_argument("--actions", type=int, default=100_000, help="actions to seed (default 100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if not 0 < args.seconds <= 300 or not 0 < args.connections <= 64 or not 0 < args.rounds <= 10:
        parser.error("--seconds must be in (0, 300], --connections in 1..64, --rounds in 1..10")
    use_wrk = not args.python_load and shutil.which("wrk") is not None
    load = run_wrk if use_wrk else run_python

    # Ctrl-C and SIGTERM unwind through the finally blocks below (servers stopped, database dropped).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="tracker-webbench-"))
    servers = Servers(workdir)
    try:
        with fresh_database(args.database_url, workdir) as url:
            log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
            began = time.perf_counter()
            password = secrets.token_urlsafe(16)
            data = seed(url, args.actions, random.Random(args.seed), password)
            log(
                f"seeded {data['actions']:,} actions, {data['committees']} committees, {data['meetings']:,} "
                f"meetings, {data['minute_items']:,} minute items in {time.perf_counter() - began:.1f} s "
                f"({url.split(':', 1)[0]})"
            )
            if data["deep_after"] is None:
                raise SystemExit(
                    f"web.py: the outstanding list has fewer than {DEEP_PAGE} pages; seed more --actions"
                )
            secret = secrets.token_hex(32)
            env = {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": secret, "BENCH_DATABASE_URL": url}
            bare_port = servers.start("bare", "web:bare_app()", env)
            app_port = servers.start("tracker", "tracker:create_app()", env)
            app_base = f"http://127.0.0.1:{app_port}"
            list_url = f"{app_base}/actions?status=open&committee={data['committee_id']}"
            cookie = sign_in(app_base, "member@example.org", password, list_url)
            pages = {
                "bare": (f"http://127.0.0.1:{bare_port}/", None),
                "list": (list_url, cookie),
                "page500": (f"{app_base}/actions?status=outstanding&after={data['deep_after']}", cookie),
            }
            for name, (page, page_cookie) in pages.items():  # warm up, and check each page is a full one
                status, body, sets_cookie = fetch(page, page_cookie)
                rows = body.count("<tr>") - 1
                if status != 200 or rows != PAGE_SIZE or sets_cookie:
                    raise SystemExit(
                        f"web.py: {name} {page} answered {status} with {rows} rows"
                        + (" and a new session cookie" if sets_cookie else "")
                    )
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in pages}
            load_before = os.getloadavg()
            slice_s = args.seconds / args.rounds
            for _ in range(args.rounds):
                for name, (page, page_cookie) in pages.items():
                    log(f"  {name}: {slice_s:g} s, {args.connections} connections ...")
                    runs[name].append(load(page, page_cookie, slice_s, args.connections))
            load_after = os.getloadavg()
    except KeyboardInterrupt:
        print("web.py: interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    results = {name: summarise(r) for name, r in runs.items()}
    ratio = results["list"]["rps"] / results["bare"]["rps"]
    checks = {
        "ratio": ratio >= TARGET_RATIO,
        "list_p99": results["list"]["p99_ms"] < TARGET_P99_MS,
        "page500_p99": results["page500"]["p99_ms"] < TARGET_P99_MS,
        "errors": all(r["errors"] == 0 for r in results.values()),
    }
    report = {
        "database": url.split(":", 1)[0],
        "data": data,
        "seconds": args.seconds,
        "connections": args.connections,
        "rounds": args.rounds,
        "load_tool": results["bare"]["tool"],
        # the machine's 1-minute load average as the load began and ended (others share the cores)
        "load_average": {"before": load_before[0], "after": load_after[0]},
        "pages": {n: p[0] for n, p in pages.items()},
        "results": results,
        "ratio": ratio,
        "page500_vs_list": results["page500"]["rps"] / results["list"]["rps"],
        "targets": {"ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        "checks": checks,
        "pass": all(checks.values()),
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(
            f"\n{report['database']}, {data['actions']:,} actions, {args.connections} connections, "
            f"{args.seconds:g} s per page in {args.rounds} rounds, load: {report['load_tool']}; "
            f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
        )
        print(f"{'page':<9} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, r in results.items():
            print(f"{name:<9} {r['rps']:>11.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>7}")
        mark = {True: "PASS", False: "MISS"}
        print(f"list/bare = {ratio:.2f}× (target ≥ {TARGET_RATIO}×): {mark[checks['ratio']]}")
        print(
            f"list p99 {results['list']['p99_ms']:.1f} ms, "
            f"page 500 p99 {results['page500']['p99_ms']:.1f} ms "
            f"(target < {TARGET_P99_MS:g} ms): {mark[checks['list_p99'] and checks['page500_p99']]}"
        )
        print(
            f"page 500 / page 1 (list) = {report['page500_vs_list']:.2f}×; errors: {mark[checks['errors']]}"
        )
    return 1 if args.check and not report["pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
