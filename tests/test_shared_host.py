"""A shared jump host: file modes, read-only users, dead sessions, webhooks, serve, two people in tmux."""

import grp
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mopstui.config import load
from mopstui.store import Store

from .conftest import MOPSTUI, ROOT, run_cli, write
from .tmux import Tmux

MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def cli_with_umask(umask: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MOPSTUI, *args], capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))


HOLDER = """
import os, sys, time
os.umask(int(sys.argv[3], 8))
from mopstui.store import Store
store = Store(sys.argv[1], group=sys.argv[2] or None)
store.declare("x", severity="SEV3", author="a")
print("ready", flush=True)
time.sleep(60)
"""


def hold_open(db, group: str, umask: int) -> subprocess.Popen:
    """A real session process, started under `umask`, holding the database open (SQLite
    removes -wal and -shm when the last connection closes)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), group, oct(umask)[2:]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_files_are_group_shared_and_never_world_readable(tmp_path, umask):
    shared = tmp_path / "srv"
    shared.mkdir()
    os.chmod(shared, 0o2770)
    db = shared / "warroom.db"
    holder = hold_open(db, MY_GROUP, umask)
    try:
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert mode(path) == 0o660, (path, oct(mode(path)))
            assert os.stat(path).st_gid == os.getgid()
    finally:
        holder.kill()
        holder.wait()
    config = write(tmp_path / "c.yaml", f"database: {db}\ndatabase_group: {MY_GROUP}\n")
    export = shared / "pm.md"
    result = cli_with_umask(umask, "--config", str(config), "export", "1", "-o", str(export))
    assert result.returncode == 0, result.stderr
    assert mode(export) == 0o660


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_without_a_group_files_are_private(tmp_path, umask):
    db = tmp_path / "own" / "warroom.db"
    holder = hold_open(db, "", umask)
    try:
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert mode(path) & 0o077 == 0, (path, oct(mode(path)))
        assert mode(db.parent) & 0o077 == 0
    finally:
        holder.kill()
        holder.wait()
    export = tmp_path / "pm.md"
    assert cli_with_umask(umask, "--db", str(db), "export", "1", "-o", str(export)).returncode == 0
    assert mode(export) == 0o600


def test_a_wrong_directory_is_explained(tmp_path):
    shared = tmp_path / "srv"
    shared.mkdir()
    os.chmod(shared, 0o755)  # not group-writable
    config = write(tmp_path / "c.yaml", f"database: {shared / 'w.db'}\ndatabase_group: {MY_GROUP}\n")
    result = run_cli("--config", str(config), "init")
    assert result.returncode == 1
    assert (
        f"{shared} is not writable by group {MY_GROUP}; run: sudo chgrp {MY_GROUP} {shared} && sudo chmod 3770 {shared}"
        in result.stderr
    )


def test_an_unknown_group_is_explained(tmp_path):
    config = write(tmp_path / "c.yaml", f"database: {tmp_path / 'w.db'}\ndatabase_group: no-such-group-xyz\n")
    result = run_cli("--config", str(config), "incidents")
    assert result.returncode == 1 and "unknown Unix group 'no-such-group-xyz'" in result.stderr


# A user who may read the war-room but not write it. As root, permissions do not bind, so the
# war-room files belong to `nobody` and the process runs as root with every capability dropped:
# it reads them as "other" and cannot write them, yet still reaches this checkout wherever CI
# cloned it (a 0700 temporary directory shuts `nobody` out of the venv).
WITHOUT_PRIVILEGE = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] if os.geteuid() == 0 else []


def as_other_user(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*WITHOUT_PRIVILEGE, *argv], capture_output=True, text=True, **kwargs)


@pytest.fixture
def readable_db(tmp_path):
    """A war-room this test's user may read but not write."""
    directory = tmp_path / "warroom"
    directory.mkdir()
    db = directory / "warroom.db"
    with Store(db) as store:
        store.declare("Checkout failing", severity="SEV1", author="alice")
        store.append(1, "note", "written by the on-call", author="alice")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in [directory, *directory.iterdir()]:
        if os.geteuid() == 0:
            os.chown(path, 65534, 65534)
        os.chmod(path, 0o755 if path == directory else 0o644)
    if os.geteuid() != 0:
        for path in directory.iterdir():
            os.chmod(path, 0o444)
        os.chmod(directory, 0o555)
    yield db
    os.chmod(directory, 0o755)


def test_a_read_only_user_can_watch_but_not_write(readable_db):
    shown = as_other_user([MOPSTUI, "--db", str(readable_db), "--user", "viewer", "timeline", "1"])
    assert shown.returncode == 0, shown.stderr
    assert "written by the on-call" in shown.stdout
    refused = as_other_user([MOPSTUI, "--db", str(readable_db), "--user", "viewer", "log", "1", "let me in"])
    assert refused.returncode == 1
    assert "read-only for this user: you can watch but not write" in refused.stderr
    assert "Traceback" not in refused.stderr
    with Store(readable_db, readonly=True) as store:
        assert store.count_events() == 2


def test_a_read_only_user_opens_the_screen(readable_db, tmp_path):
    tmux = Tmux()
    try:
        tmux.start("ro", [*WITHOUT_PRIVILEGE, MOPSTUI, "--db", str(readable_db), "--user", "viewer"], env={})
        tmux.wait_for("ro", "READ-ONLY")
        tmux.wait_for("ro", "Checkout failing")
        tmux.log_entry("ro", "hello")
        tmux.wait_for("ro", "can watch but not write")
        assert tmux.alive("ro")
    finally:
        tmux.kill_server()


def test_a_killed_session_drops_out_of_presence(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("x", severity="SEV3", author="a")
    tmux = Tmux()
    try:
        env = {"MOPSTUI_HEARTBEAT_SECONDS": "1"}
        tmux.start("alive", [MOPSTUI, "--db", str(db_path), "--user", "stays"], env=env)
        tmux.start("doomed", [MOPSTUI, "--db", str(db_path), "--user", "dies"], env=env)
        tmux.wait_for("alive", "here: dies")
        pid = int(tmux.run("display-message", "-p", "-t", "doomed", "#{pane_pid}").stdout)
        os.kill(pid, signal.SIGKILL)  # no chance to say goodbye
        screen = tmux.wait_for("alive", "here: nobody else", timeout=10)
        assert "dies" not in screen.splitlines()[0]
        with Store(db_path) as store:
            assert [p["user"] for p in store.present(within=timedelta(seconds=3))] == ["stays"]
    finally:
        tmux.kill_server()


@pytest.mark.timing  # a wall-clock bound
def test_two_people_in_tmux_see_each_other_and_closing_the_window_ends_the_process(tmp_path, db_path):
    with Store(db_path) as store:
        store.declare("Email sends failing", severity="SEV2", author="lead")
    tmux = Tmux()
    try:
        tmux.start("priya", [MOPSTUI, "--db", str(db_path), "--user", "priya"], env={"TERM": "screen"})
        tmux.start("sam", [MOPSTUI, "--db", str(db_path), "--user", "sam"], env={"TERM": "tmux-256color", "NO_COLOR": "1"})
        tmux.wait_for("priya", "Email sends failing")
        tmux.wait_for("sam", "Email sends failing")
        for who, text in (("priya", "SendGrid 5xx since 09:40"), ("sam", "Paused the campaign")):
            tmux.log_entry(who, text)
        started = time.monotonic()
        tmux.wait_for("priya", "Paused the campaign", timeout=5)
        tmux.wait_for("sam", "SendGrid 5xx since", timeout=5)
        assert time.monotonic() - started < 2.5
        pid = int(tmux.run("display-message", "-p", "-t", "sam", "#{pane_pid}").stdout)
        tmux.run("kill-window", "-t", "sam")  # the terminal goes away, as when SSH drops
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the session did not end when its terminal went away")
        with Store(db_path) as store:
            assert [p["user"] for p in store.present()] == ["priya"]  # sam left cleanly
    finally:
        tmux.kill_server()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(db_path, port: int) -> tuple[subprocess.Popen, str]:
    """`mopstui serve` as its starter runs it; returns the process and the link it printed."""
    proc = subprocess.Popen(
        [MOPSTUI, "--db", str(db_path), "--user", "web", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    assert line.startswith("serving the war-room at http://127.0.0.1:"), line
    return proc, line.split(" at ", 1)[1].strip()


def stop_serve(proc: subprocess.Popen, db_path) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("serve did not stop on Ctrl-C")
    proc.stderr.close()
    deadline = time.monotonic() + 10  # the screen it ran for a browser tab ends with it
    while subprocess.run(["pgrep", "-f", str(db_path)], capture_output=True).returncode == 0:
        left = subprocess.run(["pgrep", "-af", str(db_path)], capture_output=True, text=True).stdout
        assert time.monotonic() < deadline, f"a served screen outlived serve: {left}"
        time.sleep(0.1)


def wait_for_http(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answers at {url}")


async def test_serve_opens_only_with_its_token_and_origin(db_path):
    import aiohttp

    port = free_port()
    proc, link = start_serve(db_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/static/")
        token = link.split("token=", 1)[1]
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout if shutil.which("ss") else ""
        if listening:
            assert f"0.0.0.0:{port}" not in listening and f"*:{port}" not in listening
        # unsafe=True: keep cookies for an IP address, as browsers do (aiohttp does not by default)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            for url in (base + "/", base + "/?token=wrong", base + "/?token=" + token[:-1]):
                async with session.get(url) as response:
                    assert response.status == 403, url
            for query, origin in (
                ("", base),
                ("?token=wrong", base),
                (f"?token={token}", "http://evil.example"),
                (f"?token={token}", None),
            ):
                headers = {"Origin": origin} if origin else {}
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(base + "/ws" + query, headers=headers)
                assert refused.value.status == 403, (query, origin)
            async with session.get(base + "/", headers={"Host": f"attacker.example:{port}"}, params={"token": token}) as response:
                assert response.status == 403  # DNS rebinding: the right token under a foreign host name
            assert not db_path.exists()  # nothing refused ran a screen, let alone wrote
            async with session.get(link) as response:
                assert response.status == 200 and "mopstui war-room" in await response.text()
            ws = await session.ws_connect(base + "/ws?width=80&height=24", headers={"Origin": base})
            await ws.close()  # the browser's own page: accepted (it carries the cookie the page set)
    finally:
        stop_serve(proc, db_path)


class Hooks(BaseHTTPRequestHandler):
    received: list = []
    fail_first: int = 0

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, json.loads(body)))
        failing = type(self).fail_first > 0
        if failing:
            type(self).fail_first -= 1
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_webhooks_are_sent_once_retried_recorded_and_never_leak(tmp_path, db_path):
    import asyncio

    from mopstui.export import export_incident
    from mopstui.room.notify import Notifier

    Hooks.received, Hooks.fail_first = [], 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = "/services/T0001/B0002/SuperSecretToken123"
    url = f"http://127.0.0.1:{server.server_address[1]}{secret}"
    path = write(tmp_path / "c.yaml", f'notify:\n  webhooks:\n    - {{url: "{url}"}}\n')
    os.chmod(path, 0o600)
    config = load([path], database=str(db_path))
    try:
        with Store(db_path) as store:
            notifier = Notifier(config, store, backoff=0.01)

            def round_():
                return _with_client(notifier)

            assert asyncio.run(round_()) == 0  # first run: sets the cursor, history is not news
            store.declare("Checkout down", severity="SEV1", author="alice")
            store.set_severity(1, "SEV2", author="alice")
            store.append(1, "note", "not a notification", author="alice")
            store.append(1, "system", "Crossed the 1m threshold", author="mopstui", dedupe="INC-1:threshold:abandon")
            store.set_status(1, "resolved", author="alice")
            assert asyncio.run(round_()) == 4
            assert asyncio.run(round_()) == 0  # exactly once
            other = Notifier(config, store)  # a new lease holder does not send again
            assert asyncio.run(_with_client(other)) == 0
            texts = [body["text"] for _, body in Hooks.received]
            assert len(texts) == 6  # 2 failures retried, then 4 delivered
            assert texts[0] == texts[1] == texts[2]
            assert texts[0].startswith(f"INC-1 declared: Checkout down (by alice (login {store.account.login})) · log head #")
            assert any("SEV2" in t for t in texts) and any("resolved" in t for t in texts)
            assert any("threshold" in t for t in texts)
            records = [e.text for e in store.events(1) if e.kind == "system" and (e.dedupe or "").startswith("notify:")]
            assert len(records) == 4 and all(r.startswith("Notified 127.0.0.1 of #") for r in records)
            for fmt in ("md", "json", "csv"):
                import io

                out = io.StringIO()
                export_incident(store, 1, config, fmt, out)
                assert "SuperSecretToken123" not in out.getvalue() and "/services/" not in out.getvalue()
    finally:
        server.shutdown()


async def _with_client(notifier) -> int:
    import httpx

    async with httpx.AsyncClient() as client:
        return await notifier.round(client)


def test_a_failing_webhook_is_recorded_not_hidden(tmp_path, db_path):
    import asyncio

    from mopstui.room.notify import Notifier

    path = write(tmp_path / "c.yaml", 'notify:\n  webhooks: ["http://127.0.0.1:9/hooks/SECRET"]\n')
    config = load([path], database=str(db_path))
    with Store(db_path) as store:
        notifier = Notifier(config, store, backoff=0.01)
        asyncio.run(_with_client(notifier))
        store.declare("x", severity="SEV3", author="a")
        asyncio.run(_with_client(notifier))
        (record,) = [e.text for e in store.events(1) if e.kind == "system"]
        assert record.startswith("Webhook 127.0.0.1 failed after 3 tries (ConnectError)") and "SECRET" not in record


def test_a_world_readable_config_with_webhooks_warns(tmp_path):
    path = write(tmp_path / "c.yaml", 'notify:\n  webhooks: ["https://hooks.example.com/services/T/B/secret"]\n')
    os.chmod(path, 0o644)
    result = run_cli("--config", str(path), "--db", str(tmp_path / "w.db"), "init")
    assert result.returncode == 0
    assert f"{path} holds webhook URLs (secrets) and is readable by every user; run: chmod o-r {path}" in result.stderr
    assert "secret" not in result.stderr.replace("secrets", "")
    os.chmod(path, 0o640)
    assert "warning" not in run_cli("--config", str(path), "--db", str(tmp_path / "w.db"), "incidents").stderr


@pytest.mark.parametrize("catch_up, told", [("", ["INC-2 declared"]), ("  catch_up: 90m\n", ["INC-1", "INC-2"])])
def test_the_first_notifier_tells_what_open_incidents_saw_lately(tmp_path, db_path, catch_up, told):
    """The first `watch` ever started on a war-room sent no webhook for what was declared before
    it. It now sends what open incidents saw in the last `notify.catch_up` (15 minutes unless
    set), nothing older and nothing of a resolved incident."""
    import asyncio
    from datetime import timedelta

    from mopstui.base.timeutil import utcnow
    from mopstui.room.notify import Notifier

    Hooks.received, Hooks.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    path = write(tmp_path / "c.yaml", f'notify:\n  webhooks: ["{url}"]\n{catch_up}')
    os.chmod(path, 0o600)
    config = load([path], database=str(db_path))
    now = utcnow()
    try:
        with Store(db_path) as store:
            store.declare("An hour ago", severity="SEV2", author="alice", replay_recorded_at=now - timedelta(hours=1))
            store.declare("Five minutes ago", severity="SEV1", author="alice", replay_recorded_at=now - timedelta(minutes=5))
            store.declare("Over already", severity="SEV3", author="alice", replay_recorded_at=now - timedelta(minutes=6))
            store.set_status(3, "resolved", author="alice")
            sent = asyncio.run(_with_client(Notifier(config, store)))
            texts = [body["text"] for _, body in Hooks.received]
            assert sent == len(told) == len(texts) and all(any(t.startswith(w) for t in texts) for w in told), texts
            assert not any(t.startswith("INC-3") for t in texts)
            assert asyncio.run(_with_client(Notifier(config, store))) == 0  # and never twice
    finally:
        server.shutdown()


def test_serve_prints_one_working_link_and_never_a_request_or_the_token(db_path):
    """Any local user's malformed request printed a traceback with its locals (the raw request
    bytes, a 0x9b among them) into the starter's terminal; the access log printed the token on
    every request; the library's banner printed a second, token-less link as the last address."""
    port = free_port()
    proc = subprocess.Popen(
        [MOPSTUI, "--db", str(db_path), "--user", "web", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first = proc.stderr.readline()
        assert first.startswith(f"serving the war-room at {base}/?token="), first
        first += proc.stderr.readline()  # (read here: communicate() below reads past this stream's buffer)
        token = first.split("token=", 1)[1].split()[0]
        wait_for_http(base + "/static/")
        for raw in (
            b"GET /\x9b\x1b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"\x16\x03\x01\x02\x00garbage\x9b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() + b"\r\nContent-Length: x\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                sock.recv(4096)
        urllib.request.urlopen(f"{base}/?token={token}", timeout=10).close()  # the starter's own visit
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode is not None
    terminal = out + first + err
    assert "Traceback" not in terminal and "\x9b" not in terminal and "\x1b" not in terminal and "garbage" not in terminal
    assert terminal.count(token) == 1 and terminal.count("http://") == 1  # the link, once, and the last address
    assert "everyone who opens it writes as web" in terminal, terminal
    assert "refused a request it could not read from 127.0.0.1" in terminal, terminal
