"""Property-based: the real entry point, `main([...])`, fed generated arguments and configs, never
ends in a traceback or an internal error: every outcome is a result or one sentence, exit 0/1/2."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mopstui.cli import main
from mopstui.store import Store

# Text as a terminal can hand it over: any code point, lone surrogates included (undecodable
# bytes in argv arrive as surrogate escapes).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)
WORDS = st.sampled_from(
    [
        "1",
        "2",
        "INC-1",
        "inc1",
        "0",
        "-1",
        "99999999999999999999999",
        "#1",
        "²",
        "--at",
        "09:00",
        "23:59",
        "2026-01-01T00:00",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "--json",
        "--all",
        "-s",
        "SEV1",
        "sev9",
        "--kind",
        "note",
        "comms",
        "--severity",
        "identified",
        "resolved",
        "commander",
        "--release",
        "--since-head",
        "0" * 64,
        "-f",
        "csv",
        "json",
        "md",
        "--tz",
        "Europe/London",
        "Mars/Base",
        "--starred-only",
        "--service",
        "--fail-on",
        "\x1b[2J",
        "[bold]x[/]",
        "<!channel>",
        "",
    ]
)
HEADLESS = [
    "declare",
    "log",
    "set-status",
    "resolve",
    "set-severity",
    "role",
    "star",
    "correct",
    "incidents",
    "timeline",
    "catalog",
    "check-config",
    "verify",
    "export",
    "override",
    "overrides",
    "edit",
    "followup",
    "followups",
    "draft",
]


@pytest.fixture(scope="module")
def war_room():
    directory = Path(tempfile.mkdtemp(prefix="mopstui-prop-"))
    db = directory / "warroom.db"
    with Store(db) as store:
        store.declare("Lead form down", severity="SEV2", author="alice")
        store.append(1, "note", "first note", author="alice")
    yield directory, db
    shutil.rmtree(directory, ignore_errors=True)


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """`main` with the standard streams a real process has: stdout strict UTF-8, stderr with
    backslash escapes (Python's defaults), so that an unprintable string fails here as it would."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out_bytes.getvalue().decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace")


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(HEADLESS), args=st.lists(st.one_of(WORDS, ANY_TEXT), max_size=6))
def test_generated_arguments_never_give_a_traceback(war_room, command, args):
    _, db = war_room
    code, _, err = run_main(["--db", str(db), "--user", "prop", command, *args])
    assert_clean(code, err)


YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    ANY_TEXT,
    st.sampled_from(["1m", "30s", "0", "-5m", "99999999999h", "https://x", "statuspage", "SEV1"]),
)
KEYS = st.sampled_from(
    [
        "database",
        "timezone",
        "thresholds",
        "comms",
        "update_every",
        "severities",
        "polling",
        "interval",
        "timeout",
        "vendors",
        "services",
        "id",
        "name",
        "kind",
        "url",
        "components",
        "depends_on",
        "probe",
        "notify",
        "webhooks",
        "ui",
        "bell",
        "anchor",
        "file",
        "every",
        "tier",
        "touchpoint",
        "vendor",
        "<<",
    ]
)
TREES = st.recursive(
    YAML_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20
)


def to_yaml(value, indent: int = 0) -> str:
    """Flow-style YAML by hand (not yaml.dump, which would never write something malformed)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(KEYS, TREES, max_size=6), raw=st.one_of(st.none(), ANY_TEXT))
def test_generated_configs_never_give_a_traceback(war_room, tree, raw):
    directory, db = war_room
    path = directory / "generated.yaml"
    text = raw if raw is not None else "\n".join(f"{k}: {to_yaml(v)}" for k, v in tree.items())
    path.write_bytes(text.encode("utf-8", "surrogatepass"))  # lone surrogates: bytes that are not UTF-8
    for command in (["check-config"], ["incidents"], ["catalog"]):
        code, _, err = run_main(["--config", str(path), "--db", str(db), "--user", "prop", *command])
        assert_clean(code, err)
        if code == 2:
            assert err.startswith(f"{path}:"), err
