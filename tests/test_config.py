import os
from datetime import timedelta

import pytest

from mopstui import config as cfg
from mopstui.config import ConfigError, load

from .conftest import ROOT, run_cli, write

BASE = """\
timezone: Europe/Berlin
thresholds:
  abandon: 1m
  resolve: 30m
vendors:
  - id: hubspot
    name: HubSpot
    kind: statuspage
    url: https://status.hubspot.com
    components: [Forms]
services:
  - id: lead-form
    name: Lead form
    owner: web
    tier: 1
    touchpoint: lead capture
    vendor: hubspot
"""


def errors_of(*paths) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(paths)
    return info.value.errors


def test_example_config_loads_with_a_realistic_stack():
    config = load([ROOT / "config.example.yaml"])
    names = {v.name for v in config.vendors}
    assert {
        "HubSpot",
        "Segment",
        "Intercom",
        "Twilio",
        "SendGrid",
        "Cloudflare",
        "Shopify",
        "Zapier",
        "Stripe",
        "Google Ads",
        "Salesforce",
    } <= names
    assert all(v.url.startswith("https://") for v in config.vendors)
    assert config.thresholds_for("SEV1")[1].name == "escalate"
    assert config.update_every_for("SEV1") == timedelta(minutes=10)
    assert config.update_every_for("SEV3") == timedelta(minutes=15)
    assert [t.after for t in config.thresholds_for("SEV2")] == [timedelta(minutes=1), timedelta(minutes=30)]


def test_defaults_without_any_file():
    config = load([])
    assert [(t.name, t.after) for t in config.thresholds] == [
        ("abandon", timedelta(minutes=1)),
        ("resolve", timedelta(minutes=30)),
    ]
    assert set(config.severities) == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert config.database == cfg.default_database_path()


def test_layering_overrides_key_by_key_and_merges_lists_by_id(tmp_path):
    base = write(tmp_path / "central.yaml", BASE)
    team = write(
        tmp_path / "team.yaml",
        """\
thresholds:
  resolve: 20m
polling:
  interval: 30s
vendors:
  - id: hubspot
    components: [Forms, Landing Pages]
  - id: intercom
    kind: statuspage
    url: https://www.intercomstatus.com
services:
  - id: chat
    name: Chat widget
    vendor: intercom
""",
    )
    config = load([base, team])
    assert config.timezone == "Europe/Berlin"  # untouched by the later file
    assert {t.name: t.after for t in config.thresholds} == {"abandon": timedelta(minutes=1), "resolve": timedelta(minutes=20)}
    assert config.polling.interval == timedelta(seconds=30)
    hubspot = config.vendor("hubspot")
    assert hubspot.name == "HubSpot" and hubspot.url == "https://status.hubspot.com"  # kept from the base
    assert [c.name for c in hubspot.components] == ["Forms", "Landing Pages"]  # overridden by the team
    assert [s.id for s in config.services] == ["lead-form", "chat"]
    assert config.sources == (str(base), str(team))


def test_environment_variable_and_default_locations(tmp_path, monkeypatch):
    user_file = write(tmp_path / "xdg-config" / "mopstui" / "config.yaml", "timezone: Asia/Tokyo\n")
    assert cfg.config_files() == [user_file]
    env_file = write(tmp_path / "env.yaml", "timezone: America/New_York\n")
    monkeypatch.setenv("MOPSTUI_CONFIG", str(env_file))
    assert cfg.load_default().timezone == "America/New_York"
    assert cfg.load_default([str(user_file)]).timezone == "Asia/Tokyo"


def test_relative_database_is_relative_to_its_file(tmp_path):
    path = write(tmp_path / "etc" / "c.yaml", "database: data/war.db\n")
    assert load([path]).database == (tmp_path / "etc" / "data" / "war.db").resolve()


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("timezon: UTC\n", 1, "unknown key 'timezon' in the config; did you mean 'timezone'?"),
        ("thresholds:\n  abandon: soon\n", 2, "threshold 'abandon': 'soon' is not a duration"),
        ("comms:\n  update_every: -5m\n", 2, "update_every"),
        ("polling:\n  concurrency: lots\n", 2, "concurrency must be a whole number"),
        ("timezone: Mars/Olympus\n", 1, "unknown time zone 'Mars/Olympus'"),
        ("vendors: hubspot\n", 1, "vendors must be a list"),
        ("vendors:\n  - id: x\n    kind: statuspag\n    url: https://x.test\n", 3, "did you mean 'statuspage'?"),
        ("vendors:\n  - id: x\n    kind: statuspage\n    url: ftp://x\n", 4, "url must be an http(s) URL"),
        ("services:\n  - id: a\n    vendor: hubspto\n", 3, "service a names unknown vendor 'hubspto'"),
        ("services:\n  - id: a\n    tier: high\n", 3, "tier must be a whole number"),
        ("services:\n  - id: a\n  - id: a\n", 3, "duplicate service id 'a' (first at line 2)"),
        ("services:\n  - id: a\n    depends_on: [nope]\n", 3, "depends on unknown service 'nope'"),
        ("services:\n  - id: a\n    owenr: me\n", 3, "did you mean 'owner'?"),
        ("severities:\n  SEV9: bad\n", 2, "unknown severity 'SEV9'"),
        ("timezone: UTC\ntimezone: UTC\n", 2, "duplicate key 'timezone'"),
        ("vendors: [\n", 2, "not valid YAML"),
        ("- just\n- a list\n", 1, "the top level must be a mapping"),
    ],
)
def test_each_error_class_names_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path / "bad.yaml", text)
    problems = errors_of(path)
    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path / "bad.yaml", "timezon: UTC\nservices:\n  - id: a\n    vendor: nope\n    tier: 9\n")
    assert len(errors_of(path)) == 3


def test_an_error_in_the_second_layer_names_the_second_file(tmp_path):
    base = write(tmp_path / "base.yaml", BASE)
    team = write(tmp_path / "team.yaml", "services:\n  - id: lead-form\n    tier: zero\n")
    (problem,) = errors_of(base, team)
    assert problem.startswith(f"{team}:3: ")


def test_missing_file(tmp_path):
    """No `FILE:0:` for a file that is not there: line 0 means nothing to a reader."""
    (problem,) = errors_of(tmp_path / "nope.yaml")
    assert problem == f"{tmp_path / 'nope.yaml'}: no such file"


def test_check_config_command_exits_2_without_a_traceback(tmp_path):
    path = write(tmp_path / "bad.yaml", "services:\n  - id: a\n    vendor: nope\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2
    assert result.stderr.strip() == f"{path}:3: service a names unknown vendor 'nope' (add it under vendors:)"
    assert "Traceback" not in result.stderr


def test_any_command_with_a_bad_config_exits_2(tmp_path):
    path = write(tmp_path / "bad.yaml", "timezon: UTC\n")
    result = run_cli("--config", str(path), "--db", str(tmp_path / "x.db"), "incidents")
    assert result.returncode == 2 and f"{path}:1:" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_check_config_ok(tmp_path):
    path = write(tmp_path / "good.yaml", BASE)
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 0, result.stderr
    assert "1 vendors, 1 services, time zone Europe/Berlin" in result.stdout


def test_a_dependency_cycle_loads_with_one_warning_per_cycle(tmp_path):
    from mopstui.domain import catalog as cat

    path = write(
        tmp_path / "c.yaml",
        "services:\n  - id: a\n    depends_on: [b]\n  - id: b\n    depends_on: [c]\n"
        "  - id: c\n    depends_on: [a]\n  - id: d\n    depends_on: [a]\n",
    )
    config = load([path])
    assert config.warnings == (f"{path}:3: warning: depends_on cycle: a -> b -> c -> a",)
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 0 and result.stderr.count("depends_on cycle") == 1
    assert cat.dependents(config, "a") == ["b", "c", "d"]  # each once, and it terminates
    assert cat.impact(config, "x") == {"vendor": "x", "component": None, "direct": [], "at_risk": [], "touchpoints": []}
    assert set(cat.service_health(config, {})) == {"a", "b", "c", "d"}


def test_a_big_config_is_cached_by_file_identity_and_never_served_stale(tmp_path, monkeypatch):
    import os

    from mopstui.config import cache

    monkeypatch.setattr(cache, "MIN_BYTES", 0)  # cache even this small file
    path = write(tmp_path / "c.yaml", "timezone: UTC\nservices:\n  - {id: a, name: A}\n")
    first = load([path])
    entries = list((tmp_path / "xdg-cache" / "mopstui").glob("config-*.pickle"))
    assert len(entries) == 1 and (entries[0].stat().st_mode & 0o077) == 0
    assert load([path]) == first  # from the cache
    path.write_text("timezone: UTC\nservices:\n  - {id: b, name: B}\n")
    assert [s.id for s in load([path]).services] == ["b"]  # the file changed: loaded again
    for entry in (tmp_path / "xdg-cache" / "mopstui").glob("config-*.pickle"):
        os.chmod(entry, 0o664)  # someone else could have written it: never read
    assert [s.id for s in load([path]).services] == ["b"]
    bad = write(tmp_path / "bad.yaml", "services:\n  - {id: a, vendor: nope}\n")
    with pytest.raises(ConfigError):
        load([bad])  # errors are never cached away
    with pytest.raises(ConfigError):
        load([bad])


def test_the_fast_loader_and_the_careful_one_agree(tmp_path):
    from mopstui.config.yaml_lines import plainly_shallow

    text = (ROOT / "mopstui" / "data" / "example.yaml").read_text()
    assert plainly_shallow(text)
    assert not plainly_shallow("a: " + "[" * 65 + "]" * 65) and not plainly_shallow("- " * 70 + "x")
    deep = write(tmp_path / "deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = run_cli("--config", str(deep), "check-config")  # libyaml would crash on this; it never sees it
    assert result.returncode == 2 and "nested more than 64 levels deep" in result.stderr


@pytest.mark.parametrize(
    "value, said",
    [
        ("2026-02-30", "not a real date"),
        ("!!timestamp 2026-13-45", "not a real date"),
        ("!!timestamp x", "not a real date"),
        ("!!int 0xZZ", "not a whole number"),
        ("!!float abc", "not a number"),
        ("!!bool maybe", "not true or false"),
    ],
)
def test_a_value_yaml_reads_as_a_date_or_number_but_is_not_one_is_file_and_line(tmp_path, value, said):
    """`away_after: 2026-02-30` was "internal error (ValueError …) This is a bug", exit 1."""
    path = write(tmp_path / "c.yaml", f"timezone: UTC\nui:\n  away_after: {value}\n")
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2 and result.stderr.startswith(f"{path}:3: ") and said in result.stderr, result.stderr
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------- files others can change

SECRETS = """timezone: UTC
services: [{id: ads, touchpoint: ads}]
signals:
  - id: spend
    kind: metric
    touchpoint: ads
    url: https://ads.example.com/report
    token_command: printf t
    headers: {Authorization: "Bearer {token}", X-Api-Key: "${API_KEY}"}
    path: v
"""
AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="needs root to chown a config to another uid")
if os.environ.get("CI") == "true":
    needs_root = pytest.mark.skipif(False, reason="")  # CI runs as root: never skipped there


def _refusals(path) -> list[str]:
    fix = f"fix: sudo chown root: {path} && sudo chmod 644 {path}"
    return [line for line in _errors(path) if line.endswith(fix)]


def _errors(path) -> list[str]:
    result = run_cli("--config", str(path), "check-config")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_a_config_every_user_can_change_carries_no_command_and_no_environment_secret(tmp_path):
    """A group- or world-writable config: whoever can edit it would run commands (token_command) as
    the member whose session holds the room's duties, or send that member's variables anywhere."""
    path = write(tmp_path / "c.yaml", SECRETS)
    os.chmod(path, 0o666)
    errors = _refusals(path)
    assert errors[0].startswith(
        f"{path}:8: signal spend: token_command is refused here: this file can be changed by "
        "every user on this host, and whoever can change it could run commands"
    )
    assert errors[1].startswith(f"{path}:9: header 'X-Api-Key' (${{VAR}}) is refused here")
    assert len(errors) == 2
    os.chmod(path, 0o664)
    assert "can be changed by its whole group" in _refusals(path)[0]
    os.chmod(path, 0o644)
    assert load([path]).signals[0].token_command == "printf t"
    os.chmod(path, 0o666)  # without secrets, the same file loads
    write(
        path,
        SECRETS.replace("    token_command: printf t\n", "").replace(
            '{Authorization: "Bearer {token}", X-Api-Key: "${API_KEY}"}', "{Accept: application/json}"
        ),
    )
    assert load([path]).signals[0].headers == (("Accept", "application/json"),)


@needs_root
def test_a_config_owned_by_another_account_carries_no_command(tmp_path):
    path = write(tmp_path / "c.yaml", SECRETS)
    os.chmod(path, 0o644)
    os.chown(path, 65534, 65534)
    errors = _refusals(path)
    assert len(errors) == 2 and "this file is owned by " in errors[0] and ", so they can change it" in errors[0]
    os.chown(path, 0, 0)
    assert load([path]).signals[0].token_command == "printf t"
