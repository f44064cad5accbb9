"""stepfn_lab.runtime.dataflow: the pipeline stages and the payload quota."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepfn_lab.runtime.dataflow import PAYLOAD_LIMIT, SizeMeter, Trace, payload_size

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=20) | st.dictionaries(st.text(max_size=8), inner, max_size=20),
    max_leaves=60)


@given(json_values)
def test_size_meter_matches_compact_json(value):
    assert SizeMeter().size(value) == len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def test_size_meter_reuses_shared_containers():
    big = {"lines": [{"n": i} for i in range(1000)]}
    meter = SizeMeter()
    first = meter.size({"doc": big, "meta": 1})
    assert meter.size({"doc": big, "meta": 2}) == first
    assert id(big["lines"]) in meter._known  # measured once, remembered by identity


def test_quota_check():
    meter = SizeMeter()
    meter.check({"s": "x" * 1000}, "Small")
    with pytest.raises(Exception) as info:
        meter.check({"s": "x" * PAYLOAD_LIMIT}, "Big")
    assert "The state/task 'Big' returned a result with a size exceeding" in str(info.value)
    assert payload_size({"a": 1}) == 7


def test_trace_changed_stages():
    trace = Trace(input={"a": 1}, afterInputPath={"a": 1}, afterParameters={"b": 1}, output={"b": 1})
    assert trace.changed() == ["input", "afterParameters"]
    assert [k for k, _ in trace.stages()] == ["input", "afterInputPath", "afterParameters", "output"]


def test_sizes_count_lone_surrogates_and_stop_at_the_depth_limit():
    from stepfn_lab.asl.source import DEPTH_LIMIT
    from stepfn_lab.errors import StatesError
    from stepfn_lab.runtime.dataflow import SizeMeter, payload_size
    meter = SizeMeter()
    assert meter.size({"s": "\ud800"}) == payload_size({"s": "\ud800"}) == 11  # the surrogate: 3 bytes
    shared = list(range(20))
    value: list = shared
    for _ in range(DEPTH_LIMIT - 1):
        value = [value]
    assert meter.size(value) > 0  # the shared list is remembered at the bottom ...
    with pytest.raises(StatesError, match=f"more than {DEPTH_LIMIT} levels"):
        meter.size([value])  # ... and measured again when it sits one level deeper
