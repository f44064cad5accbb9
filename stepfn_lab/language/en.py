"""English words of the kit's views (keys shared with ``pt_br``). AWS's names stay out of these tables."""

MESSAGES = {
    # exercise feedback
    "correct": "Correct!",
    "not_yet": "Not yet:",
    "hint": "Hint",
    "solution": "Solution",
    # execution summary() and history.table()
    "status": "status",
    "output": "output",
    "error": "error",
    "cause": "cause",
    "summary_events": "events: {events}, virtual duration: {duration}",
    "col_id": "id",
    "col_prev": "prev",
    "col_elapsed": "elapsed",
    "col_type": "type",
    "col_detail": "detail",
    "more_events": "... {count} more events",
    # definition table (render.to_table)
    "col_state": "state",
    "col_does": "does",
    "col_on": "on",
    "col_next": "next",
    "fails_execution": "fails the execution",
    "fails_iteration": "fails the iteration",
    "fails_branch": "fails the branch",
    "missing": "missing",
    # diagram legend (the console's)
    "IN_PROGRESS": "In progress",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "CAUGHT_ERROR": "Caught error",
    "NOT_RUN": "Not run",
    # cost tables
    "cost_title": "{kind} workflow in {region} (prices as of {as_of})",
    "cost_transitions": "state transitions",
    "cost_request": "request",
    "cost_duration": "duration",
    "cost_month": "{executions} executions a month: {usd}",
    "cost_total": "total",
    "cost_note": "note",
    "cost_free": "the first {free} transitions of each month are free",
    "cost_no_prices": "no prices for {region} in the table; us-east-1 prices used",
}
