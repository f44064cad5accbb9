"""The bridge to a real Step Functions endpoint: deploy, run, fetch the history, compare.

Spec: AWS Step Functions API (``CreateStateMachine``, ``UpdateStateMachine``,
``ListStateMachines``, ``StartExecution``, ``StartSyncExecution``,
``DescribeExecution``, ``GetExecutionHistory``), called through boto3.
Taught in: ``stepfn-lab parity --help`` (no notebook runs on AWS: the course
stays offline).

boto3 is an optional extra (``pip install stepfn-lab[aws]``), imported only when
a runner is made. The endpoint is AWS itself or any URL that speaks the same
API (moto's server, LocalStack, Step Functions Local)::

    runner = AwsRunner(endpoint_url="http://127.0.0.1:5000")
    remote = runner.run({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}, {"a": 1})
    remote.status, remote.output          # ('SUCCEEDED', {'a': 1})
    print(parity_report(definition, {"a": 1}, runner=runner))

``parity_report`` runs one definition locally and remotely and lines up what
each did: status, output, error and cause, and the history's event types (with
the state each event names). Timestamps, ids and ARNs differ by nature and are
not compared.

The code: ``runner`` (``AwsRunner``, ``RemoteExecution`` and the errors: boto3 calls, answers for
people) and ``parity`` (``parity_report``, ``compare``, ``ParityReport``: the two runs side by side).

Layer: entry points (the top, with cli, examples, exercises, widgets): it may use every layer below.

May import: errors, language, asl, runtime, services, views, ui.
"""

from __future__ import annotations

# Every name the single aws.py module had stays importable from here.
from .parity import EventRow, FieldRow, ParityReport, align_events, compare, parity_report
from .runner import (DEFAULT_ROLE, EXPRESS, INSTALL_HINT, STANDARD, AwsError, AwsRunner, AwsTimeout, AwsUnavailable,
                     RemoteExecution)

__all__ = ["AwsRunner", "RemoteExecution", "ParityReport", "parity_report", "AwsError", "AwsUnavailable",
           "AwsTimeout", "INSTALL_HINT"]
