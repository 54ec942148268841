"""Hostile text in a real browser: question texts, file names, notes and names written as
Markdown images, links, bold, colour directives, LaTeX and HTML are shown as typed.

A local HTTP server on 127.0.0.1 counts every request while the pages show that text;
it must receive none (a remote image in a label would let a file track its readers).
"""

from __future__ import annotations

import http.server
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOADED_MS, after_rerun, tall_screenshot, wait_for_app


@pytest.fixture
def tracker_server():
    """An HTTP server on a free 127.0.0.1 port that records every path requested."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def hostile(port: int, tag: str) -> str:
    return (f"![x](http://127.0.0.1:{port}/{tag}.png) **bold{tag}** :red[red{tag}] $x^{{2}}$ "
            f"[link{tag}](http://127.0.0.1:{port}/{tag}) <img src=http://127.0.0.1:{port}/{tag}h.png>")


def assert_no_markup(page, port: int) -> None:
    """Nothing from the hostile text became an element: no image, link, bold, colour or formula."""
    found = page.evaluate(
        """port => {
            const main = document.querySelector('[data-testid="stApp"]');
            const remote = s => (s || '').includes('127.0.0.1:' + port);
            return {
                images: [...main.querySelectorAll('img')].filter(i => remote(i.getAttribute('src'))).length,
                links: [...main.querySelectorAll('a')].filter(a => remote(a.getAttribute('href'))).length,
                bold: [...main.querySelectorAll('strong, b')].filter(b => b.innerText.includes('bold')).length,
                formulas: main.querySelectorAll('.katex, math').length,
                coloured: [...main.querySelectorAll('span')].filter(
                    s => s.innerText.startsWith('red') && s.getAttribute('style')).length,
            };
        }""", port)
    if found != {"images": 0, "links": 0, "bold": 0, "formulas": 0, "coloured": 0}:
        where = page.evaluate(
            """port => [...document.querySelectorAll('a, img, strong, b, .katex')]
                .filter(e => (e.outerHTML || '').includes('127.0.0.1:' + port) || e.innerText.includes('bold'))
                .map(e => (e.closest('[data-testid^="st"]') || e).getAttribute('data-testid') + ': '
                     + e.outerHTML.slice(0, 200))""", port)
        raise AssertionError(f"markup from data: {found}; {where[:5]}")


def go(page, title: str) -> None:
    """Move to another page inside the same session (a new address would start a new session)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).first.click()
    wait_for_app(page)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_hostile_texts_render_as_typed_and_fetch_nothing(app_url, page, tmp_path, tracker_server):
    port, hits = tracker_server
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)
    name.wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    name.fill("**Ann** \u202eevil\u202c")
    name.press("Enter")
    wait_for_app(page)

    # A survey whose codebook gives hostile title and question text.
    question = hostile(port, "q")
    codebook = (f'[survey]\ntitle = "{hostile(port, "t")}"\naudience = "partners"\nsource = "Source: test"\n'
                '[columns]\nrole = "role"\nregion = "region"\nweight = ""\n'
                f'[[questions]]\nid = "q1"\ncolumn = "q1"\ntext = "{question}"\nkind = "yes_no"\n'
                'positive = ["Yes"]\n')
    rows = "".join(f"{['Health', 'Police'][i % 2]},London,{['Yes', 'No'][i % 3 == 0]}\n" for i in range(60))
    go(page, "Upload a survey")
    uploads = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploads.nth(0).set_input_files(files=[{"name": "survey.csv", "mimeType": "text/csv",
                                           "buffer": ("role,region,q1\n" + rows).encode()}])
    page.wait_for_selector("text=60 respondents", timeout=LOADED_MS)
    after_rerun(page, lambda: uploads.nth(1).set_input_files(files=[
        {"name": "survey.toml", "mimeType": "application/toml", "buffer": codebook.encode()}]))
    # the form now starts from the uploaded codebook (its title), not from the suggestion
    # (a new codebook gives the form new widgets: on a busy machine the old title box can still be on
    # screen for a moment beside the new one, so wait until one box is left)
    wait_for_app(page)
    title_box = page.locator('[data-testid="stMain"] input[aria-label="Survey title"]')
    expect(title_box).to_have_count(1, timeout=LOADED_MS)
    expect(title_box).to_have_value(hostile(port, "t"), timeout=LOADED_MS)
    after_rerun(page, lambda: page.get_by_role("button", name="Use this survey in every page").click())
    wait_for_app(page)

    go(page, "Overview")
    page.wait_for_selector("text=Headline figures", timeout=LOADED_MS)
    wait_for_app(page)
    # the uploaded survey's questions replace the sample's once the page has rerun with it
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]').innerText.includes('**boldq**')",
                           timeout=LOADED_MS)
    text = main_text(page)
    assert "**boldq**" in text and ":red[redq]" in text and "$x^{2}$" in text, text[:3000]
    assert_no_markup(page, port)
    tall_screenshot(page, "hostile_overview", tmp_path)

    go(page, "Results by role")
    page.wait_for_selector("text=Same figures from the command line", timeout=LOADED_MS)
    wait_for_app(page)
    assert "**boldq**" in main_text(page)
    assert_no_markup(page, port)
    tall_screenshot(page, "hostile_results", tmp_path)

    # Roundtable notes: a hostile file name, Panel lead and point, and a damaged file.
    go(page, "Roundtable notes")
    page.get_by_role("tab", name="Import notes").click()
    notes = (f"Region: London\nDate: 24 June 2021\nAttendees: 12\nPartnerships: 3\n"
             f"Panel lead: {hostile(port, 'lead')}\n\n- {hostile(port, 'point')} about information sharing.\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(files=[
        {"name": f"notes {hostile(port, 'file')[:60]}.md", "mimeType": "text/markdown", "buffer": notes.encode()},
        {"name": f"bad ![z](http://127.0.0.1:{port}/e.png) **boldbad**.docx",
         "mimeType": "application/octet-stream", "buffer": b"not a word file"},
    ])
    page.wait_for_selector("text=**boldbad**", timeout=LOADED_MS)  # the error names the file, as typed
    wait_for_app(page)
    assert_no_markup(page, port)
    tall_screenshot(page, "hostile_roundtables_import", tmp_path)

    # Audits: a damaged register named with markup; its error message is shown as typed.
    go(page, "Yearly-report audits")
    page.get_by_role("tab", name="Register", exact=True).click()
    page.locator('[data-testid="stFileUploader"]:visible input[type="file"]').first.set_input_files(files=[
        {"name": f"reg **boldreg** ![r](http://127.0.0.1:{port}/r.png).csv", "mimeType": "text/csv",
         "buffer": b"partnership\n:red[x]\n"}])
    wait_for_app(page)
    page.get_by_role("button", name="Import the register").click()
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stAlert"]', timeout=LOADED_MS)
    assert_no_markup(page, port)
    tall_screenshot(page, "hostile_audits", tmp_path)

    # every image on the page has loaded or failed (a remote one's request is made by then), and the
    # browser itself asked nothing of the tracking server either
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert hits == [], hits
    assert not [u for u in requested if f"127.0.0.1:{port}" in u], requested
