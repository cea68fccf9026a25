"""``make bench``: every benchmark case on a broker and processes of its own (var/bench, ports
of its own), results in bench/results/latest.json and latest.md.

    python -m bench                       # every case, 3 runs each
    python -m bench --runs 5 --skip calendar,planning,memory,intake
"""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from rich.console import Console

from tools.stack import ROOT, Stack, StackConfig

from .calendar_bench import calendar_cases, planning_cases
from .harness import load, machine
from .matching_cases import matching_cases
from .report import write

CONFIG = StackConfig(var=ROOT / "var" / "bench", kafka_port=19292, smtp_port=1225, http_base=8200)
PARTS = ("calendar", "throughput", "latency", "memory", "intake", "planning")
console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each case (after a warm-up)")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to skip, of {', '.join(PARTS)}")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    results: dict[str, Any] = {"machine": machine(), "runs": args.runs, "cases": {}}
    shutil.rmtree(CONFIG.var, ignore_errors=True)
    stack = Stack(CONFIG)
    try:
        console.print("starting Kafka…")
        stack.broker("start")
        if "calendar" not in skip:
            console.print("calendar: decision latency")
            results["cases"] |= calendar_cases(stack, CONFIG.bootstrap, args.runs)
        if not {"throughput", "latency", "memory", "intake"} <= skip:
            matching = matching_cases(stack, CONFIG.bootstrap, args.runs, skip)
            results["cases"] |= matching["cases"]
            if "memory" in matching:
                results["memory"] = matching["memory"]
    finally:
        stack.down()
    if "planning" not in skip:
        console.print("calendar: season planning")
        results["cases"] |= planning_cases(args.runs)
    results["load_at_end"] = load()
    write(results)


if __name__ == "__main__":
    main()
