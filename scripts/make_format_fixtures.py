"""Make the PDF and DOCX test files of tests/fixtures/formats (and the mixed-format example folder).

The texts are public-domain official texts (PRC Copyright Law art. 5): the government work reports and NPC
resolutions of data/corpora/government_work_reports (Wikisource), and the covering notice of 国发〔2016〕64号.
They are typeset here with the layouts real 文件 have: a red-header issuer line, a 文号 line, running headers,
page numbers (``— 3 —``, ``第 3 页 共 5 页``), two columns, a table, a signature and date line. Two image-only PDFs
stand for scans. For every file the expected body (what a reader must recover: everything but running headers,
footers and page numbers) is written to ``expected/<name>.txt``; ``manifest.csv`` records where each came from.

Needs the ``fixtures`` extra (fpdf2, python-docx) and the CJK font of mplfonts::

    python scripts/make_format_fixtures.py            # writes tests/fixtures/formats and data/examples/mixed_formats
"""

from __future__ import annotations

import csv
import datetime
import io
import shutil
from pathlib import Path

import mplfonts
from docx import Document as WordDocument
from docx.shared import Pt
from fpdf import FPDF, FontFace
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "corpora" / "government_work_reports"
OUT = ROOT / "tests" / "fixtures" / "formats"
EXAMPLES = ROOT / "data" / "examples" / "mixed_formats"
FONT = Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf"
WIKISOURCE = "https://zh.wikisource.org/wiki/"
LICENCE = "public domain (PRC Copyright Law art. 5: official documents of state organs)"

NOTICE_64 = {
    "issuer_head": "国务院文件",
    "doc_number": "国发〔2016〕64号",
    "title": "国务院关于印发“十三五”脱贫攻坚规划的通知",
    "body": ["各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
             "现将《“十三五”脱贫攻坚规划》印发给你们，请认真贯彻执行。"],
    "signature": "国务院",
    "date": "2016年11月23日",
    "iso": "2016-11-23",
}


def report_paragraphs(name: str, start: int, count: int) -> list[str]:
    """Paragraphs ``start`` … ``start + count`` of a shipped report (its first two lines are title and URL)."""
    lines = (REPORTS / name).read_text(encoding="utf-8").splitlines()[2:]
    paragraphs = [line.strip() for line in lines if line.strip()]
    return paragraphs[start : start + count]


class OfficialPdf(FPDF):
    """A 文件 page: optional running header and page-number footer."""

    def __init__(self, running_header: str = "", footer: str = "dash", total: int = 0) -> None:
        super().__init__(format="A4")
        self.running_header, self.footer_style, self.total = running_header, footer, total
        self.add_font("cjk", fname=str(FONT))
        self.set_auto_page_break(True, margin=25)
        self.set_margins(28, 25, 26)

    def header(self) -> None:
        if self.running_header:
            self.set_font("cjk", size=9)
            self.cell(0, 6, self.running_header, align="C")
            self.ln(10)

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font("cjk", size=10)
        if self.footer_style == "dash":
            self.cell(0, 8, f"— {self.page_no()} —", align="C")
        elif self.footer_style == "of":
            self.cell(0, 8, f"第 {self.page_no()} 页 共 {{nb}} 页", align="C")


def _paragraph(pdf: FPDF, text: str, size: int = 12, align: str = "J", indent: bool = True) -> None:
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.62, ("\u3000\u3000" if indent else "") + text, align=align)
    pdf.ln(1)


def write_pdf(path: Path, *, frame: dict | None, paragraphs: list[str], running_header: str = "",
              footer: str = "dash", columns: int = 1, table: list[list[str]] | None = None,
              subtitle: str = "", title: str = "") -> list[str]:
    """Typeset one PDF; return the expected body lines."""
    pdf = OfficialPdf(running_header, footer)
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()
    expected: list[str] = []
    if frame:
        pdf.set_font("cjk", size=22)
        pdf.set_text_color(200, 0, 0)
        pdf.cell(0, 16, frame["issuer_head"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 10, frame["doc_number"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        _paragraph(pdf, frame["title"], size=16, align="C", indent=False)
        expected += [frame["issuer_head"], frame["doc_number"], frame["title"]]
        for line in frame["body"]:
            _paragraph(pdf, line, indent=not line.endswith("："))
            expected.append(line)
    elif title:
        _paragraph(pdf, title, size=16, align="C", indent=False)
        expected.append(title)
    if subtitle:
        _paragraph(pdf, subtitle, size=11, align="C", indent=False)
        expected.append(subtitle)
    if columns == 2:
        pdf.set_font("cjk", size=11)
        with pdf.text_columns(ncols=2, gutter=8, text_align="J") as cols:
            for text in paragraphs:
                cols.write("\u3000\u3000" + text + "\n")
    else:
        for text in paragraphs:
            _paragraph(pdf, text)
    expected += paragraphs
    if table:
        pdf.ln(3)
        pdf.set_font("cjk", size=10)
        with pdf.table(col_widths=(40, 40, 40), headings_style=FontFace(emphasis=None)) as grid:
            for row in table:
                cells = grid.row()
                for value in row:
                    cells.cell(value)
        expected += ["\t".join(row) for row in table]
    if frame:
        pdf.ln(8)
        _paragraph(pdf, frame["signature"], align="R", indent=False)
        _paragraph(pdf, frame["date"], align="R", indent=False)
        expected += [frame["signature"], frame["date"]]
    pdf.output(str(path))
    return expected


def write_scan(path: Path, lines: list[str]) -> None:
    """An image-only PDF: the text drawn into a picture, no text layer (what a scanner makes)."""
    font = ImageFont.truetype(str(FONT), 22)
    image = Image.new("L", (827, 1169), 255)
    draw = ImageDraw.Draw(image)
    y = 80
    for line in lines:
        for start in range(0, len(line), 30):
            draw.text((70, y), line[start : start + 30], font=font, fill=0)
            y += 34
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.output(str(path))


def write_docx(path: Path, *, frame: dict | None, paragraphs: list[str], header: str = "", footer: str = "",
               table: list[list[str]] | None = None, date_line: str | None = None, title: str = "") -> list[str]:
    """One Word file with header/footer parts, a 文号 line, body paragraphs and a table; return the body lines."""
    document = WordDocument()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "SimSun", Pt(12)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    expected: list[str] = []
    if frame:
        for line in (frame["issuer_head"], frame["doc_number"], frame["title"], *frame["body"]):
            document.add_paragraph(line)
            expected.append(line)
    elif title:
        document.add_paragraph(title)
        expected.append(title)
    for text in paragraphs:
        document.add_paragraph("\u3000\u3000" + text)
        expected.append(text)
    if table:
        grid = document.add_table(rows=0, cols=len(table[0]))
        for row in table:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = value
        expected += ["\t".join(row) for row in table]
    if frame:
        document.add_paragraph(frame["signature"])
        document.add_paragraph(date_line or frame["date"])
        expected += [frame["signature"], date_line or frame["date"]]
    # fixed core properties, so the file is the same at every run
    document.core_properties.title = frame["title"] if frame else title
    document.core_properties.author = ""
    document.core_properties.created = document.core_properties.modified = datetime.datetime(2020, 1, 1)
    document.save(str(path))
    return expected


TABLE_2015 = [["指标", "2015年", "增长"], ["国内生产总值", "67.7万亿元", "6.9%"],
              ["居民人均可支配收入", "实际增长", "7.4%"], ["农村贫困人口减少", "1442万人", "—"]]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pdf").mkdir(exist_ok=True)
    (OUT / "docx").mkdir(exist_ok=True)
    (OUT / "expected").mkdir(exist_ok=True)
    rows = []

    def record(name: str, fmt: str, expected: list[str], source: str, layout: str, meta: dict) -> None:
        if expected:
            (OUT / "expected" / f"{name}.txt").write_text("\n".join(expected) + "\n", encoding="utf-8")
        rows.append({"file": f"{fmt}/{name}", "format": fmt, "source": source, "layout": layout,
                     "licence": LICENCE, "title": meta.get("title", ""), "date": meta.get("date", ""),
                     "doc_number": meta.get("doc_number", ""), "expected": f"expected/{name}.txt" if expected else "",
                     "expected_skip": meta.get("skip", "")})

    notice_meta = {"title": NOTICE_64["title"], "date": NOTICE_64["iso"], "doc_number": NOTICE_64["doc_number"]}
    notice_source = "国发〔2016〕64号 covering notice (www.gov.cn/zhengce/content/2016-12/02/content_5142197.htm)"
    res = "resolution_第十二届全国人民代表大会第四次会议关于政府工作报告的决议.txt"
    res_title = "第十二届全国人民代表大会第四次会议关于政府工作报告的决议"
    r2016 = "2016_政府工作报告.txt"
    r2018 = "2018_政府工作报告.txt"
    r2019 = "2019_政府工作报告.txt"
    r2013 = "2013_政府工作报告.txt"
    specs = [
        ("notice_64_dash.pdf", dict(frame=NOTICE_64, paragraphs=[], footer="dash"), notice_source,
         "red-header issuer line, 文号 line, title, signature and date; page number — 1 —", notice_meta),
        ("report2016_running_header.pdf",
         dict(frame=None, title="政府工作报告", paragraphs=report_paragraphs(r2016, 0, 14),
              running_header="2016年政府工作报告", footer="dash"),
         WIKISOURCE + "2016年中华人民共和国国务院政府工作报告", "running header on every page, — n — page numbers",
         {"title": "政府工作报告"}),
        ("report2018_page_of.pdf",
         dict(frame=None, title="政府工作报告", paragraphs=report_paragraphs(r2018, 0, 12), footer="of"),
         WIKISOURCE + "2018年中华人民共和国国务院政府工作报告", "第 n 页 共 m 页 footers", {"title": "政府工作报告"}),
        ("report2019_two_columns.pdf",
         dict(frame=None, title="政府工作报告", paragraphs=report_paragraphs(r2019, 0, 10), columns=2,
              running_header="2019年政府工作报告"),
         WIKISOURCE + "2019年中华人民共和国国务院政府工作报告", "two columns, running header, page numbers",
         {"title": "政府工作报告"}),
        ("report2016_table.pdf",
         dict(frame=None, title="2015年主要指标", paragraphs=report_paragraphs(r2016, 2, 3), table=TABLE_2015),
         WIKISOURCE + "2016年中华人民共和国国务院政府工作报告 (figures of its 2015 review as a table)",
         "paragraphs and a 3-column table", {"title": "2015年主要指标"}),
        ("resolution2016.pdf",
         dict(frame=None, title=res_title, subtitle="（2016年3月16日第十二届全国人民代表大会第四次会议通过）",
              paragraphs=[p for p in report_paragraphs(res, 0, 12) if len(p) > 8]),
         WIKISOURCE + res_title, "title, dated subtitle line, one page, page number",
         {"title": res_title, "date": "2016-03-16"}),
        ("notice_64_long.pdf",
         dict(frame=NOTICE_64 | {"body": NOTICE_64["body"]}, paragraphs=report_paragraphs(r2016, 20, 12),
              running_header="国务院文件", footer="of"),
         notice_source + " followed by paragraphs of the 2016 report (as an attachment)",
         "文号 frame over three pages, running header equal to the red header, 第 n 页 共 m 页", notice_meta),
        ("report2013_long_paragraphs.pdf",
         dict(frame=None, title="政府工作报告", paragraphs=report_paragraphs(r2013, 0, 16), footer="dash",
              running_header="政府工作报告"),
         WIKISOURCE + "2013年中华人民共和国国务院政府工作报告",
         "long paragraphs broken across pages, running header equal to the title", {"title": "政府工作报告"}),
    ]
    for name, kwargs, source, layout, meta in specs:
        expected = write_pdf(OUT / "pdf" / name, **kwargs)
        record(name, "pdf", expected, source, layout, meta)
    for name, source_lines in (("scan_notice_64.pdf", [NOTICE_64["title"], *NOTICE_64["body"]]),
                               ("scan_resolution2016.pdf", [res_title, *report_paragraphs(res, 0, 2)])):
        write_scan(OUT / "pdf" / name, source_lines)
        record(name, "pdf", [], notice_source if "64" in name else WIKISOURCE + res_title,
               "image only (no text layer), as a scanner makes", {"skip": "no text layer (scanned?)"})

    docx_specs = [
        ("notice_64.docx", dict(frame=NOTICE_64, paragraphs=[], header="国务院文件", footer="— 1 —"), notice_source,
         "header and footer parts, 文号 paragraph, signature and date", notice_meta),
        ("notice_64_cn_date.docx",
         dict(frame=NOTICE_64, paragraphs=report_paragraphs(r2016, 30, 4), date_line="二〇一六年十一月二十三日",
              header="国务院文件"),
         notice_source + "; date line written in Chinese numerals (the pre-2012 style) for the test",
         "Chinese-numeral date line", notice_meta),
        ("report2016_table.docx",
         dict(frame=None, title="2015年主要指标", paragraphs=report_paragraphs(r2016, 2, 3), table=TABLE_2015,
              footer="第 1 页"),
         WIKISOURCE + "2016年中华人民共和国国务院政府工作报告", "paragraphs and a table, footer part",
         {"title": "2015年主要指标"}),
        ("resolution2016.docx",
         dict(frame=None, title=res_title, paragraphs=[p for p in report_paragraphs(res, 0, 12) if len(p) > 8],
              header=res_title),
         WIKISOURCE + res_title, "title paragraph, header part repeating the title", {"title": res_title}),
    ]
    for name, kwargs, source, layout, meta in docx_specs:
        expected = write_docx(OUT / "docx" / name, **kwargs)
        record(name, "docx", expected, source, layout, meta)

    # manifest.csv: the rows of the collected web pages (kept as they are) and the rows of the files made here
    manifest = OUT / "manifest.csv"
    kept = []
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as handle:
            kept = [row for row in csv.DictReader(handle) if row["format"] not in ("pdf", "docx")]
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept + rows)

    # the small mixed-format folder of notebook 01 / the README: one file of each kind, a scan and a corrupt file
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    shutil.copy(OUT / "pdf" / "notice_64_long.pdf", EXAMPLES / "notice_64.pdf")
    shutil.copy(OUT / "pdf" / "scan_notice_64.pdf", EXAMPLES / "scan_notice_64.pdf")
    shutil.copy(OUT / "docx" / "report2016_table.docx", EXAMPLES / "indicators_2015.docx")
    shutil.copy(OUT / "html" / "mee_2022_weekly.shtml", EXAMPLES / "mee_weekly.html")
    text = "\n".join([res_title, *report_paragraphs(res, 0, 12)]) + "\n"
    (EXAMPLES / "resolution_2016.txt").write_bytes(text.encode("gbk"))
    (EXAMPLES / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n% truncated download\n")
    print(f"wrote {len(rows)} fixtures into {OUT} and the example folder {EXAMPLES}")


if __name__ == "__main__":
    main()
