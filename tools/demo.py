"""`make demo`: start everything, play the scenario through the APIs, show what happened, stop.

It uses its own directory (var/demo, wiped first) and ports, so it does not
disturb a stack started with `make up`.
"""

from __future__ import annotations

import shutil
import time

from rich.console import Console
from rich.table import Table

from tools.scenario import SATURDAY, Outcome, play
from tools.stack import ROOT, Stack, StackConfig, StackError

console = Console()

CONFIG = StackConfig(var=ROOT / "var" / "demo", kafka_port=19192, smtp_port=1125, http_base=8100)


def show(outcome: Outcome, config: StackConfig) -> None:
    """Print the decisions, the cases and the emails received."""
    names = {p["partner_id"]: p["name"] for p in outcome.partners}
    delegate = outcome.table["delegations"][-1]["partner_id"] if outcome.table else None
    if delegate:
        console.print(
            f"[bold]{outcome.table['name']}[/bold] delegates [bold]{names.get(delegate, delegate)}[/bold] "
            "to propose region 05's activities in Montréal."
        )
    calendar = Table(
        title=f"Calendar decisions — everyone asked for Saturday {SATURDAY} (at most "
        f"{config.max_activities_per_day} per day)"
    )
    for column in ("activity", "organizer", "decision", "day / alternatives"):
        calendar.add_column(column)
    for d in outcome.decisions:
        if d["status"] == "scheduled":
            where = d["day"] + (" (joint)" if d["joint_with"] else "")
        else:
            where = "try " + ", ".join(d["alternatives"])
        style = "green" if d["status"] == "scheduled" else "yellow"
        calendar.add_row(d["title"], names[d["organizer_id"]], f"[{style}]{d['status']}[/{style}]", where)
    console.print(calendar)

    cases = Table(title="Cases opened by the Montréal hub (pseudonymous ids only)")
    for column in ("case", "person", "language", "preferred regions", "entitled to", "to check"):
        cases.add_column(column)
    for c in outcome.cases:
        regions = ", ".join(c["preferred_regions"]) or "open to any"
        entitled = [e["measure_code"] for e in c["entitlements"] if e["status"] == "entitled"]
        possible = [e["measure_code"] for e in c["entitlements"] if e["status"] == "possible"]
        cases.add_row(
            c["case_id"][:8],
            c["person_id"][:8],
            c["language"],
            regions,
            "\n".join(entitled),
            str(len(possible)),
        )
    console.print(cases)

    emails = Table(title=f"Emails received by the SMTP server ({config.mail_dir})")
    for column in ("to", "language", "subject"):
        emails.add_column(column)
    for m in sorted(outcome.emails, key=lambda m: (m["Content-Language"], m["Subject"])):
        emails.add_row(m["To"], m["Content-Language"], m["Subject"])
    console.print(emails)
    scheduled = sum(d["status"] == "scheduled" for d in outcome.decisions)
    console.print(
        f"[bold]{scheduled} activities scheduled, {len(outcome.decisions) - scheduled} turned down with "
        f"alternatives, {len(outcome.cases)} cases opened, {len(outcome.emails)} emails delivered "
        f"in {outcome.seconds:.1f}s.[/bold] Logs: {config.var / 'log'}"
    )


def main() -> None:
    shutil.rmtree(CONFIG.var, ignore_errors=True)
    stack = Stack(CONFIG)
    started = time.monotonic()
    try:
        with console.status("starting Kafka, the SMTP server and the six Concerto processes…"):
            stack.up()
        console.print(f"[dim]stack ready in {time.monotonic() - started:.0f}s[/dim]")
        with console.status("playing the scenario…") as status:
            outcome = play(CONFIG, on_step=lambda step: status.update(step + "…"))
        show(outcome, CONFIG)
    except (StackError, TimeoutError) as exc:
        console.print(f"[red]demo failed: {exc}[/red] — see the logs in {CONFIG.var / 'log'}")
        raise SystemExit(1) from exc
    finally:
        with console.status("stopping everything…"):
            stack.down()


if __name__ == "__main__":
    main()
