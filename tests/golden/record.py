"""Record the golden per-replication results of every bundled scenario and alternative.

Run from the repository root, only when a result is meant to change (a deliberate, documented
bug fix with its own test)::

    python tests/golden/record.py

Each ``tests/golden/<scenario>.json`` holds, per alternative, the KPI record of replications
0, 1 and 2 (seed 7, every KPI column) and the end-of-day trajectories of replication 0.
``tests/test_golden.py`` compares today's results with them to 1e-12 relative.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jitsim

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SEED = 7
REPLICATIONS = 3


def golden_results(path: Path) -> dict[str, object]:
    """Every alternative's KPI records (and replication 0's trajectories) for one scenario."""
    scenario = jitsim.load_scenario(path)
    alternatives: dict[str, object] = {}
    for alternative in scenario.alternative_names():
        records = []
        trajectories: dict[str, list[list[float]]] = {}
        for replication in range(REPLICATIONS):
            result = jitsim.simulate(
                scenario, alternative, replication, SEED, trajectories=replication == 0
            )
            records.append(result.kpis)
            if replication == 0:
                trajectories = {
                    point: [list(row) for row in rows]
                    for point, rows in result.trajectories.items()
                }
        alternatives[alternative] = {"kpis": records, "trajectories": trajectories}
    return {"scenario": path.name, "seed": SEED, "alternatives": alternatives}


def main() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        target = GOLDEN / f"{path.stem}.json"
        target.write_text(json.dumps(golden_results(path), indent=1) + "\n")
        print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
