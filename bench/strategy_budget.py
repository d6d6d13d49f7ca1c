"""Overhead of the live strategy time budget per call (moonai_tui.strategy.budget).

Run by hand: ``.venv/bin/python bench/strategy_budget.py``. Prints the cost of an
empty call with and without the budget (two setitimer and two signal.signal calls).
"""

from __future__ import annotations

import time

from moonai_tui.strategy.budget import time_budget

CALLS = 200_000


def per_call(seconds: float) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        with time_budget(seconds, "strategy bench"):
            pass
    return (time.perf_counter() - started) / CALLS


def main() -> None:
    per_call(2.0)  # warm up
    off = min(per_call(0.0) for _ in range(3))
    on = min(per_call(2.0) for _ in range(3))
    print(f"no budget:   {off * 1e6:.2f} us/call")
    print(f"with budget: {on * 1e6:.2f} us/call (overhead {(on - off) * 1e6:.2f} us/call)")


if __name__ == "__main__":
    main()
