"""Real servers the tests start on free ports of this machine: an SMTP server (aiosmtpd) that keeps every
e-mail it receives, an HTTP server that receives webhooks and checks their signatures as a network's system
would, a text-message provider, and Redis."""
import email
import email.policy
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from hub.rules import delivery


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: each message received, parsed. ``refuse`` makes the next RCPT fail with that code."""

    def __init__(self):
        self.messages, self.refuse = [], None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return f"{self.refuse} mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def parts(self, message):
        """(plain text, HTML) of a received message."""
        return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def settings(self):
        """The app's settings to send through this server."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_TLS": "none", "SMTP_USER": ""}


class Receiver(ThreadingHTTPServer):
    """Records each POST; for a webhook, refuses (401) a wrong signature or a timestamp too far from ``now()``."""

    daemon_threads = True

    def __init__(self, secret=None, now=time.time):
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.secret, self.now, self.received, self.refused, self.answer = secret, now, [], [], 200

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def events(self):
        return [json.loads(body)["type"] for _headers, body in self.received]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server = self.server
        if server.secret is not None:
            try:
                delivery.verify(server.secret, self.headers.get("Comptoir-Timestamp"),
                                self.headers.get("Comptoir-Signature"), body, now_seconds=server.now())
            except (delivery.BadSignature, delivery.BadTimestamp) as err:
                server.refused.append(type(err).__name__)
                return self._answer(401)
        server.received.append((dict(self.headers), body.decode()))
        self._answer(server.answer)

    def _answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class RedisServer:
    """Debian's redis-server on a free port, keeping nothing on disk."""

    def __init__(self):
        self.port, self.proc = free_port(), None
        self.folder = tempfile.mkdtemp(prefix="comptoir-redis-")

    @staticmethod
    def available():
        return shutil.which("redis-server") is not None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.folder], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)
