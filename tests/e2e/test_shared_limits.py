"""Rate limits shared by every process: the app under gunicorn with two workers, its limits in a real Redis.

The test command starts a Redis server (Debian's redis-server) and names it in TEST_REDIS_URL; run alone,
this test starts its own when redis-server is installed, and is skipped otherwise.
"""
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .conftest import ROOT, free_port, server_env


def wait_for(port, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"].rstrip("/") + "/0"  # the queue's tests use databases 1 to 63
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no Redis: bash scripts/test.sh installs and starts one (Debian's redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for(port)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def two_workers(tmp_path, demo_database, redis_url):
    """The app served by gunicorn with two synchronous workers, limits in Redis (the Procfile's way)."""
    database = tmp_path / "app.db"
    shutil.copyfile(demo_database, database)
    port = free_port()
    env = dict(server_env(database), RATELIMIT_STORAGE_URI=redis_url)
    subprocess.run([sys.executable, "-c", f"import redis; redis.Redis.from_url({redis_url!r}).flushdb()"], check=True)
    with open(tmp_path / "gunicorn.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                 "app:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(port)
        yield port
        proc.terminate()
        proc.wait(10)


class Held:
    """A connection that has sent half a request: the synchronous worker that took it waits for the rest,
    so the next requests go to the other worker."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /aide/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)  # gives a worker the time to take it (a worker left waiting only delays the test)

    def release(self):
        self.sock.sendall(b"Connection: close\r\n\r\n")
        self.sock.recv(65536)
        self.sock.close()


def failed_login(port):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/connexion").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "associe", "password": "faux", "csrf_token": token}).encode()
    try:
        return opener.open(f"http://127.0.0.1:{port}/connexion", body).status
    except urllib.error.HTTPError as err:
        return err.code


def test_two_workers_share_one_login_limit_through_redis(two_workers):
    first = Held(two_workers)  # one worker waits: five failures go to the other
    statuses = [failed_login(two_workers) for _ in range(5)]
    second = Held(two_workers)  # that other one waits too, then the first is let go: five more go to it
    first.release()
    statuses += [failed_login(two_workers) for _ in range(5)]
    second.release()
    assert statuses == [401] * 10
    assert [failed_login(two_workers) for _ in range(4)] == [429] * 4  # whichever worker answers
