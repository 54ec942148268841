"""Plain helpers shared by the tests of several areas: hostile Office files built on the fly."""

from __future__ import annotations

import io
import zipfile


def replace_part(xlsx: bytes, part: str, data: bytes) -> bytes:
    """The same package with one part's bytes replaced (compressed as Excel does)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info.filename))
    return out.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"".join([b"&lol%s;" % (str(i - 1).encode()
                                                                                      if i > 1 else b"")] * 10))
                             for i in range(1, 10))
                  + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>'
                    b'</worksheet>')
