"""The language: Amazon States Language read, checked and evaluated, with no execution in sight.

Layer: asl, the bottom layer. Parse a definition (``parse``, ``model``, ``source``), check it as AWS does
(``validate``, ``task_resources``, ``integrations``, ``sdk_models``), and evaluate its expressions
(``paths``, ``payload``, ``intrinsics``, ``jsonata``, ``choice``). Spec: the ASL specification and the
Step Functions developer guide. Taught in: notebooks 02-07.

May import: errors, language.
"""
