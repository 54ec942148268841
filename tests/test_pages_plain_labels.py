"""Labels from an uploaded codebook (here a wave label) reach the pages as plain text: an
image, bold, a formula or HTML typed in the file is shown as typed, never rendered
(a remote image would be fetched by every reader's browser)."""

from __future__ import annotations

from feedback.validation import markdown_literal
from tests.test_pages_survey import app, goto  # noqa: F401 - the shared app fixture
from tests.test_pages_trends import _partners_codebook, _rerun, _upload

HOSTILE = "2023 ![x](http://example.invalid/a.png) **bold** $x$ <b>b</b>"
RAW = ("![x](", "**bold**", "$x$", "<b>")


def rendered_texts(at) -> list[str]:
    """Every string the page gave an element that renders Markdown (text, alerts, headings, and
    the labels of metrics and widgets). Selectbox options and tables are shown as plain text."""
    texts = [e.value for kind in ("caption", "markdown", "info", "warning", "error", "success", "header",
                                  "subheader", "title") for e in getattr(at, kind)]
    texts += [m.label for m in at.metric]
    texts += [w.label for kind in ("toggle", "selectbox", "radio", "checkbox", "button", "multiselect")
              for w in getattr(at, kind)]
    return [str(t) for t in texts]


def test_an_uploaded_wave_label_is_shown_as_typed_on_the_trends_page(app):  # noqa: F811
    at = goto(app, "trends")
    _upload(at, _partners_codebook(HOSTILE))
    _rerun(at)
    assert at.selectbox(key="trends_after").value == HOSTILE  # the upload is the latest wave
    texts = rendered_texts(at)
    leaked = [t for t in texts if any(raw in t for raw in RAW)]
    assert not leaked, leaked
    literal = markdown_literal(HOSTILE)
    # where the label is shown: the toggle adding the upload, the caption naming the two waves
    # compared, and the change's metric
    assert any(literal in t.label for t in at.toggle), [t.label for t in at.toggle]
    assert any(f"to {literal}: Wald interval" in c.value for c in at.caption), [c.value for c in at.caption]
    assert any(m.label.endswith(f" to {literal}") for m in at.metric), [m.label for m in at.metric]
