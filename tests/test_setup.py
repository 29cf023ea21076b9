"""A team's set-up: one install for every account (`make install-shared`), `mopstui doctor` on each
broken set-up, and the screen's duties without a watch service. Real accounts, real files."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from .conftest import MOPSTUI, ROOT, run_cli, write

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="needs root to create accounts and run as them")
if os.environ.get("CI") == "true" and not AS_ROOT:
    needs_root = pytest.mark.skipif(False, reason="")  # CI runs as root: never skipped there


@pytest.fixture
def accounts():
    """A war-room group with one member, and an outsider; removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    group, member, outsider = f"mwr{tag}", f"mem{tag}", f"out{tag}"
    subprocess.run(["groupadd", group], check=True)
    made = []
    try:
        for name in (member, outsider):
            subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", name], check=True)
            made.append(name)
        subprocess.run(["usermod", "-aG", group, member], check=True)
        yield group, member, outsider
    finally:
        for name in made:
            subprocess.run(["userdel", name], check=False)
        subprocess.run(["groupdel", group], check=False)


def as_account(name: str, *command: str, home: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run as a real account (its own uid, gid and groups), as a login would."""
    user = pwd.getpwnam(name)
    home.mkdir(exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run(
        [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--init-groups",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
            *command,
        ],
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
    )


@needs_root
@pytest.mark.slow
def test_one_install_serves_every_account_and_doctor_tells_the_outsider_why(accounts):
    """`sudo make install-shared` builds from the system's Python (the dev venv's interpreter is in
    root's private home: other accounts got `bad interpreter: Permission denied`); a member uses the
    room, an outsider is told they are not in the group; an upgrade keeps the war-room; uninstall
    removes only what install made."""
    group, member, outsider = accounts
    base = Path(tempfile.mkdtemp(prefix="mopstui-install-", dir="/var/tmp"))
    try:
        os.chmod(base, 0o755)
        places = {"SHARED_DIR": str(base / "opt"), "SHARED_BIN": str(base / "bin"), "SYSTEMD_DIR": str(base / "units")}
        make = ["make", "-C", str(ROOT), "install-shared", *(f"{k}={v}" for k, v in places.items())]
        installed = subprocess.run(make, capture_output=True, text=True, timeout=500)
        assert installed.returncode == 0, installed.stderr[-2000:]
        binary = base / "bin" / "mopstui"
        assert os.readlink(binary) == str(base / "opt" / "venv" / "bin" / "mopstui")
        assert not os.path.realpath(base / "opt" / "venv" / "bin" / "python").startswith(("/root/", "/home/"))
        unit = (base / "units" / "mopstui-watch.service").read_text()
        assert f"ExecStart={binary} --config /etc/mopstui/config.yaml watch" in unit

        room = base / "room"
        room.mkdir()
        os.chown(room, 0, grp.getgrnam(group).gr_gid)
        os.chmod(room, 0o3770)
        config = write(base / "config.yaml", f"database: {room / 'warroom.db'}\ndatabase_group: {group}\n")
        os.chmod(config, 0o644)
        common = [str(binary), "--config", str(config)]

        declared = as_account(member, *common, "declare", "Lead form not submitting", "-s", "SEV2", home=base / "home-m")
        assert declared.returncode == 0, declared.stderr
        assert declared.stdout.strip() == "INC-1"
        fine = as_account(member, *common, "doctor", "--offline", home=base / "home-m")
        assert "not in the war-room's group" not in fine.stdout
        assert "is set up for group" in as_account(member, *common, "doctor", "--offline", "-v", home=base / "home-m").stdout

        told = as_account(outsider, *common, "doctor", "--offline", home=base / "home-o")
        assert told.returncode == 1
        assert f"You ({outsider}) are not in the war-room's group {group}" in told.stdout
        assert f"sudo usermod -aG {group} {outsider}" in told.stdout
        assert "Traceback" not in told.stdout + told.stderr

        upgraded = subprocess.run(make, capture_output=True, text=True, timeout=500)
        assert upgraded.returncode == 0 and "upgrading" in upgraded.stdout
        listed = as_account(member, *common, "incidents", home=base / "home-m")
        assert "Lead form not submitting" in listed.stdout, listed.stderr

        removed = subprocess.run(
            ["make", "-C", str(ROOT), "uninstall-shared", *(f"{k}={v}" for k, v in places.items())],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert removed.returncode == 0, removed.stderr
        assert not os.path.lexists(binary) and not (base / "opt").exists()
        assert not (base / "units" / "mopstui-watch.service").exists()
        assert (room / "warroom.db").exists() and config.exists()
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------- doctor, in-process where it can be


def doctor(*args: str) -> tuple[int, dict]:
    result = run_cli(*args, "doctor", "--offline", "--json")
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def texts(report: dict, check: str, level: str | None = None) -> list[str]:
    return [f["text"] for f in report["findings"] if f["check"] == check and (level is None or f["level"] == level)]


@needs_root
def test_doctor_names_a_folder_not_set_up_for_sharing_and_the_fix(tmp_path, accounts):
    group = accounts[0]
    room = tmp_path / "room"
    room.mkdir(mode=0o755)
    config = write(tmp_path / "c.yaml", f"database: {room / 'w.db'}\ndatabase_group: {group}\n")
    code, report = doctor("--config", str(config))
    assert code == 1
    problems = texts(report, "directory", "problem")
    assert f"The war-room's folder {room} belongs to group root, not {group}" in problems[0]
    assert "(mode 755, it should be 3770)" in problems[1]
    os.chown(room, 0, grp.getgrnam(group).gr_gid)
    code, report = doctor("--config", str(config))
    [problem] = texts(report, "directory", "problem")
    assert "no setgid bit" in problem and "no sticky bit" in problem and "users outside" in problem
    os.chmod(room, 0o3770)
    code, report = doctor("--config", str(config))
    assert texts(report, "directory", "ok") == [f"The war-room's folder {room} is set up for group {group} (3770)."]


def test_doctor_on_a_missing_folder_creates_nothing(tmp_path):
    missing = tmp_path / "nothere" / "w.db"
    code, report = doctor("--db", str(missing))
    assert code == 1
    assert texts(report, "directory", "problem") == [f"The war-room's folder {missing.parent} does not exist."]
    assert not missing.parent.exists()


def test_doctor_says_when_nobody_holds_the_duties_and_when_a_watch_does(tmp_path, db_path):
    """Nobody, then a claim written by hand in the name of a watch that is not running (the pytest
    process: any pid, pid 1 included, passed before), then a real `watch` process."""
    run_cli("--db", str(db_path), "declare", "Chat widget gone", "-s", "SEV2", check=True)
    code, report = doctor("--db", str(db_path))
    assert code == 1
    assert texts(report, "duties", "problem")[0].startswith("Nobody is doing the room's duties now")
    from datetime import timedelta

    from mopstui.store import Store

    with Store(db_path) as store:
        assert store.take_lease("poller", f"watch:{os.uname().nodename}:{os.getpid()}", timedelta(minutes=1))
    code, report = doctor("--db", str(db_path))
    [planted] = texts(report, "duties", "problem")
    assert planted.startswith("The room's duties are claimed for a watch service on this host") and code == 1
    with Store(db_path) as store:
        store.release_lease("poller", f"watch:{os.uname().nodename}:{os.getpid()}")
    watch = subprocess.Popen(
        [MOPSTUI, "--db", str(db_path), "watch", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not texts(doctor("--db", str(db_path))[1], "duties", "ok"):
            assert watch.poll() is None, watch.stderr.read() if watch.stderr else ""
            assert time.monotonic() < deadline, "the watch service never took the room's duties"
            time.sleep(0.2)
        assert texts(doctor("--db", str(db_path))[1], "duties", "ok")[0].startswith("The watch service on ")
    finally:
        watch.terminate()
        watch.wait(timeout=20)
    assert watch.poll() is not None


WITHOUT_PRIVILEGE = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]

DUTY_RUN = """
import asyncio, sys, threading, time
from mopstui.config import load
from mopstui.room import duties
from mopstui.room.poller import Poller
from mopstui.store import Store
said, ticks = [], [0]
original = duties.Room.tick
async def counted(self, webhooks):
    ticks[0] += 1
    return await original(self, webhooks)
duties.Room.tick = counted
config = load([sys.argv[1]], database=sys.argv[2])
stop = threading.Event()
with Store(sys.argv[2]) as store:
    poller = Poller(config, store, sys.argv[3], tick=0.02, on_round=lambda s: said.append(s.get("problem")))
    runner = threading.Thread(target=asyncio.run, args=(poller.run(stop),))
    runner.start()
    started = time.monotonic()  # the anchor is tried again after `every` (1 s): three tries at least
    while (ticks[0] < 20 or time.monotonic() - started < 2.5) and time.monotonic() - started < 30:
        time.sleep(0.02)
    stop.set()
    runner.join(10)
print([s for s in said if s])
print("ticks", ticks[0])
"""


@needs_root
def test_a_screen_without_a_watch_service_skips_the_anchor_once_and_doctor_says_why(tmp_path, db_path):
    """The README's `anchor:` line with no watch service: the file belongs to the service's account,
    so the screen that took the duties said `cannot write the anchor file` over the timeline, again
    and again. Now it says so once and leaves it; the watch service itself says a failure once."""
    run_cli("--db", str(db_path), "declare", "Chat widget gone", "-s", "SEV2", check=True)
    os.chmod(tmp_path, 0o755)
    service_dir = tmp_path / "service"
    service_dir.mkdir()
    anchor = service_dir / "heads.log"
    anchor.write_text("")
    os.chown(anchor, 65534, 65534)
    os.chmod(anchor, 0o644)
    os.chown(service_dir, 65534, 65534)
    config = write(tmp_path / "c.yaml", f"anchor: {{file: {anchor}, every: 1s}}\n")
    for holder, expected in (("tui:host:1", "leaves it to that service"), ("watch:host:1", "cannot write the log's outside")):
        run = subprocess.run(
            [*WITHOUT_PRIVILEGE, sys.executable, "-c", DUTY_RUN, str(config), str(db_path), holder],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert run.returncode == 0, run.stderr
        problems, rounds = run.stdout.splitlines()
        said = eval(problems)  # a list of strings printed by repr
        assert int(rounds.split()[1]) >= 20
        assert len(said) == 1 and expected in said[0], said
    assert anchor.read_text() == ""
    report = subprocess.run(
        [*WITHOUT_PRIVILEGE, MOPSTUI, "--config", str(config), "--db", str(db_path), "doctor", "--offline", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    notes = texts(json.loads(report.stdout), "anchor", "note")
    assert len(notes) == 1 and notes[0].startswith(f"Screens cannot write the log's outside record {anchor}")


@needs_root
async def test_the_screen_says_a_set_up_problem_once_at_start(tmp_path):
    """The doctor's cheap checks run when a screen opens: a folder without the sticky bit (a member
    could replace another's files) is said once, in plain words, pointing at `mopstui doctor`."""
    from .tui_helpers import make_app, make_config, wait_for

    room = tmp_path / "room"
    room.mkdir()
    os.chown(room, 0, grp.getgrnam("nogroup").gr_gid)
    os.chmod(room, 0o2770)
    config = make_config(tmp_path, room / "w.db", "database_group: nogroup\n")
    said: list[str] = []
    app = make_app(config, check_setup=True)
    original = app.notify

    def notify(message, **kwargs):
        said.append(f"{kwargs.get('title', '')}: {message}")
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: any(s.startswith("Set-up problem") for s in said), timeout=10, message="the set-up problem said"
        )
    [problem] = [s for s in said if s.startswith("Set-up")]
    assert "no sticky bit" in problem and "Run `mopstui doctor` for the fixes." in problem


def test_on_postgres_doctor_names_what_a_role_lacks_and_copy_store_names_the_privilege(postgres_server, pg_url, tmp_path, capsys):
    """The README's application role can use the room (doctor: role fine, notifications reach it);
    a role that may only read is told what it lacks; `copy-store` as the application role names the
    privilege it lacks instead of 'read-only for this role: you can watch but not write'."""
    from mopstui.cli import main

    from .test_duties import APP_GRANTS, _app_url

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("--db", pg_url, "--user", "owner", "declare", "Lead form down", "-s", "SEV2")[0] == 0
    app_url = _app_url(postgres_server, pg_url, APP_GRANTS)
    code, out, _ = run("--db", app_url, "doctor", "--offline", "--json")
    report = json.loads(out)
    assert texts(report, "role", "ok") == ["Your database role mopstui_app may read and write the room."]
    assert texts(report, "notifications", "ok")

    database = pg_url.split("/")[-1].split("?")[0]
    postgres_server.admin("DO $$ BEGIN CREATE ROLE mopstui_viewer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute(f"GRANT CONNECT ON DATABASE {database} TO mopstui_viewer")
        owner.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO mopstui_viewer")
    code, out, _ = run("--db", pg_url.replace("mopstui@", "mopstui_viewer@"), "doctor", "--offline", "--json")
    assert code == 1
    [lacks] = texts(json.loads(out), "role", "problem")
    assert lacks.startswith("Your database role mopstui_viewer lacks INSERT on events (to log entries)")

    source = tmp_path / "w.db"
    assert run("--db", str(source), "--user", "sam", "declare", "Chat widget gone", "-s", "SEV2")[0] == 0
    fresh = postgres_server.new_database()
    with psycopg.connect(fresh, autocommit=True):
        pass
    assert run("--db", fresh, "init")[0] == 0  # the owner opens it once: the schema exists
    fresh_app = _app_url(postgres_server, fresh, APP_GRANTS)
    code, out, err = run("copy-store", str(source), fresh_app)
    assert code == 1
    # The application role may not write entries under their writers' accounts: the owner copies.
    assert "read-only" not in err and "account is the database role that writes it (mopstui_app)" in err, err
    assert "run copy-store as the owner" in err
    code, out, err = run("copy-store", str(source), fresh)
    assert code == 0, err


def test_doctor_says_a_pooler_in_transaction_mode_drops_notifications(postgres_server, pg_url, tmp_path, capsys):
    """Through PgBouncer in transaction mode (as teams put in front of PostgreSQL) the room's
    notifications never reach a waiting screen; doctor says so, directly connected it does not."""
    import pwd

    from mopstui.cli import main

    pgbouncer = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
    if pgbouncer is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("CI installs pgbouncer (.ci/run)")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    assert main(["--db", pg_url, "--user", "owner", "declare", "Lead form down", "-s", "SEV2"]) == 0
    pooler = Path(tempfile.mkdtemp(prefix="mopstui-pgb-", dir="/var/tmp"))
    proc = None
    try:
        account = postgres_server.as_user
        if account:
            os.chown(pooler, pwd.getpwnam(account).pw_uid, pwd.getpwnam(account).pw_gid)
        (pooler / "users.txt").write_text('"mopstui" ""\n')
        (pooler / "pgbouncer.ini").write_text(
            f"[databases]\n* = host={postgres_server.root} port=5432\n\n[pgbouncer]\nlisten_addr =\nlisten_port = 6432\n"
            f"unix_socket_dir = {pooler}\nauth_type = trust\nauth_file = {pooler / 'users.txt'}\npool_mode = transaction\n"
            f"default_pool_size = 4\nlogfile = {pooler / 'pgbouncer.log'}\npidfile = {pooler / 'pgbouncer.pid'}\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        proc = subprocess.Popen(
            [pgbouncer, str(pooler / "pgbouncer.ini")],
            user=account,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        database = pg_url.split("/")[-1].split("?")[0]
        pooled = f"postgresql://mopstui@/{database}?host={quote(str(pooler), safe='')}&port=6432"

        for _ in range(200):
            try:
                psycopg.connect(pooled, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if proc.poll() is not None:
                    raise AssertionError((pooler / "pgbouncer.log").read_text()) from None
                time.sleep(0.05)
        capsys.readouterr()
        main(["--db", pg_url, "doctor", "--offline", "--json"])  # exit 1: no watch service holds the duties
        direct = json.loads(capsys.readouterr().out)
        assert texts(direct, "notifications", "ok")
        assert main(["--db", pooled, "doctor", "--offline", "--json"]) == 1
        [dropped] = texts(json.loads(capsys.readouterr().out), "notifications", "problem")
        assert "a connection pooler in transaction mode drops them" in dropped
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
            assert proc.poll() is not None
        shutil.rmtree(pooler, ignore_errors=True)


def test_doctor_names_a_config_others_can_change_and_the_fix(tmp_path):
    config = write(tmp_path / "c.yaml", "timezone: UTC\n")
    os.chmod(config, 0o666)
    code, report = doctor("--config", str(config), "--db", str(tmp_path / "w.db"))
    assert code == 1
    [problem] = [f for f in report["findings"] if f["check"] == "config" and f["level"] == "problem"]
    assert problem["text"].startswith(
        f"The config {config} can be changed by every user on this host: whoever can "
        "change it changes the room for everyone, and it may not hold token_command"
    )
    assert problem["fix"] == f"sudo chown root: {config} && sudo chmod 644 {config}"
    os.chmod(config, 0o644)
    code, report = doctor("--config", str(config), "--db", str(tmp_path / "w.db"))
    assert not [f for f in report["findings"] if f["check"] == "config" and f["level"] == "problem"]
    if AS_ROOT:
        os.chown(config, 65534, 65534)
        code, report = doctor("--config", str(config), "--db", str(tmp_path / "w.db"))
        assert [f["text"] for f in report["findings"] if f["check"] == "config" and "is owned by " in f["text"]]
