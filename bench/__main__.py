"""``make bench``: every benchmark case on a broker and processes of its own (var/bench, ports
of its own), results in bench/results/latest.json and latest.md.

    python -m bench                       # every case, 3 runs each
    python -m bench --runs 5 --skip calendar,planning,memory,intake
    python -m bench --ports 45200 --skip calendar,throughput,latency,memory,planning   # intake only

On a shared machine give each session its own ``--ports``: Kafka on BASE+92 (and its
controller on BASE+93), the SMTP sink on BASE+25, the APIs on BASE+1..3.
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

PORTS = 19200  # Kafka 19292, SMTP 1225 and APIs 8201–8203 by default, as before --ports existed


def config(ports: int | None) -> StackConfig:
    """The benchmark's stack: its default ports, or those from ``ports`` (see the module's docstring)."""
    var = ROOT / "var" / "bench"
    if ports is None:
        return StackConfig(var=var, kafka_port=PORTS + 92, smtp_port=1225, http_base=8200)
    return StackConfig(var=var, kafka_port=ports + 92, smtp_port=ports + 25, http_base=ports)


PARTS = ("calendar", "throughput", "latency", "memory", "intake", "planning")
console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each case (after a warm-up)")
    parser.add_argument("--ports", type=int, default=None, help="base of the ports to use (see above)")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to skip, of {', '.join(PARTS)}")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    results: dict[str, Any] = {"machine": machine(), "runs": args.runs, "cases": {}}
    stack_config = config(args.ports)
    shutil.rmtree(stack_config.var, ignore_errors=True)
    stack = Stack(stack_config)
    try:
        console.print("starting Kafka…")
        stack.broker("start")
        if "calendar" not in skip:
            console.print("calendar: decision latency")
            results["cases"] |= calendar_cases(stack, stack_config.bootstrap, args.runs)
        if not {"throughput", "latency", "memory", "intake"} <= skip:
            matching = matching_cases(stack, stack_config.bootstrap, args.runs, skip)
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
