"""What an execution reports, as AWS's APIs answer, Standard and Express alike or not.

Spec: the Step Functions API reference, DescribeExecution, GetExecutionHistory and
StartSyncExecution; AWS docs "Standard vs Express workflows" (Express keeps no history,
only CloudWatch Logs records) and the pricing page. Taught in:
notebooks/13-standard-vs-express.ipynb.

``Describe`` holds the ``Execution``'s methods for it (the engine's ``Execution`` inherits them).
"""

from __future__ import annotations

from ..errors import ExecutionError
from .frames import RUNNING, SUCCEEDED
from .machine import EXPRESS


class Describe:
    """The ``Execution``'s reports: cost, logs, history, DescribeExecution, a summary."""

    @property
    def billed_transitions(self) -> int:
        """State transitions as AWS bills them for Standard workflows (retries count)."""
        return self.transitions + self.retries

    @property
    def peak_payload_bytes(self) -> int:
        """The largest state input or output of the run (what Express memory billing follows)."""
        sizes = [self.meter.size(e.details[k]) for e in self.history for k in ("input", "output")
                 if k in e.details]
        return max(sizes, default=2)

    def cost(self):
        """What this execution would cost on AWS (``.total_usd``, ``.lines``, ``.per_month(n)``)."""
        from .billing import execution_cost
        return execution_cost(self)

    def logs(self, level: str = "ALL", include_execution_data: bool = True) -> list[dict]:
        """The CloudWatch Logs records AWS would write for an Express run at this log level."""
        from .logs import records
        return records(self, level, include_execution_data)

    def get_execution_history(self) -> dict:
        """GetExecutionHistory, as AWS answers it: Express executions have none.

        (stepfn_lab keeps the events of Express runs internally so that they can be
        drawn and stepped through; AWS would not.)
        """
        if self.workflow_type == EXPRESS:
            raise ExecutionError("InvalidArn: Express executions keep no execution history on AWS; "
                                 "read execution.logs() (CloudWatch Logs) instead")
        return self.history.to_aws()

    def describe(self) -> dict:
        """DescribeExecution's answer (for Express: StartSyncExecution's)."""
        out = {"executionArn": self.arn, "stateMachineArn": self.machine.arn, "name": self.name,
               "status": self.status, "startDate": self.clock.iso(0.0), "input": self.input,
               "redriveCount": self.redrive_count}
        if self.status != RUNNING:
            out["stopDate"] = self.clock.iso(self.duration)
        if self.status == SUCCEEDED:
            out["output"] = self.output
        for key, value in (("error", self.error), ("cause", self.cause)):
            if value is not None:
                out[key] = value
        return out

    def summary(self) -> str:
        """A few stable lines: status, output or error and cause, events, virtual duration.

        The labels follow ``stepfn_lab.set_language``; the status and error names stay AWS's.
        """
        from ..language import json_text, number, text
        labels = {key: text(key) for key in ("status", "output", "error", "cause")}
        pad = max(len(label) for label in labels.values()) + 2
        lines = [f"{labels['status']}:".ljust(pad) + self.status]
        if self.status == SUCCEEDED:
            lines.append(f"{labels['output']}:".ljust(pad) + json_text(self.output, 100 - pad, pad))
        elif self.status != RUNNING:
            lines.append(f"{labels['error']}:".ljust(pad) + str(self.error))
            lines.append(f"{labels['cause']}:".ljust(pad) + str(self.cause))
        lines.append(text("summary_events", events=len(self.history),
                          duration=f"{number(round(self.duration, 3))}s"))
        return "\n".join(lines)
