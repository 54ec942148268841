"""The figures register: ``Figures.add`` gives a ``Figure`` that knows its row, so a figure
belonging to it and its reference are found without reading the text back."""

from __future__ import annotations

from feedback.report.figures import Figure, Figures


def _add(figures: Figures, measure: str, **kw) -> Figure:
    return figures.add("D", area="Survey", measure=measure, value=0.5, as_written=kw.pop("as_written", "50%"), **kw)


def test_add_returns_the_text_as_written_and_its_row():
    figures = Figures()
    first = _add(figures, "Heard of the Panel")
    second = _add(figures, "Read a review", as_written="87%")
    assert isinstance(second, str) and second.row == 1 and second.text == str(second)
    assert second.text.startswith("87% [") and second.ref in second.text
    assert figures.resolve(f"Of them, {second} and {first}") == "Of them, 87% [D1] and 50% [D2]"  # reading order


def test_a_figure_under_a_headline_takes_its_number_from_the_row_not_the_text():
    figures = Figures()
    headline = _add(figures, "Heard of the Panel")
    other = _add(figures, "Read a review")
    # a headline whose written text holds another figure's placeholder: the row decides, not the text
    tricky = Figure(f"{headline.text} (was {other.ref})", headline.row)
    group = _add(figures, "Heard of the Panel", group="role: Police", under=tricky, suffix=".3")
    wave = _add(figures, "Heard of the Panel", group="Total, 2022", under=headline, suffix="w")
    assert figures.resolve(group.ref) == "D1.3" and figures.resolve(wave.ref) == "D1w"
    refs = figures.frame()["Reference"].tolist()
    assert refs == ["D1", "D1.3", "D1w", "D2"]  # a headline is numbered before what belongs to it


def test_references_are_written_in_when_the_part_is_finished():
    from feedback.report.document import Paragraph

    figures = Figures()
    figure = _add(figures, "Heard of the Panel")
    blocks = figures.finish([Paragraph(f"Half had heard of it ({figure}).")])
    assert blocks[0].text == "Half had heard of it (50% [D1])."
