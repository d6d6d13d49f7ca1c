"""How fast `moonai-tui --help` answers, against a bare Python start as the peer.

Run by hand: `.venv/bin/python bench/cli_startup.py [--runs 20]`. Target: well under 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def _median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    entry = shutil.which("moonai-tui") or f"{sys.prefix}/bin/moonai-tui"
    bare = _median_seconds([sys.executable, "-c", "pass"], args.runs)
    help_time = _median_seconds([entry, "--help"], args.runs)
    print(f"{'command':<28}{'median s':>10}{'ratio':>8}")
    print(f"{'python -c pass (peer)':<28}{bare:>10.3f}{1.0:>8.2f}")
    print(f"{'moonai-tui --help':<28}{help_time:>10.3f}{help_time / bare:>8.2f}")
    print(f"target < 1.000 s: {'met' if help_time < 1.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
