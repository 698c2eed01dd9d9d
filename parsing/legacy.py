"""Legacy Vietnamese text encodings: TCVN3 (ABC) and VNI-Windows → Unicode NFC, detected per column.

Cadastral files made with Famis/gCadas, MicroStation and old MapInfo/ArcView tools store
Vietnamese text in the 8-bit font encodings of the 1990s:

* **TCVN3 (ABC, TCVN 5712:1993 "VN3")**: one byte per letter; fonts ``.VnTime`` (lower case) and
  ``.VnTimeH`` (upper case, same codes). Read as Windows-1252 / Latin-1 it looks like
  ``"NguyÔn V¨n"`` for ``"Nguyễn Văn"``.
* **VNI-Windows**: an ASCII base letter followed by a mark byte: ``"Nguyeãn Vaên"``.
* **UTF-8 read as Latin-1** (a file without ``.cpg``): ``"Nguyá»…n"``.

The tables below were written for this project from the published TCVN 5712:1993 VN3 and
VNI-Windows code charts; :func:`to_tcvn3` / :func:`to_vni` are their inverses and the tests
round-trip every Vietnamese letter through them. No third-party library is used.

Detection (:func:`detect_column_encoding`) scores each candidate decoding by how many of the
column's words become valid Vietnamese syllables (onset + rhyme, at most one tone mark), so a
column is converted only when the evidence says so, and never when it already holds Unicode
Vietnamese letters outside Latin-1.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# --- TCVN3 (VN3) -----------------------------------------------------------------------------
# byte → Unicode letter (lower-case toned letters; upper case only for the 7 base letters).
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
#: The TCVN3 letters as they appear when the bytes are read as Latin-1 / Windows-1252.
TCVN3_TO_UNICODE: dict[str, str] = {chr(b): u for b, u in _TCVN3_BYTES.items()}
_UNICODE_TO_TCVN3: dict[str, str] = {u: chr(b) for b, u in _TCVN3_BYTES.items()}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)

# --- VNI-Windows -------------------------------------------------------------------------------
# Marks (as Latin-1 characters) after a base letter; lower-case marks for lower-case bases.
_VNI_TONES = {"acute": "ù", "grave": "ø", "hook": "û", "tilde": "õ", "dot": "ï"}
_VNI_CIRC_TONES = {"": "â", "acute": "á", "grave": "à", "hook": "å", "tilde": "ã", "dot": "ä"}
_VNI_BREVE_TONES = {"": "ê", "acute": "é", "grave": "è", "hook": "ú", "tilde": "ü", "dot": "ë"}
_TONE_COMBINING = {"acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
# Single-byte VNI letters (lower case → upper case is the same byte minus 0x20).
_VNI_SINGLE_LOWER = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _build_vni() -> dict[str, str]:
    """Unicode letter → VNI sequence (as Latin-1 characters), both cases."""
    table: dict[str, str] = {}

    def add(uni_lower: str, vni_lower: str) -> None:
        table[uni_lower] = vni_lower
        upper = "".join(chr(ord(c) - 0x20) if "\xe0" <= c <= "\xfe" else c.upper() for c in vni_lower)
        table[uni_lower.upper()] = upper

    for base in "aeouy":
        for tone, mark in _VNI_TONES.items():
            add(_nfc(base + _TONE_COMBINING[tone]), base + mark)
    for base in "aeo":  # â ê ô and their tones
        for tone, mark in _VNI_CIRC_TONES.items():
            add(_nfc(base + "\u0302" + _TONE_COMBINING.get(tone, "")), base + mark)
    for tone, mark in _VNI_BREVE_TONES.items():  # ă and its tones
        add(_nfc("a\u0306" + _TONE_COMBINING.get(tone, "")), "a" + mark)
    for horn_base, vni in (("o", "ô"), ("u", "ö")):  # ơ ư and their tones
        add(_nfc(horn_base + "\u031b"), vni)
        for tone, mark in _VNI_TONES.items():
            add(_nfc(horn_base + "\u031b" + _TONE_COMBINING[tone]), vni + mark)
    add("đ", "ñ")
    for uni, vni in (("í", "í"), ("ì", "ì"), ("ỉ", "æ"), ("ĩ", "ó"), ("ị", "ò"), ("ỵ", "î")):
        add(uni, vni)
    return table


_UNICODE_TO_VNI: dict[str, str] = _build_vni()
_VNI_TO_UNICODE: dict[str, str] = {v: k for k, v in _UNICODE_TO_VNI.items() if v != k}
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI_TO_UNICODE, key=len, reverse=True)))

_TONE_MARKS = set(_TONE_COMBINING.values())
_VI_LETTERS = set("abcdefghijklmnopqrstuvwxyzđ")
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_RHYMES = (
    "uyên|uyêt|uyêc|uyên|uyết|oong|oang|oanh|oăng|uông|ương|iêng|yêng|uyu|uya|uyê|oai|oao|oay|oeo|uây|"
    "uôi|ươi|ươu|iêu|yêu|uâ|oă|oa|oe|oo|uê|uơ|uy|uô|ươ|ưa|ưi|ưu|ua|ui|ia|iê|yê|iu|ai|ao|au|ay|âu|ây|"
    "eo|êu|oi|ôi|ơi|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE_RE = re.compile(rf"^(?:{_ONSETS})?(?:{_RHYMES})(?:ng|nh|ch|c|m|n|p|t|i|y|o|u)?$")


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (bytes read as Latin-1/Windows-1252) to Unicode NFC.

    Lower-case toned codes inside an all-capitals word (``.VnTimeH`` text such as ``"HîP"``)
    are upper-cased, since the capital font reuses the lower-case codes.

    Examples
    --------
    >>> tcvn3_to_unicode("NguyÔn V¨n")
    'Nguyễn Văn'
    """
    converted = text.translate(_TCVN3_TABLE)
    if converted == text:
        return _nfc(text)

    def fix_caps(match: re.Match) -> str:
        word_src, word = match.group(0), match.group(0).translate(_TCVN3_TABLE)
        ascii_letters = [c for c in word_src if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
            return word.upper()
        return word

    return _nfc(re.sub(r"[^\s\d.,;:/()\-+]+", fix_caps, text))


def unicode_to_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese as TCVN3 (returned as Latin-1 characters, one per byte).

    Capital toned letters, which TCVN3 VN3 has no code for, are written with the lower-case
    code (as ``.VnTimeH`` fonts do).

    Raises
    ------
    ValueError
        If a character has no TCVN3 code (e.g. a non-Vietnamese accented letter).
    """
    out = []
    for ch in _nfc(text):
        if ch.isascii():
            out.append(ch)
        elif ch in _UNICODE_TO_TCVN3:
            out.append(_UNICODE_TO_TCVN3[ch])
        elif ch.lower() in _UNICODE_TO_TCVN3:
            out.append(_UNICODE_TO_TCVN3[ch.lower()])
        else:
            raise ValueError(f"Ký tự {ch!r} không có mã TCVN3")
    return "".join(out)


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text (bytes read as Latin-1/Windows-1252) to Unicode NFC.

    >>> vni_to_unicode("Nguyeãn Vaên")
    'Nguyễn Văn'
    """
    return _nfc(_VNI_RE.sub(lambda m: _VNI_TO_UNICODE[m.group(0)], text))


def unicode_to_vni(text: str) -> str:
    """Encode Unicode Vietnamese as VNI-Windows (Latin-1 characters, one per byte).

    Raises
    ------
    ValueError
        If a character has no VNI code.
    """
    out = []
    for ch in _nfc(text):
        if ch.isascii():
            out.append(ch)
        elif ch in _UNICODE_TO_VNI:
            out.append(_UNICODE_TO_VNI[ch])
        else:
            raise ValueError(f"Ký tự {ch!r} không có mã VNI")
    return "".join(out)


def utf8_mojibake_to_unicode(text: str) -> str:
    """Undo UTF-8 bytes that were decoded as Latin-1/Windows-1252 (``"Nguyá»…n"`` → ``"Nguyễn"``).

    Returns the text unchanged when it is not such mojibake.
    """
    for codec in ("cp1252", "latin-1"):
        try:
            return _nfc(text.encode(codec).decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


DECODERS = {
    "tcvn3": tcvn3_to_unicode,
    "vni": vni_to_unicode,
    "utf8_as_latin1": utf8_mojibake_to_unicode,
}
ENCODING_LABELS_VI = {
    "unicode": "Unicode (không cần chuyển)",
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI-Windows",
    "utf8_as_latin1": "UTF-8 bị đọc nhầm thành Latin-1",
}


def _word_score(word: str) -> int:
    """+1 for a valid Vietnamese syllable with diacritics, -1 for an impossible word, 0 for plain ASCII."""
    if word.isascii():
        return 0
    lower = word.lower()
    decomposed = unicodedata.normalize("NFD", lower)
    tones = sum(1 for c in decomposed if c in _TONE_MARKS)
    base = _nfc("".join(c for c in decomposed if c not in _TONE_MARKS))
    if tones > 1:
        return -1
    if not all(unicodedata.normalize("NFD", c)[0] in _VI_LETTERS for c in base):
        return -1
    if word[1:] != word[1:].lower() and word[1:] != word[1:].upper():  # "NguyÔn": capital inside a word
        return -1
    return 1 if _SYLLABLE_RE.match(base) else -1


def vietnamese_score(values: list[str]) -> int:
    """Sum of :func:`_word_score` over the words of ``values`` (higher = more plausibly Vietnamese)."""
    total = 0
    for value in values:
        for word in re.findall(r"[^\W\d_]+", value):
            total += _word_score(word)
    return total


@dataclass
class ColumnEncoding:
    """Result of :func:`detect_column_encoding` for one text column.

    Attributes
    ----------
    column : str
    encoding : str
        ``"unicode"`` (left as is), ``"tcvn3"``, ``"vni"`` or ``"utf8_as_latin1"``.
    scores : dict
        Plausibility score of every candidate (for the report).
    samples : list of (before, after)
        Up to 5 distinct values that the conversion changed.
    """

    column: str
    encoding: str
    scores: dict = field(default_factory=dict)
    samples: list = field(default_factory=list)


def detect_column_encoding(column: str, values) -> ColumnEncoding:
    """Decide which legacy encoding (if any) the text values of one column are in.

    Parameters
    ----------
    column : str
        Column name (for the report).
    values : iterable of str or None
        The column's values as read (legacy bytes appear as Latin-1 characters).

    Returns
    -------
    ColumnEncoding
        ``encoding == "unicode"`` when no candidate beats the text as read by a clear margin,
        or when the column already holds Vietnamese letters outside Latin-1 (real Unicode).
    """
    texts = list(dict.fromkeys(v for v in values if isinstance(v, str) and v and not v.isascii()))  # unique, in order
    result = ColumnEncoding(column=column, encoding="unicode")
    if not texts:
        return result
    if any(ord(c) > 0xFF and c not in "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178" for t in texts for c in t):
        # Real Unicode Vietnamese (ễ, ư …) is present: the column is already Unicode.
        result.scores = {"unicode": vietnamese_score(texts[:300])}
        return result
    sample = texts[:300]
    scores = {"unicode": vietnamese_score(sample)}
    for name, decode in DECODERS.items():
        scores[name] = vietnamese_score([decode(t) for t in sample])
    result.scores = scores
    best = max(DECODERS, key=lambda n: scores[n])
    if scores[best] > scores["unicode"] and scores[best] > 0:
        result.encoding = best
        decode = DECODERS[best]
        seen = set()
        for t in texts:
            after = decode(t)
            if after != t and t not in seen:
                seen.add(t)
                result.samples.append((t, after))
                if len(result.samples) >= 5:
                    break
    return result


def convert_text_columns(df, columns=None):
    """Detect and convert every text column of ``df`` to Unicode NFC.

    Parameters
    ----------
    df : pandas.DataFrame
        Attributes as read; not modified.
    columns : list of str, optional
        Columns to examine (default: every object/string column except ``geometry``).

    Returns
    -------
    (DataFrame, list of ColumnEncoding)
        A copy with converted columns (all text NFC-normalised), and the per-column decisions
        (only the columns that held non-ASCII text).
    """
    out = df.copy()
    decisions: list[ColumnEncoding] = []
    if columns is None:
        columns = [c for c in out.columns if c != "geometry" and (out[c].dtype == object or str(out[c].dtype).startswith("str"))]
    for col in columns:
        values = out[col].tolist()
        decision = detect_column_encoding(col, values)
        if decision.scores:
            decisions.append(decision)
        decode = DECODERS.get(decision.encoding, _nfc)
        cache: dict[str, str] = {}
        converted = []
        for v in values:
            if isinstance(v, str):
                if v not in cache:
                    cache[v] = decode(v)
                converted.append(cache[v])
            else:
                converted.append(v)
        out[col] = converted
    return out, decisions
