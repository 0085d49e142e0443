"""Exact conversion of numeral spans (Arabic and Chinese) found by the quantity patterns.

These functions convert *spans that a pattern already matched*; never run them over running text
(a converter applied blindly turns 第一书记 into 第1书记 and 五莲 into 5莲).

Example:
    >>> chinese_to_number("三万五千"), chinese_to_number("十三"), chinese_to_number("两")
    (35000, 13, 2)
    >>> chinese_to_number("百分之十三点二")
    Decimal('13.2')
    >>> parse_arabic("1,234.50")
    Decimal('1234.50')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

Number = int | Decimal

# Full-width digits and punctuation that may appear in raw (un-normalized) text.
_FOLD = str.maketrans("０１２３４５６７８９．", "0123456789.")

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
# Units inside one section (below 万).
_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Section units: 万 and 亿 multiply everything before them.
_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
MAGNITUDES: dict[str, int] = {**_SMALL_UNITS, **_BIG_UNITS}
_POINT = ("点", "點")
_SIGNS = ("负", "負", "-", "－")
# Two neighbouring digits name a vague range (三四万 = 3..4 万); 三五 (三五百) is the one customary gap.
_VAGUE_PAIRS = {(a, a + 1) for a in range(1, 9)} | {(3, 5)}


def parse_arabic(span: str) -> Number:
    """Return the exact value of an Arabic-digit number (``int`` or ``Decimal``).

    Thousands separators (``,``) are dropped; full-width digits are folded.

    Example:
        >>> parse_arabic("7.1"), parse_arabic("10646"), parse_arabic("１２")
        (Decimal('7.1'), 10646, 12)
    """
    s = span.translate(_FOLD).replace(",", "").replace("，", "").strip()
    if "." in s:
        return Decimal(s)
    return int(s)


def magnitude_multiplier(mag: str) -> int:
    """Return the multiplier of a magnitude run written after a number (``万亿`` → 10**12).

    Example:
        >>> magnitude_multiplier("万"), magnitude_multiplier("千万"), magnitude_multiplier("")
        (10000, 10000000, 1)
    """
    result = 1
    for ch in mag:
        result *= MAGNITUDES.get(ch, 1)
    return result


def exact(value: Number) -> Number:
    """Return ``value`` as an ``int`` when it is integral, else as a normalized ``Decimal``.

    Example:
        >>> exact(Decimal("7.1") * 10000), exact(Decimal("2.83"))
        (71000, Decimal('2.83'))
    """
    if isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def _section(chars: str) -> int:
    """Value of a numeral section without 万/亿 (e.g. 三千零五 → 3005, 十三 → 13, 三千五 → 3500)."""
    total = 0
    digit: int | None = None
    last_unit = 1
    zero_seen = False
    for ch in chars:
        if ch in CHINESE_DIGITS:
            d = CHINESE_DIGITS[ch]
            if d == 0:
                zero_seen = True
                digit = None
                continue
            digit = d
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
            zero_seen = False
        else:
            raise ValueError(f"not a Chinese numeral character: {ch!r}")
    if digit is not None:
        # 三千五 means 3500 (abbreviated), but 三千零五 means 3005.
        total += digit * (last_unit // 10 if last_unit >= 100 and not zero_seen else 1)
    return total


def _integer(chars: str) -> int:
    if not chars:
        raise ValueError("empty numeral")
    # A bare run of digits (一九五二, 二〇一七) is read digit by digit.
    if all(ch in CHINESE_DIGITS for ch in chars) and len(chars) > 1:
        return int("".join(str(CHINESE_DIGITS[ch]) for ch in chars))
    total = 0
    section_start = 0
    pending = 0
    for i, ch in enumerate(chars):
        if ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            part = _section(chars[section_start:i]) if i > section_start else 0
            if unit == 100_000_000:
                # 亿 closes everything read so far (一万亿 = 10**12).
                total = (total + pending + part) * unit if (total + pending + part) else unit
                pending = 0
            else:
                pending = (pending + part) * unit if part else (pending * unit if pending else unit)
            section_start = i + 1
    tail = chars[section_start:]
    tail_value = 0
    if tail:
        # 三万五 means 35000: a lone trailing digit after 万/亿 is one step down.
        if len(tail) == 1 and tail in CHINESE_DIGITS and section_start > 0 and chars[section_start - 1] in _BIG_UNITS:
            step = _BIG_UNITS[chars[section_start - 1]] // 10
            tail_value = CHINESE_DIGITS[tail] * step
        else:
            tail_value = _section(tail)
    return total + pending + tail_value


def chinese_to_number(span: str) -> Number:
    """Return the exact value of a Chinese numeral span (``int`` or ``Decimal``).

    Accepts 两/兩, traditional and financial digits, 点 decimals and a leading 百分之 (the
    percentage number itself is returned: 百分之十三点二 → 13.2). Raises ``ValueError`` on text
    that is not a numeral.

    Example:
        >>> chinese_to_number("七百六十六亿四千万"), chinese_to_number("二百零五")
        (76640000000, 205)
        >>> chinese_to_number("三点五"), chinese_to_number("負十點五"), chinese_to_number("二百五")
        (Decimal('3.5'), Decimal('-10.5'), 250)
    """
    s = span.strip()
    if s[:1] in _SIGNS:  # 负十点五 = -10.5 (负/負 or a minus sign)
        value = chinese_to_number(s[1:])
        return -value
    if s.startswith("百分之"):
        s = s[3:]
    point = next((p for p in _POINT if p in s), None)
    if point is None:
        return _integer(s)
    whole, frac = s.split(point, 1)
    if not frac or any(ch not in CHINESE_DIGITS for ch in frac):
        raise ValueError(f"bad decimal part in {span!r}")
    digits = "".join(str(CHINESE_DIGITS[ch]) for ch in frac)
    head = _integer(whole) if whole else 0
    try:
        return Decimal(f"{head}.{digits}")
    except InvalidOperation as exc:  # pragma: no cover - defensive
        raise ValueError(span) from exc


def split_chinese_magnitude(span: str) -> tuple[Number, int]:
    """Split a Chinese numeral into (number, multiplier) following the gold convention.

    A trailing 万/亿 run next to a plain number is the magnitude (五万 → (5, 10000)); when
    the part before it already holds 万/亿 (七百六十六亿四千万) the whole is one number.

    Example:
        >>> split_chinese_magnitude("五万"), split_chinese_magnitude("三万五千")
        ((5, 10000), (35000, 1))
    """
    s = span
    end = len(s)
    while end > 0 and s[end - 1] in _BIG_UNITS:
        end -= 1
    head, mag = s[:end], s[end:]
    if mag and head and not any(ch in _BIG_UNITS for ch in head):
        return chinese_to_number(head), magnitude_multiplier(mag)
    return chinese_to_number(s), 1


def small_chinese_int(numeral: str) -> int | None:
    """Return the value of a small Chinese numeral (一 … 九十九, ordinals of headings and plans), else None.

    The one parser of heading numbers (一、 (二)), plan ordinals (十三五) and month/day numerals (十二月).

    Example:
        >>> small_chinese_int("十二"), small_chinese_int("三"), small_chinese_int("二十"), small_chinese_int("")
        (12, 3, 20, None)
    """
    if not numeral or len(numeral) > 3 or any(ch not in "一二三四五六七八九十" for ch in numeral):
        return None
    if numeral.count("十") > 1 or (len(numeral) > 1 and "十" not in numeral):
        return None
    if len(numeral) == 3 and numeral[1] != "十":
        return None
    return _section(numeral)


def digit_string_to_int(numeral: str) -> int | None:
    """Read a run of Chinese digits one by one (二〇一七 → 2017, 二○一五 → 2015), else None.

    Example:
        >>> digit_string_to_int("二〇一七"), digit_string_to_int("二○一五"), digit_string_to_int("二十")
        (2017, 2015, None)
    """
    if not numeral or any(ch not in CHINESE_DIGITS for ch in numeral):
        return None
    return int("".join(str(CHINESE_DIGITS[ch]) for ch in numeral))


def int_to_chinese(number: int) -> str:
    """Write 1..99 as a Chinese numeral (the inverse of :func:`small_chinese_int`).

    Example:
        >>> int_to_chinese(1), int_to_chinese(10), int_to_chinese(14), int_to_chinese(30)
        ('一', '十', '十四', '三十')
    """
    if not 1 <= number <= 99:
        raise ValueError(f"int_to_chinese handles 1..99, not {number}")
    digits = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def vague_range(numeral: str) -> tuple[int, int] | None:
    """Return (low, high) of a vague Chinese numeral, or None when ``numeral`` is not vague.

    Neighbouring digits (三四, 八九, 三五百, 四五千, 十七八), 几/数 with a unit of ten (几十 = 10..100,
    数百 = 100..1000, following the money parser of JioNLP) and 十几 / 二十几 (10..20, 20..30).
    A bare 几 or 数 is too vague to give a range (None); 万/亿 after the numeral are the caller's multiplier.

    Example:
        >>> vague_range("三四"), vague_range("三五百"), vague_range("几十"), vague_range("十几"), vague_range("三十")
        ((3, 4), (300, 500), (10, 100), (10, 20), None)
    """
    s = numeral
    if len(s) >= 2 and s[0] in "几数" and s[1:] in _SMALL_UNITS:  # 几十, 数百, 几千
        unit = _SMALL_UNITS[s[1:]]
        return unit, unit * 10
    if s.endswith("几") and len(s) >= 2 and s[-2] == "十":  # 十几, 二十几
        head = _section(s[:-1]) if all(ch in CHINESE_DIGITS or ch in _SMALL_UNITS for ch in s[:-1]) else None
        return None if head is None else (head, head + 10)
    unit = 1
    if s[-1:] in _SMALL_UNITS and len(s) == 3:  # 三四十, 三五百, 四五千
        unit, s = _SMALL_UNITS[s[-1]], s[:-1]
    tens = 0
    if len(s) == 3 and s[0] == "十" and unit == 1:  # 十七八 = 17..18
        tens, s = 10, s[1:]
    if len(s) != 2 or any(ch not in CHINESE_DIGITS for ch in s):
        return None
    a, b = CHINESE_DIGITS[s[0]], CHINESE_DIGITS[s[1]]
    if (a, b) not in _VAGUE_PAIRS:
        return None
    return tens + a * unit, tens + b * unit
