"""What every peer script prints: the time of its replications as one JSON line.

Run by ``benchmarks/run_all.py`` in the benchmark venv as ``python PEER_case.py N SEED``; the
script's folder is on ``sys.path`` there, so the peers import this module by name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from typing import Any

import numpy as np


def time_and_report(
    replication: Callable[[Any], float], inputs: Sequence[Any], package: str
) -> None:
    """Run ``replication`` on every input (one replication each, returning its fill rate),
    timed by the wall clock and by the CPU, and print the JSON line ``run_all.py`` reads:
    seconds, CPU seconds, mean fill rate and the peer package's version."""
    started, cpu = time.perf_counter(), time.process_time()
    fills = [replication(each) for each in inputs]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "fill_rate": float(np.mean(fills)),
                "version": version(package),
            }
        )
    )
