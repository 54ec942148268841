"""Accessibility statement, as GOV.UK services publish one: how accessible the app is,
what cannot be fixed inside Streamlit (with the reason and what to do instead), how
it was tested and how to report a problem."""

import streamlit as st

from ui import navigation

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

# (what does not work, why it cannot be fixed inside Streamlit, what to do instead)
KNOWN_ISSUES = [
    ("Charts are pictures: a screen reader cannot read the bars or points one by one.",
     "Streamlit draws charts with Vega-Lite on a canvas.",
     "Every chart has its alt text below it (under 'Alt text for this chart') and the same figures as a "
     "table beside it, with CSV and Excel downloads."),
    ("Interactive tables (the grids you can sort and scroll) are read cell by cell with arrow keys, and some "
     "screen readers do not announce the column headings.",
     "Streamlit's data grid is drawn on a canvas with its own keyboard model.",
     "Every table can be downloaded as CSV or Excel (the buttons under it), and exported tables carry their "
     "notes and headings."),
    ("The page links in the sidebar are not inside a navigation landmark.",
     "Streamlit's own page menu has invalid list markup, so the app draws the links itself, and Streamlit "
     "has no way to mark a group of elements as navigation.",
     "The links are the first thing in the sidebar, grouped under the names of the app's areas; the "
     "browser's tab key reaches them first."),
    ("When a page is working, the 'Running…' sign in the top right corner is not announced.",
     "Streamlit's status sign is not a live region.",
     "Long work shows a spinner with words in the page itself ('Calculating rates…', 'Opening the "
     "database…'), which screen readers read."),
    ("After you use a download button, keyboard focus goes back to the start of the page.",
     "Streamlit redraws the button once the file has been made.",
     "Press Tab to move on: the page links come first, then the page in reading order. The file is "
     "downloaded as usual."),
    ("The page language is English ('en'), not British English ('en-GB').",
     "Streamlit sets the page's language attribute itself.",
     "Screen readers read the pages in English; set your reader's English voice to British English."),
    ("The file upload area's drag-and-drop region is announced as a group with no name.",
     "Streamlit builds the upload area; the app can only label its button.",
     "Use the 'Browse files' button, which the tab key reaches and which opens your computer's file chooser."),
]

st.title("Accessibility statement")
st.markdown(
    "This statement applies to the Panel feedback analysis app, used by the Child Safeguarding Practice "
    "Review Panel's secretariat and regional leads. We want as many people as possible to be able to use it: "
    "you should be able to change colours and text size with your browser, zoom in to 400% with the text "
    "still fitting the screen, reach every control with the keyboard alone, and listen to the app with a "
    "screen reader.")

st.header("How accessible this app is")
st.markdown(
    "The app aims to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA, the "
    "standard for UK public sector websites and intranet tools. It is **partially compliant**: the parts "
    "below do not fully work for everyone, because they are drawn by Streamlit, the framework the app is "
    "built with, and cannot be changed from inside the app. Each has another way to do the same thing.")
for problem, reason, workaround in KNOWN_ISSUES:
    with st.container(border=True):
        st.markdown(f"**{problem}**")
        st.markdown(f"Why: {reason}")
        st.markdown(f"What to do instead: {workaround}")

st.header("What the app does for accessibility")
st.markdown(
    "- Text and captions meet 4.5:1 contrast: the app uses GOV.UK's text colour (#0b0c0c) and secondary "
    "text colour (#505a5f) on white.\n"
    "- Keyboard focus is always visible: a yellow and black ring, as on GOV.UK, on every link, button, tab "
    "and form field.\n"
    "- Headings follow in order (one page heading, then sections), so screen reader users can move by "
    "heading.\n"
    "- Charts use the Government Analysis Function colours, never colour alone: values are labelled and "
    "intervals are drawn as error bars.\n"
    "- The region, grouping and other choices are kept in the page address, so a view can be bookmarked "
    "instead of being set up again.")

st.header("How we tested this app")
st.markdown(
    "Every page, and every tab and expander that holds content, is checked with the axe-core accessibility "
    "engine in a real browser (Chromium) on every change to the app; the checks fail on any problem axe "
    "rates serious or critical. A keyboard-only test goes through the main tasks (choose a region, change "
    "the grouping, download a chart) and checks that focus is visible at every step. This statement was "
    "prepared on 1 December 2026.")

st.header("Reporting accessibility problems")
st.markdown(
    "If you find a problem not listed here, or need information from the app in another format, tell the "
    "Panel's secretariat, saying which page you were on and what you were trying to do.")

st.header("Enforcement procedure")
st.markdown(
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
    "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with "
    "how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).")
