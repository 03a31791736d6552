"""Outside platforms' listeners for the e2e tests (docs/webhooks.md, docs/amqp-subscribers.md): a loopback
webhook receiver that verifies every delivery's Standard Webhooks signature (the closed loop's and
test_notification.py's), and the example AMQP subscriber running as a platform user with exactly the rights
the deployment gives one (the closed loop's). Both only record what arrived; the tests assert on it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

from luoshi_kit.testing import rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Received:
    """Events as one listener got them, in arrival order."""

    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.events)

    def ids(self, since: datetime | None = None) -> Counter[str]:
        """How often each event arrived (of those that happened at ``since`` or later)."""
        events = self.snapshot()
        if since is not None:
            events = [e for e in events if datetime.fromisoformat(e["time"]) >= since]
        return Counter(e["id"] for e in events)

    def of(self, event_type: str, subject: str) -> list[dict[str, Any]]:
        return [e for e in self.snapshot() if e["type"] == event_type and e.get("subject") == subject]


@dataclass
class WebhookReceiver(Received):
    secret: str = ""
    delivery_ids: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def receive(self, body: bytes, headers: dict[str, str]) -> bool:
        try:
            event = Webhook(self.secret).verify(body, headers)
        except Exception as exc:  # a delivery that does not verify: recorded, answered 401
            self.refused.append(repr(exc))
            return False
        with self.lock:
            self.delivery_ids.append(headers["webhook-id"])
        self.add(event)
        return True


@contextmanager
def webhook_receiver() -> Iterator[tuple[WebhookReceiver, str]]:
    """A receiver on 127.0.0.1 (the e2e cluster allows that host); yields it and its URL. Its secret is
    set once the subscription has been created (the answer carries it)."""
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            ok = receiver.receive(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # like a real server's; the default 5 drops a burst's connections

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/luoshi"
    finally:
        server.shutdown()
        server.server_close()


def _platform_permissions(name: str, vhost: str) -> dict[str, str]:
    path = ROOT / "deploy" / "generate_definitions.py"
    spec = importlib.util.spec_from_file_location("generate_definitions", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rights: dict[str, str] = module.platform_permissions(name, vhost)
    return rights


@contextmanager
def amqp_subscriber(amqp_url: str, patterns: list[str]) -> Iterator[Received]:
    """docs/examples/amqp_subscriber.py as a platform of its own (read-only user, generated rights) on the
    cluster's vhost, bound to ``patterns``; yields once its queue is bound."""
    base, vhost = amqp_url.rsplit("/", 1)
    name = f"loop{uuid.uuid4().hex[:8]}"
    rights = _platform_permissions(name, vhost)
    user, password = rights["user"], uuid.uuid4().hex
    rabbitmqctl("add_user", user, password)
    received = Received()
    process: subprocess.Popen[str] | None = None
    try:
        granted = (rights["configure"], rights["write"], rights["read"])
        rabbitmqctl("set_permissions", "-p", vhost, user, *granted)
        host = base.split("@", 1)[1]
        command = [sys.executable, str(ROOT / "docs" / "examples" / "amqp_subscriber.py")]
        command += ["--url", f"amqp://{user}:{password}@{host}/{vhost}", "--platform", name, "--transient"]
        for pattern in patterns:
            command += ["--bind", pattern]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline() or "{}")
        assert ready.get("bound") == patterns, ready
        stdout = process.stdout

        def read() -> None:
            for line in stdout:
                received.add(json.loads(line))

        threading.Thread(target=read, daemon=True).start()
        yield received
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        rabbitmqctl("delete_user", user)
