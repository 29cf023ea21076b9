"""`mopstui listen`, a real process on 127.0.0.1: tokens in the path or a header compared in
constant time, bodies bounded, a flood bounded, SendGrid and Mailgun events read into a
deliverability signal with the rejection codes in words."""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import socket
import struct
import subprocess
import time

import httpx
import pytest

from mopstui.config import load
from mopstui.room.listen import BURST, MAX_BODY, MAX_CONNECTIONS, REQUEST_DEADLINE
from mopstui.room.signals import SignalDuty, stored_states
from mopstui.status.fetch import Fetcher
from mopstui.store import open_store

from .conftest import MOPSTUI, write

TOKEN = "s3cret-leads-token"
MAIL_TOKEN = "s3cret-mail-token"
CONFIG = """timezone: UTC
services: [{id: form, touchpoint: lead capture}, {id: mail, touchpoint: email}]
signals:
  - {id: leads, kind: silence, touchpoint: lead capture, what: leads, expect_every: 10m, token_env: LEADS_TOKEN}
  - {id: orders, kind: silence, touchpoint: lead capture, expect_every: 10m}
  - {id: email, name: Email delivery, kind: deliverability, touchpoint: email, token_env: MAIL_TOKEN, min_events: 10,
     max_share: 0.05}
"""


@pytest.fixture
def listener(tmp_path):
    path = write(tmp_path / "c.yaml", CONFIG)
    db = tmp_path / "warroom.db"
    with open_store(db):
        pass  # the war-room exists: listen writes to one, it never makes one
    env = {**os.environ, "LEADS_TOKEN": TOKEN, "MAIL_TOKEN": MAIL_TOKEN}
    proc = subprocess.Popen(
        [MOPSTUI, "--config", str(path), "--db", str(db), "listen", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        base = line.split()[2].rsplit("/signal/", 1)[0]
        yield base, load([path], database=str(db)), db, proc
    finally:
        err = stop(proc) if proc.returncode is None else "(stopped by the test)"
    assert proc.returncode == 0, err  # it ended, and cleanly


def stop(proc) -> str:
    """Stop the receiver as Ctrl-C would; what it said on stderr."""
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    return err


def arrivals(db, signal_id):
    with open_store(db) as store:
        return store.arrivals(signal_id)


def wait_for_rows(db, signal_id, count, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = arrivals(db, signal_id)
        if sum(r["count"] for r in rows) >= count:
            return rows
        time.sleep(0.05)
    raise AssertionError(f"{signal_id}: {arrivals(db, signal_id)}")


def test_tokens_are_checked_and_arrivals_stored(listener):
    base, _, db, proc = listener
    with httpx.Client(base_url=base) as client:
        assert client.post(f"/signal/leads/{TOKEN}").status_code == 202
        assert client.post("/signal/leads", headers={"X-Mopstui-Token": TOKEN}, json={"count": 3}).status_code == 202
        assert client.post("/signal/leads", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 202
        wrong = client.post("/signal/leads/not-the-token")
        assert wrong.status_code == 403 and wrong.text == "wrong token\n"
        assert client.post("/signal/leads").status_code == 401
        assert client.post(f"/signal/leads/{TOKEN[:-1]}").status_code == 403
        no_token = client.post(f"/signal/orders/{TOKEN}")
        assert no_token.status_code == 403 and "no token set" in no_token.text
        assert client.post(f"/signal/nope/{TOKEN}").status_code == 404
        assert client.get(f"/signal/leads/{TOKEN}").status_code == 405
        assert client.post(f"/signal/leads/{TOKEN}", json={"count": -1}).status_code == 400
    rows = wait_for_rows(db, "leads", 5)
    assert sorted(r["count"] for r in rows) == [1, 1, 3] and all(r["source"] == "listen:127.0.0.1" for r in rows)
    assert arrivals(db, "orders") == []
    assert "orders has no token" in proc.stderr.readline()


def test_an_oversized_body_is_refused_unread(listener):
    base, _, db, _ = listener
    with httpx.Client(base_url=base) as client:
        big = client.post(f"/signal/leads/{TOKEN}", content=b"x" * (MAX_BODY + 1))
        assert big.status_code == 413
        assert client.post(f"/signal/leads/{TOKEN}", content=b"a form tool's own payload").status_code == 202
    assert sum(r["count"] for r in wait_for_rows(db, "leads", 1)) == 1


def test_a_webhook_flood_is_bounded(listener):
    base, _, db, _ = listener
    statuses = []
    with httpx.Client(base_url=base) as client:
        for _ in range(BURST * 4):
            statuses.append(client.post(f"/signal/leads/{TOKEN}").status_code)
        accepted = statuses.count(202)
        assert statuses.count(429) > 0 and BURST <= accepted < BURST * 4
        # Still answering, and nothing it accepted was lost.
        assert client.post("/signal/leads/wrong").status_code == 403
    assert sum(r["count"] for r in wait_for_rows(db, "leads", accepted)) == accepted


SENDGRID = [
    *({"email": f"a{i}@example.com", "timestamp": 1764500000, "event": "delivered", "sg_event_id": f"d{i}"} for i in range(16)),
    *(
        {
            "email": f"b{i}@gmail.com",
            "timestamp": 1764500000,
            "event": "bounce",
            "sg_event_id": f"b{i}",
            "status": "5.7.26",
            "response": "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
            "reason": "unauthenticated",
        }
        for i in range(3)
    ),
    {"email": "c@example.com", "timestamp": 1764500000, "event": "open", "sg_event_id": "o1"},
    {
        "email": "d@example.com",
        "timestamp": 1764500000,
        "event": "deferred",
        "sg_event_id": "f1",
        "response": "421 4.7.28 Gmail has detected an unusual rate",
    },
]
MAILGUN = {
    "signature": {"token": "t", "timestamp": "1", "signature": "s"},
    "event-data": {
        "event": "failed",
        "severity": "permanent",
        "recipient": "e@outlook.com",
        "delivery-status": {
            "code": 550,
            "message": "550 5.7.515 Access denied, sending domain does not meet the required authentication level.",
        },
    },
}


def test_sendgrid_and_mailgun_events_make_a_deliverability_signal(listener):
    base, config, db, _ = listener
    with httpx.Client(base_url=base) as client:
        assert client.post("/signal/email", json=SENDGRID, headers={"X-Mopstui-Token": MAIL_TOKEN}).text == "20 recorded\n"
        assert client.post(f"/signal/email/{MAIL_TOKEN}", json=MAILGUN).status_code == 202
        bad = client.post(f"/signal/email/{MAIL_TOKEN}", content=b"not json")
        assert bad.status_code == 400 and "not JSON" in bad.text
    wait_for_rows(db, "email", 21)
    with open_store(db) as store:
        duty = SignalDuty(config, store)

        async def run():
            fetcher = Fetcher(config.polling, retries=0)
            try:
                await duty.round(fetcher, force=True)
            finally:
                await fetcher.aclose()

        asyncio.run(run())
        email = stored_states(store, config)["email"]
    assert email.state == "down"  # 5 of 21: over twice the 5 % allowed
    assert email.why == (
        "24% of 21 emails bounced, dropped or deferred in the last 30 min (4 bounce, 1 deferred); "
        "most: 5.7.26 Gmail: not authenticated (SPF, DKIM and DMARC must pass)"
    )
    assert json.loads(json.dumps(email.to_dict()))["value"] == "24% of 21"


def raw(base: str, data: bytes, *, reset: bool = False) -> bytes:
    """Send bytes on one loopback connection and read every byte of the answer until the
    receiver hangs up (or, with `reset`, hang up first, abruptly)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        if b"Expect: 100-continue" in data:
            assert sock.recv(100).startswith(b"HTTP/1.1 100")
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return b""
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def test_slow_senders_get_a_bounded_number_of_threads_and_a_deadline(listener):
    """A sender dripping one byte a second never trips a per-read timeout; the whole request has
    REQUEST_DEADLINE seconds, and only MAX_CONNECTIONS connections are served at once."""
    base, _, _, proc = listener
    host, port = base.removeprefix("http://").rsplit(":", 1)
    socks: list[socket.socket] = []
    try:
        for _ in range(MAX_CONNECTIONS + 40):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"POST /signal/leads HTTP/1.1\r\n")
            socks.append(sock)
        started = time.monotonic()
        open_ = set(socks)
        refused = 0
        while open_ and time.monotonic() < started + REQUEST_DEADLINE + 10:
            threads = len(os.listdir(f"/proc/{proc.pid}/task"))
            assert threads <= MAX_CONNECTIONS + 8, threads
            ready, _, _ = select.select(list(open_), [], [], 1.0)
            for sock in ready:
                try:
                    answer = sock.recv(4096)
                except OSError:
                    answer = b""
                refused += answer.startswith(b"HTTP/1.1 503")
                if not answer or answer.endswith(b"\n"):
                    open_.discard(sock)
            for sock in open_:
                try:
                    sock.send(b"X")  # one more header byte: each read is quick, the request never ends
                except OSError:
                    pass
        assert not open_, f"{len(open_)} slow connections still held after {time.monotonic() - started:.0f} s"
        assert refused >= 40
        assert time.monotonic() - started < REQUEST_DEADLINE + 5
        with httpx.Client(base_url=base) as client:  # and a real sender gets through afterwards
            assert client.post(f"/signal/leads/{TOKEN}").status_code == 202
    finally:
        for sock in socks:
            sock.close()
    assert all(sock.fileno() == -1 for sock in socks)


def test_hung_up_senders_and_deep_json_leave_no_traceback(listener):
    base, _, db, proc = listener
    for _ in range(30):  # senders that hang up abruptly, mid-headers and mid-body
        raw(base, b"POST /signal/leads HTTP/1.1\r\nHost: x\r\n", reset=True)
        raw(
            base,
            f"POST /signal/leads/{TOKEN} HTTP/1.1\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n".encode(),
            reset=True,
        )  # after "100 Continue": the receiver is reading the body when the reset comes
    deep = b"[" * 200_000
    with httpx.Client(base_url=base) as client:
        assert client.post(f"/signal/leads/{TOKEN}", content=deep).status_code == 202  # a form tool's own payload
        nested = client.post(f"/signal/email/{MAIL_TOKEN}", content=deep)
        assert nested.status_code == 400 and "nested too deeply" in nested.text
    superscript = raw(base, f"POST /signal/leads/{TOKEN} HTTP/1.1\r\nContent-Length: ".encode() + b"\xb2\r\n\r\nab")
    assert superscript.startswith(b"HTTP/1.1 400") and b"bad Content-Length" in superscript  # "\u00b2".isdigit()
    wait_for_rows(db, "leads", 1)
    err = stop(proc)
    assert "Traceback" not in err and "RecursionError" not in err, err[:2000]
    said = [line for line in err.splitlines() if "ended badly" in line]
    assert len(said) == 1 and said[0].startswith("mopstui: warning: a connection from 127.0.0.1 ended badly"), err


INNER = f"POST /signal/leads/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode()


def test_a_body_is_never_read_as_a_second_request(listener):
    base, _, _, _ = listener
    wrong = raw(base, b"POST /signal/leads/WRONG HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(INNER) + INNER)
    assert wrong.count(b"HTTP/1.1 ") == 1 and wrong.startswith(b"HTTP/1.1 403") and b"Connection: close" in wrong
    no_token = raw(base, b"POST /signal/leads HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(INNER) + INNER)
    assert no_token.count(b"HTTP/1.1 ") == 1 and no_token.startswith(b"HTTP/1.1 401")
    encoded = raw(
        base, f"POST /signal/leads/{TOKEN} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n".encode() + INNER
    )
    assert encoded.count(b"HTTP/1.1 ") == 1 and encoded.startswith(b"HTTP/1.1 411")
    twice = raw(
        base,
        f"POST /signal/leads/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: {len(INNER)}\r\n\r\n".encode()
        + INNER,
    )
    assert twice.count(b"HTTP/1.1 ") == 1 and twice.startswith(b"HTTP/1.1 400") and b"more than one" in twice
    # Accepted requests still share a connection.
    kept = raw(base, INNER + INNER)
    assert kept.count(b"HTTP/1.1 202") == 2
