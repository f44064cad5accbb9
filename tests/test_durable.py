"""stepfn_lab.runtime.durable: stored executions are saved at once and atomically, have one owner
at a time, survive SIGKILL at any point without losing a step or repeating a recorded side effect,
and a damaged store gives the kit's ExecutionError."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import stepfn_lab as sfl
from stepfn_lab.errors import ExecutionError
from stepfn_lab.runtime import durable

ROOT = Path(__file__).resolve().parent.parent
FN = "arn:aws:lambda:us-east-1:123456789012:function:work"
TASKS = 12


def chain(n: int = TASKS) -> dict:
    """n Task states in a row, each telling its handler its own name."""
    states = {f"T{i}": {"Type": "Task", "Resource": FN, "Parameters": {"n": f"T{i}"}, "ResultPath": None,
                        "Next": f"T{i + 1}"} for i in range(n)}
    states[f"T{n - 1}"].pop("Next")
    states[f"T{n - 1}"]["End"] = True
    return {"StartAt": "T0", "States": states}


def wait_machine() -> sfl.StateMachine:
    return sfl.StateMachine.from_json({"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Done"}, "Done": {"Type": "Succeed"}}}, name="Napper")


def python(code: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_start_and_stop_save_at_once(tmp_path):
    store = str(tmp_path / "runs.db")
    execution = wait_machine().start({"a": 1}, store=store)
    assert durable.list_executions(store) == [{"arn": execution.arn, "name": execution.name,
                                               "machine": "Napper", "status": "RUNNING"}]
    execution.stop(error="Operator", cause="changed my mind")
    assert durable.list_executions(store)[0]["status"] == "ABORTED"
    again = sfl.load_execution(execution.arn, store)
    assert again.status == "ABORTED" and again.error == "Operator" and len(again.history) == len(execution.history)


def stored_events(store: str, arn: str) -> int:
    db = sqlite3.connect(store)
    try:
        return db.execute("SELECT COUNT(*) FROM events WHERE arn = ?", (arn,)).fetchone()[0]
    finally:
        db.close()


def test_every_action_is_saved_before_the_next(tmp_path):
    store = str(tmp_path / "runs.db")
    m = sfl.StateMachine.from_json(chain(3))
    e = m.start({}, store=store, lambdas={"work": lambda ev: {}})
    assert stored_events(store, e.arn) == 1  # ExecutionStarted, before any state
    seen = []
    while not e.done:
        e.run(max_events=1)
        seen.append(stored_events(store, e.arn))
        assert seen[-1] == len(e.history)
    assert len(seen) > 6 and e.status == "SUCCEEDED"


def test_a_second_opener_is_refused_while_the_owner_lives(tmp_path):
    store = str(tmp_path / "runs.db")
    first = wait_machine().start({}, store=store)
    with pytest.raises(ExecutionError, match="ExecutionAlreadyOpen.*another Execution object in this process"):
        sfl.load_execution(first.arn, store)
    taken = sfl.load_execution(first.arn, store, take_over=True)
    with pytest.raises(ExecutionError, match="ExecutionOwnershipLost"):
        first.run(until=10)  # its execution was taken over: it may not write it again
    taken.close()
    second = sfl.load_execution(first.arn, store)
    holder = python(f"""
        import sys, time, stepfn_lab as sfl
        e = sfl.load_execution({first.arn!r}, {store!r})
        print("holding", flush=True)
        time.sleep(120)
    """)
    second.close()
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(ExecutionError, match=f"ExecutionAlreadyOpen.*process {holder.pid}"):
            sfl.load_execution(first.arn, store)
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
        taken = sfl.load_execution(first.arn, store)  # its owner is dead: free to take
        assert taken.run().status == "SUCCEEDED"
    finally:
        holder.kill()
        holder.communicate()


def test_a_name_already_in_the_store_is_refused(tmp_path):
    store = str(tmp_path / "runs.db")
    wait_machine().start({}, store=store, name="once").close()
    with pytest.raises(ExecutionError, match="ExecutionAlreadyExists.*load_execution"):
        wait_machine().start({}, store=store, name="once")


def test_eight_writers_never_die_on_a_locked_database(tmp_path):
    store = str(tmp_path / "runs.db")
    writers = [python(f"""
        import stepfn_lab as sfl
        m = sfl.StateMachine.from_json({chain(15)!r}, name="W{i}")
        for k in range(3):
            e = m.start({{}}, store={store!r}, name="w{i}-" + str(k), lambdas={{"work": lambda ev: {{}}}})
            assert e.run().status == "SUCCEEDED"
        print("ok")
    """) for i in range(8)]
    outcomes = [w.communicate(timeout=300) for w in writers]
    assert [o[0].strip() for o in outcomes] == ["ok"] * 8, [o[1][-500:] for o in outcomes]
    assert len(durable.list_executions(store)) == 24


def test_sigkill_at_any_point_loses_no_step_and_repeats_no_recorded_side_effect(tmp_path):
    store, log, steps = str(tmp_path / "runs.db"), tmp_path / "effects.log", tmp_path / "steps.log"
    rng = random.Random(18)
    child = f"""
        import sys, os, time, stepfn_lab as sfl
        def work(event):
            with open({str(log)!r}, "a") as fh:
                fh.write(event["n"] + "\\n"); fh.flush(); os.fsync(fh.fileno())
            time.sleep(0.02)
            return {{}}
        lambdas = {{"work": work}}
        if sys.argv[1:] == ["start"]:
            e = sfl.StateMachine.from_json({chain()!r}, name="Chain").start({{}}, store={store!r}, name="run",
                                                                            lambdas=lambdas)
        else:
            e = sfl.load_execution(sys.argv[1], {store!r}, lambdas=lambdas)
        print(e.arn, flush=True)
        with open({str(steps)!r}, "a") as out:
            while (step := e.step()) is not None:
                out.write(step.state + "\\n"); out.flush()
        print("END", e.status, flush=True)
    """
    arn, kills, status = None, 0, None
    for _ in range(40):
        process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(child), arn or "start"],
                                   env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first_line = process.stdout.readline().split()
        assert first_line, process.communicate()[1][-2000:]
        arn = first_line[0]
        time.sleep(rng.uniform(0.0, 0.25))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        out, err = process.communicate(timeout=60)
        if "END" in out:
            status = out.split("END", 1)[1].split()[0]
        effects_at_kill = log.read_text().split() if log.exists() else []
        done_steps = steps.read_text().split() if steps.exists() else []
        stored = sfl.load_execution(arn, store)  # the child is dead: its execution is free
        exited = [e.state_name for e in stored.history if e.type == "TaskStateExited"]
        recorded = {e.state_name for e in stored.history if e.type == "TaskSucceeded"} | set(exited)
        assert set(done_steps) <= set(exited), "a step the process completed was lost"
        stored.close()
        if status:
            break
        with open(tmp_path / "marks.json", "a") as fh:
            fh.write(json.dumps([len(effects_at_kill), sorted(recorded)]) + "\n")
    assert status == "SUCCEEDED" and kills >= 3
    effects = log.read_text().split()
    for line in (tmp_path / "marks.json").read_text().splitlines():
        mark, recorded = json.loads(line)
        assert not set(effects[mark:]) & set(recorded), "a side effect recorded as done ran again"
    assert sorted(set(effects)) == sorted(f"T{i}" for i in range(TASKS))


def test_damaged_stores_give_the_kits_error(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    for call in (lambda: sfl.load_execution("arn:x", str(garbage)), lambda: durable.list_executions(str(garbage))):
        with pytest.raises(ExecutionError, match="damaged or is not a stepfn_lab store"):
            call()
    store = tmp_path / "runs.db"
    execution = sfl.StateMachine.from_json(chain(4)).start({}, store=str(store), lambdas={"work": lambda ev: {}})
    execution.run()
    db = sqlite3.connect(store)
    db.execute("UPDATE executions SET state = ?", ('{"format": 2, "machine": {}}',))
    db.commit()
    db.close()
    with pytest.raises(ExecutionError, match="cannot be read: it is damaged.*Keep a copy"):
        sfl.load_execution(execution.arn, str(store))
    data = store.read_bytes()
    for cut in (len(data) // 2, 100, 10):
        truncated = tmp_path / f"cut{cut}.db"
        truncated.write_bytes(data[:cut])
        with pytest.raises(ExecutionError):
            sfl.load_execution(execution.arn, str(truncated))
    with pytest.raises(ExecutionError, match="there is no store"):
        sfl.load_execution(execution.arn, str(tmp_path / "missing.db"))


def test_sqlite_is_imported_only_when_a_store_is_used():
    code = ("import sys, stepfn_lab as sfl; m = sfl.StateMachine.from_json({'StartAt': 'P', 'States': {'P': "
            "{'Type': 'Pass', 'End': True}}}); m.run(); import stepfn_lab.runtime.durable; "
            "print('sqlite3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.strip() == "False"
