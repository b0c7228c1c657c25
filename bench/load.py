"""Throughput and latency of the app against the anchor (bench/anchor.py), interleaved, same data, same tool.

Called by bench/run.sh. Each measurement starts from a fresh copy of the data, serves it with gunicorn as the
Procfile does (2 workers, production configuration), loads it with wrk, then checks that every answer was a
real success: status 200, and one hand-over event in the database for each answer, none for a refusal.
"""
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.data import PASSWORD  # noqa: E402

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SECRET = "bench-only-secret"
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
CONNECTIONS = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w 2 --threads 4 on a free port, stopped when the block ends."""

    def __init__(self, target, env, chdir=ROOT):
        self.port = free_port()
        self.env = dict(os.environ, **env)
        self.log = open(Path(os.environ.get("BENCH_DIR", "/tmp")) / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen([GUNICORN, "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{self.port}",
                                      "--chdir", str(chdir), target], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.3)  # both workers up
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.name}")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(15)
        self.log.close()


def app_env(url):
    return {"COMPTOIR_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0",
            "LOG_LEVEL": "WARNING"}


def anchor_env(url):
    return {"ANCHOR_DATABASE": url}


# --- Data: fresh copies -------------------------------------------------------------------------------

def fresh(template):
    """A copy of the template database: a file on SQLite, a database made from it on PostgreSQL."""
    if template.startswith("sqlite"):
        source = template.split("sqlite:///", 1)[1]
        target = source.replace(".db", "-run.db")
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return "sqlite:///" + target
    base = sa.make_url(template)
    engine = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    run = base.database + "_run"
    with engine.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{run}"'))
        c.execute(sa.text(f'CREATE DATABASE "{run}" TEMPLATE "{base.database}"'))
    engine.dispose()
    return base.set(database=run).render_as_string(hide_password=False)


def shelf(url):
    """The shelf's parcels: (pickup id, tracking id), in a fixed order."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT pickup_id, tracking_id FROM parcels WHERE state = 'at_store' "
                                 "ORDER BY id")).all()
    engine.dispose()
    return rows


def handed_over(url):
    """Hand-over events in the database (the shelf's parcels are the only ones that can get one)."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        events = c.scalar(sa.text("SELECT count(*) FROM parcel_events WHERE action = 'hand_to_customer' "
                                  "AND parcel_id IN (SELECT id FROM parcels WHERE tracking_id LIKE 'SH%')"))
        collected = c.scalar(sa.text("SELECT count(*) FROM parcels WHERE tracking_id LIKE 'SH%' AND state = 'collected'"))
    engine.dispose()
    return events, collected


# --- The load: wrk ---------------------------------------------------------------------------------

def wrk(port, lines, headers, seconds=SECONDS, connections=CONNECTIONS):
    work = Path(os.environ.get("BENCH_DIR", "/tmp")) / f"work-{port}.txt"
    work.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, BENCH_HEADERS="\n".join(f"{k}: {v}" for k, v in headers.items()),
               BENCH_KEY_PREFIX=f"k{port}{time.time_ns()}")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(ROOT / "bench" / "wrk.lua"), f"http://127.0.0.1:{port}", "--", "2", str(work)],
                         env=env, capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RESULT", 1)[1]))
    result = SimpleNamespace(**{k: float(v) for k, v in fields.items()})
    result.rate = result.requests / result.seconds
    return result


# --- Signing in as a browser does -----------------------------------------------------------------

def _cookies(response, jar):
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def _request(port, method, path, jar, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    head = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), **(headers or {})}
    if body is not None:
        head["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=urlencode(body) if body is not None else None, headers=head)
    response = connection.getresponse()
    text = response.read().decode()
    _cookies(response, jar)
    connection.close()
    return response.status, text


def sign_in(port, username="banc"):
    """A signed-in browser's cookies and CSRF token."""
    jar = {}
    _status, page = _request(port, "GET", "/connexion", jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    status, _ = _request(port, "POST", "/connexion", jar, {"username": username, "password": PASSWORD, "csrf_token": token})
    assert status == 303, status
    _status, home = _request(port, "GET", "/", jar)
    return jar, re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)


def tickets(url, pickups):
    """The pickup screens' signed tickets, opened now (as the code typed at the counter would open them)."""
    from datetime import datetime, timezone

    os.environ["SECRET_KEY"] = SECRET
    from hub import create_app
    from hub.ops.turns import ticket_for

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url)
    now = datetime.now(timezone.utc)
    with app.app_context():
        return {p: ticket_for(SimpleNamespace(id=p), now) for p in pickups}


# --- Measurements -----------------------------------------------------------------------------------

def scan_anchor(template):
    url = fresh(template)
    rows = shelf(url)
    with Server("bench.anchor:app", anchor_env(url)) as server:
        result = wrk(server.port, [f"POST\t/scan/{p}\t{urlencode({'tracking_id': t})}" for p, t in rows],
                     {"Content-Type": "application/x-www-form-urlencoded"})
    return _checked(result, url)


def app_scans(server, url):
    """Each shelf parcel's scan on its pickup screen, and the headers of a signed-in counter's HTMX step."""
    rows = shelf(url)
    signed = tickets(url, {p for p, _ in rows})
    jar, token = sign_in(server.port)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "X-CSRFToken": token,
               "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "br"}
    return [f"POST\t/collecte/{signed[p]}/scanner\t{urlencode({'tracking_id': t})}" for p, t in rows], headers


def scan_app(template):
    url = fresh(template)
    with Server("app:create_app()", app_env(url)) as server:
        result = wrk(server.port, *app_scans(server, url))
    return _checked(result, url)


def _checked(result, url):
    """Every answer a real success: 200, and as many hand-overs in the database as answers (give or take the
    requests still on their way when wrk stopped counting, at most one a connection)."""
    events, collected = handed_over(url)
    result.real = (result.bad == 0 and result.errors == 0 and result.exhausted == 0
                   and events == collected and result.ok <= events <= result.ok + CONNECTIONS)
    result.check = f"ok={int(result.ok)} events={events} collected={collected} bad={int(result.bad)}"
    return result


def hello_anchor(template):
    with Server("bench.anchor:app", anchor_env(template)) as server:
        return _answered(wrk(server.port, ["GET\t/hello"] * 2, {}))


def home_app(template):
    url = fresh(template)
    with Server("app:create_app()", app_env(url)) as server:
        jar, _token = sign_in(server.port)
        return _answered(wrk(server.port, ["GET\t/"] * 2, {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                                                             "Accept-Encoding": "br"}))


def _answered(result):
    """A page asked again and again: every answer a 200."""
    result.real, result.check = result.bad == 0 and result.errors == 0, f"ok={int(result.ok)} bad={int(result.bad)}"
    return result


def paced(port, lines, headers, rate, seconds=4, workers=4):
    """Open-loop load at ``rate`` requests a second (each worker keeps its own schedule): latencies in ms."""
    latencies, lock, period = [], threading.Lock(), workers / rate

    def run(share):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        for n, line in enumerate(share):
            due = start + n * period
            time.sleep(max(0, due - time.perf_counter()))
            method, path, body = (line.split("\t") + [""])[:3]
            began = time.perf_counter()
            connection.request(method, path, body=body or None,
                               headers={**headers, "Idempotency-Key": f"p{port}-{id(share)}-{n}"})
            response = connection.getresponse()
            response.read()
            took = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append((took, response.status))

    count = int(rate * seconds)
    shares = [lines[i:count:workers] for i in range(workers)]
    threads = [threading.Thread(target=run, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def p95(values):
    return statistics.quantiles(values, n=20)[-1]


def latency_app(template, rate):
    url = fresh(template)
    with Server("app:create_app()", app_env(url)) as server:
        measured = paced(server.port, *app_scans(server, url), rate)
    return p95([ms for ms, _ in measured]), all(status == 200 for _, status in measured)


def latency_anchor(template, rate):
    url = fresh(template)
    rows = shelf(url)
    with Server("bench.anchor:app", anchor_env(url)) as server:
        lines = [f"POST\t/scan/{p}\t{urlencode({'tracking_id': t})}" for p, t in rows]
        measured = paced(server.port, lines, {"Content-Type": "application/x-www-form-urlencoded"}, rate)
    return p95([ms for ms, _ in measured]), all(status == 200 for _, status in measured)


def main():
    templates = json.loads(sys.argv[1])  # {"sqlite 5k": url, ...}
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    results = {}
    for round_ in range(rounds):
        for name, template in templates.items():
            for who, measure in (("anchor", scan_anchor), ("app", scan_app)):
                r = measure(template)
                results.setdefault(f"scan {name}", {}).setdefault(who, []).append(r.__dict__)
                print(f"round {round_ + 1} scan {name} {who}: {r.rate:.0f} req/s p95 {r.p95:.1f} ms "
                      f"real={r.real} ({r.check})", flush=True)
        first = next(iter(templates.values()))
        for who, measure in (("anchor", hello_anchor), ("app", home_app)):
            r = measure(first)
            results.setdefault("home", {}).setdefault(who, []).append(r.__dict__)
            print(f"round {round_ + 1} home {who}: {r.rate:.0f} req/s p95 {r.p95:.1f} ms bad={int(r.bad)}", flush=True)
        app_max = results[f"scan {next(iter(templates))}"]["app"][-1]["rate"]
        anchor_max = results[f"scan {next(iter(templates))}"]["anchor"][-1]["rate"]
        for who, measure, rate in (("anchor", latency_anchor, anchor_max / 2), ("app", latency_app, app_max / 2)):
            value, real = measure(first, rate)
            results.setdefault("latency", {}).setdefault(who, []).append({"p95": value, "rate": rate, "real": real})
            print(f"round {round_ + 1} scan p95 at half load {who}: {value:.1f} ms at {rate:.0f} req/s", flush=True)
    Path(os.environ.get("BENCH_DIR", "/tmp"), "load.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
