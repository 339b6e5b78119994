"""Headline results of notebook 00_environment, saved by the run before these tests
(`make test` runs the notebooks first)."""




from rec_utils.runtime.results import load_metrics


def test_00_environment():
    m = load_metrics("00_environment")
    assert m["rows"] == 541_909 and m["sha256_matches"] is True
    assert m["device"] in {"cpu", "gpu"}
