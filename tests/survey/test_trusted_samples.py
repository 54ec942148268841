"""The embedded samples are read in the app's own process (they ship with it); any other
SPSS file still goes to a child process with limits."""

import pytest

from feedback import safety
from feedback.survey import explorer


def test_sample_sav_is_read_in_process_and_an_upload_is_not(monkeypatch):
    calls = []

    def no_child(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("a child process was started")

    monkeypatch.setattr(safety, "run_limited", no_child)
    sample = next(s for s in explorer.available_samples() if s.data_file.endswith(".sav"))
    content, codebook = explorer.sample_files(sample)
    survey = explorer.load_survey(sample.data_file, content, codebook, name=sample.name, trusted=True)
    assert survey.n > 0 and not calls
    with pytest.raises(RuntimeError, match="child process"):
        explorer.load_survey(sample.data_file, content, codebook, name="an upload")
    assert len(calls) == 1
