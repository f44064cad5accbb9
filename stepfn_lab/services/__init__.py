"""The services: local, pure-Python stand-ins for what a Task state calls (S3, DynamoDB, SQS, SNS,
EventBridge, Step Functions itself), mocks (``mock_config``) and the files of a Distributed Map.

Layer: services, above runtime (a service may start a child execution or answer as a Task does).
The runtime calls them through ``stepfn_lab.runtime.registry`` and never imports them.
Spec: each service's API reference (see each module). Taught in: notebooks/08-task-states.ipynb.

May import: errors, language, asl, runtime.
"""
