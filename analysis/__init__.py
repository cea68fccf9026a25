"""Offline analysis of Concerto: what the coordination is worth, measured on synthetic seasons.

The season planner (``planner``, its CP-SAT model ``planner_model``), first come first served and
greedy filling (``greedy``), the uncoordinated baseline of recruiting (``baseline``), the planner's
report (``season_report``) and the generators of synthetic seasons (``season``). The demo's report,
the benchmarks and the comparisons in tools/ and bench/ use it; no service process runs it, and no
service imports it.
"""
