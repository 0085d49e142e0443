"""Write data/corpora/government_work_reports/manifest.csv from the files' names and first lines.

Reports are named ``YEAR_政府工作报告.txt``; resolutions ``resolution_第N届全国人民代表大会第M次会议...txt``:
their year is the year of that session of the National People's Congress (table below).
Run once; edit the CSV by hand afterwards.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

# First year of each National People's Congress; session M is held in year FIRST + M - 1,
# except where the table of known exceptions says otherwise.
FIRST_YEAR = {"一": 1954, "二": 1959, "三": 1964, "四": 1975, "五": 1978, "六": 1983, "七": 1988, "八": 1993,
              "九": 1998, "十": 2003, "十一": 2008, "十二": 2013, "十三": 2018, "十四": 2023}
EXCEPTIONS = {("二", "三"): 1962}  # no session was held in 1961
SESSION = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}

folder = Path(__file__).resolve().parent.parent / "data" / "corpora" / "government_work_reports"
rows = []
for path in sorted(folder.glob("*.txt")):
    lines = path.read_text(encoding="utf-8").splitlines()
    title, url = lines[0].strip(), lines[1].strip()
    if path.stem.startswith("resolution_"):
        congress, session = re.search(r"第(.+?)届全国人民代表大会第(.)次会议", path.stem).groups()
        year = EXCEPTIONS.get((congress, session), FIRST_YEAR[congress] + SESSION[session] - 1)
        kind = "resolution"
    else:
        year, kind = int(path.stem[:4]), "report"
    rows.append({"doc_id": path.stem, "year": year, "title": title, "kind": kind, "source": url})
rows.sort(key=lambda row: (row["year"], row["kind"]))
with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=["doc_id", "year", "title", "kind", "source"])
    writer.writeheader()
    writer.writerows(rows)
print(f"{len(rows)} documents")
