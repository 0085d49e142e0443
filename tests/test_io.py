"""Tests of fupin_research.io: real files in the encodings Chinese policy texts come in.

The fixtures in tests/fixtures/encodings are byte-exact files; ``expected/`` holds a UTF-8 copy of the exact
text each readable fixture must decode to. The sentences come from the seed corpus (traditional renderings
via OpenCC).
"""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from fupin_research.errors import InputError
from fupin_research.io import chinese_score, decode_bytes, read_text, read_text_with_encoding
from fupin_research.normalize import detect_script
from fupin_research.paths import seed_corpus_dir

FIXTURES = Path(__file__).parent / "fixtures" / "encodings"
EXPECTED = FIXTURES / "expected"

# Every readable fixture, with the encoding family read_text must report for it.
READABLE = {
    "utf8.txt": {"utf-8"},
    "utf8_bom.txt": {"utf-8-sig"},
    "utf16le_bom.txt": {"utf-16"},
    "utf16be_bom.txt": {"utf-16"},
    "utf16le_nobom.txt": {"utf-16-le"},
    "gbk.txt": {"gbk", "gb18030"},
    "gb18030.txt": {"gb18030"},
    "big5.txt": {"big5", "big5hkscs", "cp950"},
    "big5hkscs.txt": {"big5hkscs"},
    "cp950.txt": {"cp950"},
    "short_gbk.txt": {"gbk", "gb18030"},
    "short_big5.txt": {"big5", "big5hkscs", "cp950"},
    "page_gbk.html": {"gbk", "gb18030"},
    "doc_big5.xml": {"big5", "big5hkscs", "cp950"},
}
UNREADABLE = {
    "empty.txt": "empty",
    "whitespace.txt": "empty",
    "image.png": "PNG",
    "nul_bytes.bin": "binary",
    "undecodable.txt": "cannot be decoded",
}
WRONG_CODECS = (
    "utf-8", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "utf-16-le", "utf-16-be",
    "shift_jis", "euc-jp", "euc-kr", "latin-1", "cp1252",
)


def expected_text(name: str) -> str:
    # bytes → str by hand: Path.read_text would turn the \r\n of gbk.txt into \n
    return (EXPECTED / name).read_bytes().decode("utf-8")


def test_every_readable_fixture_has_an_expected_copy():
    assert sorted(path.name for path in EXPECTED.iterdir()) == sorted(READABLE)
    for name in [*READABLE, *UNREADABLE]:
        assert (FIXTURES / name).is_file(), name


@pytest.mark.parametrize("name", sorted(READABLE))
def test_read_text_returns_exactly_the_expected_text(name):
    assert read_text(FIXTURES / name) == expected_text(name)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_reported_encoding_is_right_and_decodes_the_bytes(name):
    text, encoding = read_text_with_encoding(FIXTURES / name)
    assert encoding in READABLE[name]
    assert (FIXTURES / name).read_bytes().decode(encoding) == text


@pytest.mark.parametrize("name", sorted(READABLE))
def test_no_mojibake(name):
    """Each fixture also decodes (strictly!) in some wrong codec; read_text never returns that reading."""
    data = (FIXTURES / name).read_bytes()
    expected = expected_text(name)
    wrong = {}
    for codec in WRONG_CODECS:
        try:
            reading = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if reading != expected:
            wrong[codec] = reading
    assert wrong, f"{name}: no wrong codec decodes it, the fixture tests nothing"
    got = read_text(FIXTURES / name)
    for codec, reading in wrong.items():
        assert got != reading, f"{name}: read_text returned the {codec} mojibake"


def test_decode_bytes_in_memory_and_the_name_in_errors():
    assert decode_bytes("精准扶贫".encode("gbk")) == ("精准扶贫", "gbk")
    with pytest.raises(InputError, match=r"^memo\.txt: "):
        decode_bytes(b"", "memo.txt")


def test_crlf_line_endings_are_kept():
    assert "\r\n" in read_text(FIXTURES / "gbk.txt")  # normalize() unifies them, read_text must not


def test_gb18030_fixture_needs_gb18030():
    data = (FIXTURES / "gb18030.txt").read_bytes()
    assert b"\xaa\xa1" in data  # user-defined area → U+E000
    assert "𠂇".encode("gb18030") in data and len("𠂇".encode("gb18030")) == 4
    assert "¥".encode("gb18030") in data and len("¥".encode("gb18030")) == 4
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    text = read_text(FIXTURES / "gb18030.txt")
    assert "\ue000" in text and "𠂇" in text and "¥" in text


def test_hong_kong_characters():
    data = (FIXTURES / "big5hkscs.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("big5")
    text = read_text(FIXTURES / "big5hkscs.txt")
    assert all(char in text for char in "啲嘅咗喺")
    assert detect_script(text).script == "traditional"


def test_cp950_euro_sign():
    data = (FIXTURES / "cp950.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("big5hkscs")
    assert "€" in read_text(FIXTURES / "cp950.txt")


def test_big5_fixtures_are_traditional_and_short_files_are_short():
    for name in ("big5.txt", "doc_big5.xml", "short_big5.txt"):
        assert detect_script(read_text(FIXTURES / name)).script == "traditional", name
    for name in ("short_gbk.txt", "short_big5.txt"):
        assert 2 <= len(read_text(FIXTURES / name)) <= 4


def test_markup_keeps_ascii_and_chinese():
    html = read_text(FIXTURES / "page_gbk.html")
    assert '<meta charset="gbk">' in html and '<a href="http://' in html and "全国扶贫办主任座谈会" in html
    xml = read_text(FIXTURES / "doc_big5.xml")
    assert xml.startswith('<?xml version="1.0" encoding="big5"?>') and "脫貧攻堅戰" in xml


def test_wrong_readings_score_low():
    text = expected_text("big5.txt")
    mojibake = (FIXTURES / "big5.txt").read_bytes().decode("gb18030")
    assert chinese_score(text) > 0.95 > 0.5 > chinese_score(mojibake)


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_files_raise_input_error_naming_the_file(name):
    with pytest.raises(ValueError) as caught:  # InputError is a ValueError
        read_text(FIXTURES / name)
    assert isinstance(caught.value, InputError)
    message = str(caught.value)
    assert name in message
    assert UNREADABLE[name].lower() in message.lower()
    assert "\n" not in message


def test_fullwidth_whitespace_only_file_is_empty():
    with pytest.raises(InputError, match=r"whitespace_fullwidth\.txt"):
        read_text(FIXTURES / "whitespace_fullwidth.txt")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match=r"no_such_report\.txt"):
        read_text(tmp_path / "no_such_report.txt")
    folder = tmp_path / "reports_folder"
    folder.mkdir()
    with pytest.raises(InputError, match="reports_folder"):
        read_text(folder)


def _encodable(text: str, codec: str) -> str:
    """``text`` without the few characters ``codec`` lacks (e.g. 爲 in Big5, U+00A0 in GBK)."""
    def fits(char: str) -> bool:
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            return False
        return True

    return "".join(char for char in text if fits(char))


SEEDS = sorted(seed_corpus_dir().glob("*.txt"))
ROUND_TRIPS = [
    (None, "gb18030"), (None, "gbk"), ("s2tw", "big5"), ("s2t", "cp950"), ("s2t", "big5hkscs"), ("s2hk", "big5hkscs"),
]


@pytest.mark.parametrize("config,codec", ROUND_TRIPS, ids=[f"{c or 'seed'}-{e}" for c, e in ROUND_TRIPS])
@pytest.mark.parametrize("seed", SEEDS, ids=[path.stem[:3] for path in SEEDS])
def test_seed_documents_round_trip(tmp_path, seed, config, codec):
    text = seed.read_text(encoding="utf-8")
    if config:
        text = opencc.OpenCC(config).convert(text)
    text = _encodable(text, codec)
    assert len(text) > 3000
    path = tmp_path / seed.name
    path.write_bytes(text.encode(codec))
    assert read_text(path) == text


def test_seed_corpus_has_five_documents():
    assert len(SEEDS) == 5


@pytest.mark.parametrize(
    ("text", "codec"),
    [("全省农业实施", "gbk"), ("9个;修路14654", "gbk"), ("專家3614人。全省", "big5"), ("café au lait", "utf-8")],
)
def test_short_texts_that_decode_several_ways(text, codec, tmp_path):
    """Short GBK can be valid UTF-8 or Big5, and Big5 can be valid GB18030 (with private-use characters)."""
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode(codec))
    assert read_text(path) == text
