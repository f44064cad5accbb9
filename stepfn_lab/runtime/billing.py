"""What an execution costs on AWS, from AWS's published prices (kept as data).

Spec: AWS Step Functions pricing page. Standard: $0.025 per 1,000 state
transitions in us-east-1, retries included, 4,000 transitions free per month.
Express: $1.00 per million requests plus $0.00001667 per GB-second (first tier),
duration billed in 100 ms steps and memory in 64 MB steps.
Taught in: notebooks/13-standard-vs-express.ipynb.

Design note: AWS bills Express memory by what the workflow's state data
occupies; locally that is estimated from the largest state payload of the run,
rounded up to 64 MB (so almost every teaching run bills the 64 MB minimum).
Prices change: ``PRICES`` is the one table to update, with its date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..language import is_portuguese, money, number, text

PRICES_AS_OF = "2025-01"

# Per region: Standard price per state transition; Express price per request and per GB-second (first tier).
PRICES: dict[str, dict[str, float]] = {
    "us-east-1": {"standard_per_transition": 0.025 / 1000, "express_per_request": 1.00 / 1_000_000,
                  "express_per_gb_second": 0.00001667},
    "sa-east-1": {"standard_per_transition": 0.0375 / 1000, "express_per_request": 1.00 / 1_000_000,
                  "express_per_gb_second": 0.00001667},
}
STANDARD_FREE_TRANSITIONS_PER_MONTH = 4000
EXPRESS_DURATION_STEP = 0.1  # seconds
EXPRESS_MEMORY_STEP_MB = 64
_ITEM_KEYS = {"state transitions": "cost_transitions", "request": "cost_request", "duration": "cost_duration"}


def _month(year_month: str) -> str:
    """``"2025-01"`` as the kit's language writes a month: ``2025-01`` (en) or ``01/2025`` (pt-BR)."""
    year, month = year_month.split("-")
    return f"{month}/{year}" if is_portuguese() else year_month


def _quantity(quantity: str) -> str:
    """``"0.1 s x 64 MB"`` with the kit's decimal separator."""
    return " ".join(number(float(w)) if w.replace(".", "", 1).isdigit() else w for w in quantity.split(" "))


@dataclass
class Cost:
    """The bill of one execution, and a monthly projection."""

    workflow_type: str
    region: str
    total_usd: float
    lines: list[tuple[str, str, float]] = field(default_factory=list)  # (item, quantity, usd)
    notes: list[str] = field(default_factory=list)
    per_execution: dict = field(default_factory=dict)

    def per_month(self, executions: int) -> float:
        """Projected monthly bill for this many executions like this one (free tier applied)."""
        p = self.per_execution
        if self.workflow_type == "STANDARD":
            transitions = max(0, p["transitions"] * executions - STANDARD_FREE_TRANSITIONS_PER_MONTH)
            return transitions * p["price_per_transition"]
        return executions * (p["request_usd"] + p["duration_usd"])

    def __str__(self) -> str:
        """The bill as a table, in the language of ``stepfn_lab.set_language`` (US dollars, local digits)."""
        rows = [text("cost_title", kind=self.workflow_type, region=self.region, as_of=_month(PRICES_AS_OF))]
        for item, quantity, usd in self.lines:
            rows.append(f"  {text(_ITEM_KEYS.get(item, item)):<28} {_quantity(quantity):>22}  {money(usd, 10)}")
        rows.append(f"  {text('cost_total'):<28} {'':>22}  {money(self.total_usd, 10)}")
        rows.extend(f"  {text('cost_note')}: {note}" for note in self._local_notes())
        return "\n".join(rows)

    def month(self, executions: int) -> str:
        """One line: the projected monthly bill for this many executions like this one (free tier applied)."""
        return text("cost_month", executions=number(executions), usd=money(self.per_month(executions)))

    def _local_notes(self) -> list[str]:
        notes = [] if self.region in PRICES else [text("cost_no_prices", region=self.region)]
        if self.workflow_type == "STANDARD":
            notes.append(text("cost_free", free=number(STANDARD_FREE_TRANSITIONS_PER_MONTH)))
        return notes

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _prices(region: str) -> tuple[dict[str, float], list[str]]:
    if region in PRICES:
        return PRICES[region], []
    return PRICES["us-east-1"], [f"no prices for {region} in the table; us-east-1 prices used"]


def execution_cost(execution) -> Cost:
    region = execution.machine.region
    prices, notes = _prices(region)
    if execution.workflow_type == "STANDARD":
        transitions = execution.billed_transitions
        usd = transitions * prices["standard_per_transition"]
        cost = Cost("STANDARD", region, usd, [("state transitions", f"{transitions}", usd)], notes)
        cost.notes.append(f"the first {STANDARD_FREE_TRANSITIONS_PER_MONTH:,} transitions of each month are free")
        cost.per_execution = {"transitions": transitions, "price_per_transition": prices["standard_per_transition"]}
        return cost
    seconds = max(EXPRESS_DURATION_STEP, math.ceil(round(execution.duration / EXPRESS_DURATION_STEP, 9))
                  * EXPRESS_DURATION_STEP)
    peak_mb = execution.peak_payload_bytes / 1e6
    memory_mb = max(1, math.ceil(peak_mb / EXPRESS_MEMORY_STEP_MB)) * EXPRESS_MEMORY_STEP_MB
    gb_seconds = seconds * memory_mb / 1024
    request = prices["express_per_request"]
    duration = gb_seconds * prices["express_per_gb_second"]
    cost = Cost("EXPRESS", region, request + duration, [
        ("request", "1", request),
        ("duration", f"{seconds:.1f} s x {memory_mb} MB", duration),
    ], notes)
    cost.per_execution = {"request_usd": request, "duration_usd": duration, "billed_seconds": seconds,
                          "billed_mb": memory_mb}
    return cost
