"""The book's source, without a browser: glossary links, findings, the web font subset and the generated conf.py."""

from __future__ import annotations

import nbformat
from fontTools.ttLib import TTFont

from fupin_research.site import CSS, SEARCH_JS, WEB_FONT_FAMILY, link_glossary_terms, notebook_findings, subset_font


def test_glossary_links_become_terms_in_prose_and_page_links_in_printed_markdown():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("见[低保](00_overview.ipynb#Glossary)和[兜底](00_overview.ipynb#Glossary)"),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": "- [信访](00_overview.ipynb#Glossary): 12"})]),
    ])
    link_glossary_terms(notebook)
    assert notebook.cells[0].source == "见{term}`低保`和{term}`兜底`"
    assert notebook.cells[1].outputs[0]["data"]["text/markdown"] == "- [信访](glossary.html): 12"


def test_findings_are_the_outputs_under_the_findings_heading_only():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a", outputs=[nbformat.v4.new_output("stream", name="stdout", text="before\n")]),
        nbformat.v4.new_markdown_cell("## Findings (结论)"),
        nbformat.v4.new_code_cell("b", outputs=[nbformat.v4.new_output("stream", name="stdout", text="found\n")]),
        nbformat.v4.new_markdown_cell("### Exercise 1 (练习 1)"),
        nbformat.v4.new_code_cell("c", outputs=[nbformat.v4.new_output("stream", name="stdout", text="after\n")]),
    ])
    assert notebook_findings(notebook) == "found"


def test_the_web_font_subset_covers_exactly_the_characters_asked_for(tmp_path):
    out = tmp_path / "f.woff2"
    subset_font("两不愁三保障", out)
    font = TTFont(out)
    cmap = font.getBestCmap()
    assert {ord(c) for c in "两不愁三保障"} <= set(cmap)
    assert ord("贫") not in cmap  # a subset, not the whole font
    assert font.flavor == "woff2"


def test_the_style_sheet_puts_the_web_font_first_for_cjk_only():
    css = CSS.format(family=WEB_FONT_FAMILY, font="x.woff2")
    assert "unicode-range" in css and "U+4E00-9FFF" in css
    assert f'--pst-font-family-base: "{WEB_FONT_FAMILY}"' in css


def test_the_search_splitter_and_the_missing_stemmer_are_defined():
    assert "var splitQuery" in SEARCH_JS and "var ChineseStemmer" in SEARCH_JS
