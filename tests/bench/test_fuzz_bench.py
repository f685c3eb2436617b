"""bench.fuzz runs the fuzz tests in a pytest of its own and reads their counters back: a tiny run of
one target keeps the contract (environment, report, figures) from rotting. No figure is asserted
but the counts themselves."""

import json

from bench import fuzz


def test_a_tiny_fuzz_run_reports_its_counters(tmp_path):
    report = tmp_path / "report.json"
    counters = fuzz.run_once(
        scale=0.05, seed=7, report=report, paths=("tests/fuzz/test_services.py::test_workplace_answers",)
    )
    assert counters["cases"] >= 3
    assert set(counters["targets"]) == {"svc:proposal_create", "svc:proposal_act", "svc:rating_record"}
    assert counters["server_errors"] == counters["partial_writes"] == 0
    assert counters["failed_tests"] == []

    total = fuzz.merge(fuzz.merge({}, counters), counters)
    assert total["cases"] == 2 * counters["cases"]
    lines = fuzz.records(total, seeds=[7, 8], seconds=1.0)
    assert [line["name"] for line in lines] == [
        "fuzz_cases",
        "fuzz_server_errors",
        "fuzz_partial_writes",
        "fuzz_message_problems",
        "fuzz_stored_text_problems",
    ]
    assert lines[0]["value"] == total["cases"] and json.dumps(lines)
    assert fuzz.summary(total) == f"fuzz_cases={total['cases']} fuzz_server_errors=0 fuzz_partial_writes=0"


def test_a_fuzz_test_that_fails_is_named_not_silently_left_out(tmp_path):
    """A fuzz test that fails (here: one asked for that does not exist) runs none of its cases;
    the figures would be over the others alone, so the run names it."""
    counters = fuzz.run_once(
        scale=0.05,
        seed=7,
        report=tmp_path / "report.json",
        paths=("tests/fuzz/test_services.py::test_workplace_answers", "tests/fuzz/test_services.py::test_no_such_test"),
    )
    assert counters["failed_tests"] and "test_no_such_test" in " ".join(counters["failed_tests"])
    assert fuzz.records(fuzz.merge({}, counters), seeds=[7], seconds=1.0)[0]["failed_tests"]
