"""Run the benchmarks and print a table: median time, the plain-Python floor measured in the same run
and the ratio between them, transitions per second, history events and peak memory.

    python bench/run.py                 # the table (every workload, about two minutes)
    python bench/run.py --only loop     # the workloads whose name contains "loop"
    python bench/run.py --profile NAME  # cProfile of one workload (part of its name)

Each workload and each floor runs in a subprocess of its own, so peak memory (the process's peak
resident set size, RSS) is that workload's alone and one run's garbage does not slow the next.
Times are the process's CPU time (``time.process_time``): steady on a machine shared with other
work, and equal to the wall time on an idle one (the workloads do not sleep or wait for I/O).

Targets: every workload within 100x its floor; Retry x1,000 under 350 ms; the 100k loop within
11x the 10k loop (linear cost); the 100,000-item inline Map within 150 MB; the 1,000,000-row
Distributed Map within 60 s and 400 MB; the one-hour Wait within 10 ms; creating the seed machine
within 10 ms; ``import stepfn_lab`` within 150 ms with no Jupyter module loaded.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from workloads import LARGE, UNLIMITED, WORKLOADS  # noqa: E402


def _lift_limits(name: str) -> None:
    if name in UNLIMITED:  # see workloads.UNLIMITED
        from stepfn_lab.runtime import engine
        engine.EXPRESS_MAX_SECONDS = float("inf")


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes on macOS, KiB on Linux


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _cleanup(kwargs: dict) -> None:
    root = kwargs.get("s3_root")
    if root and os.path.basename(root).startswith("stepfn-bench-") and root.startswith(tempfile.gettempdir()):
        shutil.rmtree(root, ignore_errors=True)


def measure_one(name: str, repeat: int, floor: bool) -> dict:
    """In a subprocess: time one workload (or its floor) and report its peak memory."""
    factory, workflow_type = WORKLOADS[name]
    definition, data, kwargs, floor_fn = factory()
    try:
        if floor:
            return {"seconds": _median_time(floor_fn, repeat), "peak_mb": _peak_rss_mb()}
        import stepfn_lab as sfl
        _lift_limits(name)
        machine = sfl.StateMachine.from_json(definition, name="Bench", workflow_type=workflow_type)
        last: dict = {}

        def run():
            last.clear()  # one execution alive at a time
            last["execution"] = machine.start(data, **kwargs).run()
        elapsed = _median_time(run, repeat)
        execution = last["execution"]
        return {"seconds": elapsed, "transitions": execution.transitions, "events": len(execution.history),
                "status": execution.status, "peak_mb": _peak_rss_mb()}
    finally:
        _cleanup(kwargs)


def measure(name: str, repeat: int) -> dict:
    repeat = 1 if name in LARGE else repeat
    out = {"name": name}
    for kind in ("run", "floor"):
        argv = [sys.executable, os.path.join(HERE, "run.py"), "--one", name, "--repeat", str(repeat)]
        if kind == "floor":
            argv += ["--floor", "--repeat", str(max(repeat, 5) if name not in LARGE else 1)]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"{name} ({kind}) failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if kind == "floor":
            out["floor"], out["floor_mb"] = result["seconds"], result["peak_mb"]
        else:
            out.update(result)
    out["ratio"] = out["seconds"] / out["floor"] if out["floor"] else float("inf")
    return out


def machine_creation_ms(repeat: int = 20) -> float:
    import stepfn_lab as sfl
    from stepfn_lab.examples import definition as example_definition
    definition = example_definition("seed")
    return 1000 * _median_time(lambda: sfl.StateMachine.from_json(definition, name="Seed"), repeat)


def validation_ms(repeat: int = 200) -> float:
    """Validating the course's e-commerce definition, as a dict and as JSON text (per call, median)."""
    import json as _json
    import stepfn_lab as sfl
    from stepfn_lab.examples import definition as example_definition
    definition = example_definition("ecommerce_order")
    text = _json.dumps(definition)
    sfl.validate(definition)  # warm the caches, as a second validation would
    return 1000 * max(_median_time(lambda: sfl.validate(form), repeat) for form in (definition, text))


def import_ms() -> tuple[float, bool]:
    code = ("import time, sys; t = time.process_time(); import stepfn_lab; "
            "print(time.process_time() - t); print(any(m.split('.')[0] in ('IPython', 'ipykernel', 'ipywidgets', "
            "'graphviz', 'jupyter_client', 'notebook', 'jupyterlab') for m in sys.modules))")
    runs = []
    jupyter_loaded = False
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        seconds, loaded = out.stdout.split()
        runs.append(float(seconds))
        jupyter_loaded |= loaded == "True"
    return 1000 * statistics.median(runs), jupyter_loaded


def _mb(value) -> str:
    return f"{value:.0f}" if value is not None else "-"


def _targets(rows: dict) -> list[tuple[str, bool]]:
    """Each target that the measured rows can check: (what, met)."""
    checks = []
    for r in rows.values():
        checks.append((f"{r['name']}: {r['ratio']:.0f}x its floor (<= 100x)", r["ratio"] <= 100))
    retry = rows.get("Retry with back-off, 1,000 times")
    if retry:
        checks.append((f"Retry x1,000: {1000 * retry['seconds']:.0f} ms (< 350 ms)", retry["seconds"] < 0.35))
    wait = rows.get("Wait one hour")
    if wait:
        checks.append((f"Wait one hour: {1000 * wait['seconds']:.1f} ms (<= 10 ms)", wait["seconds"] <= 0.01))
    small, big = rows.get("loop 10k"), rows.get("loop 100k")
    if small and big:
        growth = big["seconds"] / small["seconds"]
        checks.append((f"loop 100k / loop 10k: {growth:.1f}x (<= 11x)", growth <= 11))
    small, big = rows.get("inline Map 10k"), rows.get("inline Map 100k")
    if small and big:
        growth = big["seconds"] / small["seconds"]
        checks.append((f"inline Map 100k / inline Map 10k: {growth:.1f}x (<= 11x)", growth <= 11))
    if big and big["peak_mb"] is not None:
        checks.append((f"inline Map 100k: {big['peak_mb']:.0f} MB peak (<= 150 MB)", big["peak_mb"] <= 150))
    dmap = rows.get("Distributed Map, 1,000,000 CSV rows")
    if dmap:
        checks.append((f"Distributed Map 1,000,000 rows: {dmap['seconds']:.1f} s (<= 60 s)", dmap["seconds"] <= 60))
        if dmap["peak_mb"] is not None:
            checks.append((f"Distributed Map 1,000,000 rows: {dmap['peak_mb']:.0f} MB peak (<= 400 MB)",
                           dmap["peak_mb"] <= 400))
    return checks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", help="run the workloads whose name contains this text")
    ap.add_argument("--profile", help="profile one workload (part of its name)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: one workload in this process
    ap.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.repeat, args.floor)))
        return
    if args.profile:
        import cProfile
        import pstats

        import stepfn_lab as sfl
        name = next(n for n in WORKLOADS if args.profile.lower() in n.lower())
        factory, workflow_type = WORKLOADS[name]
        definition, data, kwargs, _ = factory()
        _lift_limits(name)
        try:
            machine = sfl.StateMachine.from_json(definition, workflow_type=workflow_type)
            profiler = cProfile.Profile()
            profiler.enable()
            machine.start(data, **kwargs).run()
            profiler.disable()
        finally:
            _cleanup(kwargs)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    names = [n for n in WORKLOADS if not args.only or args.only.lower() in n.lower()]
    print(f"{'workload':40} {'median':>10} {'floor':>9} {'ratio':>6} {'transitions/s':>14} {'events':>7} "
          f"{'peak MB':>8} {'floor MB':>8}  status", flush=True)
    rows = {}
    for name in names:
        r = rows[name] = measure(name, args.repeat)
        rate = r["transitions"] / r["seconds"] if r["seconds"] else 0
        print(f"{r['name']:40} {1000 * r['seconds']:8.1f}ms {1000 * r['floor']:7.2f}ms {r['ratio']:5.0f}x "
              f"{rate:14,.0f} {r['events']:7} {_mb(r['peak_mb']):>8} {_mb(r['floor_mb']):>8}  {r['status']}",
              flush=True)
    print()
    for text, met in _targets(rows):
        print(f"{'met ' if met else 'MISS'}  {text}")
    if not args.only:
        imp, loaded = import_ms()
        print(f"\ncreate the seed machine: {machine_creation_ms():.2f} ms (target <= 10 ms)")
        print(f"validate the e-commerce definition: {validation_ms():.2f} ms (target <= 2 ms)")
        print(f"import stepfn_lab: {imp:.0f} ms (target <= 150 ms); Jupyter/graphviz modules loaded: {loaded}")


if __name__ == "__main__":
    main()
