"""Golden outputs of the commands whose results are not a per-replication record.

``tests/golden/<scenario>.json`` pins what :func:`jitsim.simulate` returns. The experiments add
statistics on top (paired differences, sweep tables, stress tables, break-even searches) and
``jitsim trace`` prints the event log; their outputs were recorded from the code before the
reorganisation of #10 (commit 818902d) with::

    python tests/golden/commands.py [CHECKOUT]   # CHECKOUT: a clean checkout to run (default .)

and ``tests/test_golden.py`` runs the same commands in-process and compares: tables to 1e-12
relative, trace texts exactly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "commands"

#: Name → (arguments of ``jitsim``, files kept: printed text for traces, tables otherwise).
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "trace_daily_convention": (["trace", "scenarios/daily_convention.yaml"], ["stdout"]),
    "trace_failover": (
        [
            "trace", "scenarios/jit_single_source_failure.yaml", "-a", "jit_with_backup",
            "--days", "40", "--seed", "3",
        ],
        ["stdout"],
    ),
    "compare": (
        ["compare", "scenarios/quickstart.yaml", "-n", "4", "--seed", "7"],
        ["comparison.csv"],
    ),
    "sweep": (
        [
            "sweep", "scenarios/quickstart.yaml", "--set", "suppliers.acme.order_cost=5,20",
            "-n", "3", "--seed", "7",
        ],
        ["sweep_summary.csv"],
    ),
    "stress": (
        ["stress", "scenarios/jit_single_source_failure.yaml", "-n", "3", "--seed", "7"],
        ["stress.csv", "tts.csv", "mitigations.csv"],
    ),
    "breakeven": (
        [
            "breakeven", "scenarios/forecast_accuracy.yaml",
            "--param", "items.seat.holding_rate.storage", "--range", "0.05:0.5",
            "--between", "jit_error_10,buffered", "-n", "10", "--seed", "7",
            "--max-iterations", "4",
        ],
        ["breakeven_points.csv"],
    ),
}  # fmt: skip

#: Options every batch command gets: serial (so the order of work is fixed), quiet.
BATCH_OPTIONS = ["--backend", "serial", "-q"]


def arguments(name: str, out: Path) -> list[str]:
    """The full ``jitsim`` arguments of command ``name``, writing into ``out``."""
    args, _files = COMMANDS[name]
    return args if args[0] == "trace" else [*args, *BATCH_OPTIONS, "-o", str(out)]


def record(checkout: Path) -> None:
    """Run every command with the jitsim of ``checkout`` and keep its golden files."""
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    for name, (_args, files) in COMMANDS.items():
        out = GOLDEN / f"{name}.out"
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-m", "jitsim", *arguments(name, out)],
            cwd=checkout,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        for file in files:
            target = GOLDEN / f"{name}.{file}"
            if file == "stdout":
                target.with_suffix(".txt").write_text(done.stdout, encoding="utf-8")
            else:
                shutil.copy(out / file, GOLDEN / f"{name}.{file}")
        shutil.rmtree(out, ignore_errors=True)
        print(f"recorded {name}", file=sys.stderr)


if __name__ == "__main__":
    record(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path.cwd())
