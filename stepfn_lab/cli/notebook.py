"""``command()``: the command line from a notebook, run as a terminal would and shown with its exit code.

Spec: none. Taught in: notebooks/16-from-the-lab-to-aws.ipynb (``from stepfn_lab.cli import command``).
"""

from __future__ import annotations

import os
import subprocess
import sys

def command(line: str, *, env: dict | None = None, cwd: str | None = None, timeout: float = 120) -> "CommandResult":
    """Run ``stepfn-lab <line>`` as a terminal would (a new process of this Python) and show what it printed.

    For notebooks, where ``!stepfn-lab`` depends on the shell's PATH: ``command("validate example:seed")``
    prints ``$ stepfn-lab validate example:seed``, the output and the exit code. ``env`` adds variables for
    that process only (the notebook's own environment is not changed).
    """
    import shlex

    arguments = shlex.split(line)
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "stepfn_lab", *arguments], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout, encoding="utf-8")
    return CommandResult(line, done.returncode, done.stdout, done.stderr)


class CommandResult:
    """What ``command()`` ran: ``exit_code``, ``stdout``, ``stderr``; shows as a terminal would."""

    def __init__(self, line: str, exit_code: int, stdout: str, stderr: str):
        self.line, self.exit_code, self.stdout, self.stderr = line, exit_code, stdout, stderr

    def __repr__(self) -> str:
        out = (self.stdout + self.stderr).rstrip("\n")
        return f"$ stepfn-lab {self.line}\n{out}\n(exit code {self.exit_code})" if out else \
            f"$ stepfn-lab {self.line}\n(exit code {self.exit_code})"
