"""Commands with a 10,000-service catalog, against `yaml.load(..., CSafeLoader)` of the same file
(the C parser with no line marks, no checks and no model: the floor) in the same run.

The first command after the file changes pays for libyaml plus checking; every later one reads
the cached result (keyed on the file's identity, see mopstui/config/cache.py).
Usage: python bench/bench_catalog.py [SERVICES]
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

MOPSTUI = str(Path(sys.executable).parent / "mopstui")


def catalog(services: int) -> str:
    """A catalog shaped like a big organisation's: shared infrastructure most services depend on,
    teams, vendors with components, a few cycles."""
    rng = random.Random(7)
    lines = ["vendors:"]
    for v in range(40):
        lines.append(f'  - {{id: v{v}, name: Vendor {v}, kind: statuspage, url: "https://status.v{v}.example.com"}}')
    lines.append("services:")
    infra = 50
    for i in range(services):
        deps = sorted({f"svc-{rng.randrange(infra)}" for _ in range(rng.randrange(3))} - {f"svc-{i}"})
        if i >= infra and rng.random() < 0.3:
            deps.append(f"svc-{rng.randrange(infra, services)}")
        lines += [
            f"  - id: svc-{i}",
            f"    name: Service {i}",
            f"    owner: team-{i % 120}",
            f"    tier: {1 + i % 4}",
            f"    touchpoint: touchpoint-{i % 9}",
            f"    vendor: v{i % 40}",
            "    components: [API]",
            f"    depends_on: [{', '.join(deps)}]",
            f"    runbook: https://wiki.example.com/runbooks/{i}",
        ]
    return "\n".join(lines) + "\n"


def timed(argv: list[str], env: dict, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{argv} failed: {result.stderr[-500:]}")
    return statistics.median(times)


def main() -> None:
    services = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        path.write_text(catalog(services))
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        started = time.perf_counter()
        yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        floor = time.perf_counter() - started
        print(f"{services} services, {path.stat().st_size / 1e6:.1f} MB; yaml.CSafeLoader alone: {floor:.2f} s")
        base = [MOPSTUI, "--config", str(path), "--db", str(Path(tmp) / "w.db"), "--user", "bench"]
        cold = timed([*base, "check-config"], env, runs=1)
        print(f"check-config, first after a change: {cold:.2f} s ({cold / floor:.1f}x the floor)")
        subprocess.run([*base, "declare", "Load test", "-s", "SEV3"], env=env, check=True, capture_output=True)
        for name, args in (
            ("check-config", ["check-config"]),
            ("catalog", ["catalog"]),
            ("incidents", ["incidents"]),
            ("log", ["log", "1", "a note"]),
            ("declare", ["declare", "Another", "-s", "SEV4"]),
            ("export", ["export", "1"]),
        ):
            figure = timed([*base, *args], env)
            print(
                f"{name:<13} {figure:.2f} s ({figure / floor:.2f}x the floor, {'within' if figure < 1 else 'OVER'} the 1 s goal)"
            )


if __name__ == "__main__":
    main()
