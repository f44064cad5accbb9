"""The runtime: the engine that runs a definition, event by event, as explicit resumable state.

Layer: runtime, above asl. ``engine`` (StateMachine, Execution: the run loop), ``machine`` (compiling a
definition, names), the state types (``states``, ``parallel``, ``mapping``, ``maprun``, ``waiting``), Task work
(``tasks``, ``invoke``, ``lambda_invoke``, ``local_tasks``), errors (``retry``), ``frames``, ``dataflow``,
``history``, ``clock``, ``describe``, ``logs``, ``billing``, ``redrive``, ``durable``, ``teststate``.
Spec: the ASL specification's state semantics and AWS's execution history. Taught in: notebooks 08-15.
The services layer (simulated services, mocks, the local S3) sits above: the runtime reaches it only
through ``registry``, which ``stepfn_lab/__init__`` fills; pictures come from ``stepfn_lab.views.display``.

May import: errors, language, asl.
"""
