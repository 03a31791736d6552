"""Commands through the gateway during faults, and what became of each (issue 15 §4).

A command is a 交办 (create, with an ``Idempotency-Key``) followed by the lead unit's 签收 (accept).
Every failed attempt is retried until it succeeds; the first failure's cause is counted. A command
whose client saw an error although its effect had committed is *ambiguous*; the retry tells:
a create's retry with the same key is replayed (``Idempotent-Replayed: true``), an accept's retry
answers 409 illegal-transition from ``accepted``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

COUNTY = "520102000000"
GIVE_UP_AFTER = 180.0  # seconds of retries before a command counts as failed for good


@dataclass
class Outcome:
    title: str
    task_id: str | None = None
    created: bool = False
    accepted: bool = False
    failures: list[str] = field(default_factory=list)  # causes of failed attempts, in order
    ambiguous: list[str] = field(default_factory=list)  # "create" / "accept" when an error hid a commit


def cause(error: httpx.HTTPError | None, response: httpx.Response | None) -> str:
    if response is not None:
        slug = ""
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            slug = str(response.json().get("type", "")).rsplit(":", 1)[-1]
        return f"http {response.status_code} {slug}".strip()
    if isinstance(error, httpx.ConnectError):
        return "connection refused"
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection dropped"
    return type(error).__name__


class Load:
    """``workers`` threads, each sending commands one after another until ``stop()`` or ``total``."""

    def __init__(
        self, base_url: str, password: str, *, run: str, workers: int = 4, total: int = 10**9
    ) -> None:
        self.base_url, self.run, self.workers, self.total = base_url, run, workers, total
        self.tokens = {u: self._token(u, password) for u in ("province_office", "county_handler")}
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.sent = 0

    def _token(self, username: str, password: str) -> str:
        response = httpx.post(
            f"{self.base_url}/api/v1/auth/token",
            data={"username": username, "password": password},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"load-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=GIVE_UP_AFTER + 60)

    def wait_sent(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.sent < count and time.monotonic() < deadline:
            time.sleep(0.2)

    def _next(self) -> Outcome | None:
        with self.lock:
            if self.stopping.is_set() or len(self.outcomes) >= self.total:
                return None
            outcome = Outcome(title=f"故障演练-{self.run}-{len(self.outcomes):05d}")
            self.outcomes.append(outcome)
            return outcome

    def _work(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            while (outcome := self._next()) is not None:
                self._create(client, outcome)
                if outcome.created:
                    self._accept(client, outcome)

    def _send(
        self, client: httpx.Client, path: str, who: str, json: dict[str, object] | None, key: str | None
    ) -> tuple[httpx.Response | None, httpx.HTTPError | None]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if key:
            headers["Idempotency-Key"] = key
        with self.lock:
            self.sent += 1
        try:
            return client.post(path, json=json, headers=headers), None
        except httpx.HTTPError as error:
            return None, error

    def _create(self, client: httpx.Client, outcome: Outcome) -> None:
        body: dict[str, object] = {"title": outcome.title, "lead_unit": COUNTY, "deadline": "2099-12-31"}
        key = str(uuid.uuid4())
        give_up = time.monotonic() + GIVE_UP_AFTER
        while time.monotonic() < give_up:
            response, error = self._send(client, "/api/v1/tasks", "province_office", body, key)
            if response is not None and response.status_code == 201:
                outcome.created, outcome.task_id = True, response.json()["id"]
                if outcome.failures and response.headers.get("idempotent-replayed") == "true":
                    outcome.ambiguous.append("create")
                return
            outcome.failures.append(cause(error, response))
            time.sleep(min(0.25 * len(outcome.failures), 2.0))

    def _accept(self, client: httpx.Client, outcome: Outcome) -> None:
        path = f"/api/v1/tasks/{outcome.task_id}/accept"
        tried = False
        give_up = time.monotonic() + GIVE_UP_AFTER
        while time.monotonic() < give_up:
            response, error = self._send(client, path, "county_handler", None, None)
            if response is not None and response.status_code == 200:
                outcome.accepted = True
                return
            if response is not None and response.status_code == 409 and tried:
                if response.json().get("state") == "accepted":  # the error hid a commit
                    outcome.accepted = True
                    outcome.ambiguous.append("accept")
                    return
            outcome.failures.append(cause(error, response))
            tried = tried or response is None or response.status_code >= 500
            time.sleep(min(0.25 * len(outcome.failures), 2.0))

    # --- figures ----------------------------------------------------------------------------------

    def causes(self) -> Counter[str]:
        return Counter(c for o in self.outcomes for c in o.failures)

    def ambiguous(self) -> Counter[str]:
        return Counter(a for o in self.outcomes for a in o.ambiguous)
