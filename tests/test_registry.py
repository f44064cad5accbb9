"""The runtime's registry of the services layer (stepfn_lab.runtime.registry)."""

from __future__ import annotations

import pytest

import stepfn_lab  # noqa: F401  (the top level provides the services)
from stepfn_lab.runtime import registry


def test_the_top_level_provides_the_services_the_runtime_asks_for() -> None:
    from stepfn_lab.services import mocks, s3files, simulated
    assert registry.service("simulated") is simulated
    assert registry.service("mocks") is mocks
    assert registry.service("s3files") is s3files


def test_a_provider_is_loaded_once_and_can_be_replaced() -> None:
    calls = []
    try:
        registry.provide("_test_thing", lambda: calls.append(1) or object())
        first = registry.service("_test_thing")
        assert registry.service("_test_thing") is first and calls == [1]
        registry.provide("_test_thing", lambda: "other")
        assert registry.service("_test_thing") == "other"
    finally:
        registry._providers.pop("_test_thing", None)
        registry._loaded.pop("_test_thing", None)


def test_an_unknown_name_is_an_import_error_that_says_what_is_missing() -> None:
    with pytest.raises(ImportError, match="provides no 'nothing-here'"):
        registry.service("nothing-here")
