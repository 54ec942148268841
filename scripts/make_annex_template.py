"""Write data/templates/annex_template.docx: the default house style of the drafted annex.

Arial (GOV.UK's print fallback), headings in the Analysis Function dark blue
and bold (so they do not rely on colour), A4 with 2.5 cm margins, en-GB, a
plain grid table style and a caption style. A user can give their own .docx
instead: its styles (Title, Heading 1-3, List Bullet, Caption, Table Grid) are
used as they are. Run: python scripts/make_annex_template.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parents[1] / "data" / "templates" / "annex_template.docx"
DARK_BLUE = RGBColor(0x12, 0x43, 0x6D)
TEXT = RGBColor(0x0B, 0x0C, 0x0C)


def build() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size, normal.font.color.rgb = "Arial", Pt(11), TEXT
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 12)):
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.bold = "Arial", Pt(size), True
        style.font.color.rgb = DARK_BLUE
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.keep_with_next = True
    caption = doc.styles["Caption"]
    caption.font.name, caption.font.size, caption.font.bold, caption.font.italic = "Arial", Pt(10), True, False
    caption.font.color.rgb = TEXT
    doc.styles["List Bullet"].font.name = "Arial"
    doc.core_properties.title = "Annex template"
    doc.core_properties.author = "Child Safeguarding Practice Review Panel"
    doc.add_paragraph("Annex template: the app replaces this text with the drafted annex.")
    return doc


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    build().save(OUT)
    print(f"wrote {OUT}")
