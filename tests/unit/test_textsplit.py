"""Long HTML messages split the way Telegram accepts them.

The stand-in's HTML parser (a reimplementation of Telegram's) is the oracle: every piece
must parse, stay under the limit as Telegram counts it, and together keep every line.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.views.textsplit import CAPTION_LIMIT, TEXT_LIMIT, shorten, split_html, visible_length
from fakegram.formatting import parse_html, utf16_len

# Letters, Indonesian text, HTML specials, blanks and characters outside the BMP.
WORDS = st.text(st.sampled_from("abcXYZ019 .,:-<>&\"'éñ😀中\u00a0\t"), max_size=24)
INLINE_TAGS = ("b", "i", "u", "s", "code", 'a href="https://example.org/?a=1&amp;b=2"')
BLOCK_TAGS = ("b", "i", "pre", "blockquote", "tg-spoiler")


def wrap(tag: str | None, inner: str) -> str:
    if tag is None:
        return inner
    return f"<{tag}>{inner}</{tag.split()[0]}>"


LINES = st.lists(st.tuples(st.sampled_from((None, *INLINE_TAGS)), WORDS), max_size=4).map(
    lambda segments: "".join(wrap(tag, html.escape(text)) for tag, text in segments)
)
# Groups of lines, some wrapped in one element spanning several lines.
DOCUMENTS = st.lists(
    st.tuples(st.sampled_from((None, None, *BLOCK_TAGS)), st.lists(LINES, max_size=6)),
    min_size=1,
    max_size=6,
).map(lambda groups: "\n".join(wrap(tag, "\n".join(body)) for tag, body in groups))


def plain(source: str) -> str:
    return parse_html(source)[0]


def non_blank_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


@settings(max_examples=250, deadline=None)
@given(DOCUMENTS, st.integers(min_value=8, max_value=120))
def test_pieces_are_valid_under_the_limit_and_keep_every_line(doc: str, limit: int) -> None:
    pieces = split_html(doc, limit)
    for piece in pieces:
        text, _ = parse_html(piece)  # raises on an unbalanced or split tag
        assert visible_length(piece) <= limit
        assert utf16_len(text) <= limit
        assert text.strip()
    # Nothing visible is lost or reordered; only blanks at the cuts may go.
    joined = "".join(plain(piece) for piece in pieces)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", plain(doc))
    # When every line fits, every line arrives whole.
    if max(utf16_len(line) for line in plain(doc).split("\n")) <= limit:
        assert [line for piece in pieces for line in non_blank_lines(plain(piece))] == (
            non_blank_lines(plain(doc))
        )


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS)
def test_length_is_counted_as_telegram_counts_it_and_a_fitting_text_is_left_alone(
    doc: str,
) -> None:
    assert visible_length(doc) == utf16_len(plain(doc))
    assert split_html(doc) == ([doc] if plain(doc).strip() else [])


def test_a_long_history_splits_at_line_boundaries_under_4096() -> None:
    rows = [
        f"06/07/2026 {8 + h // 60:02d}.{h % 60:02d} WIB · Langkah {h % 11 + 1} · "
        f"<b>Sri Wahyuni</b>: menyetujui draf versi {h} &amp; memaraf"
        for h in range(200)
    ]
    text = "<b>Riwayat LKT-2026-TW2</b>\n\n" + "\n".join(rows)
    pieces = split_html(text)
    assert visible_length(text) > 4 * TEXT_LIMIT
    assert len(pieces) == 5
    assert all(visible_length(p) <= TEXT_LIMIT for p in pieces)
    assert pieces[0].startswith("<b>Riwayat LKT-2026-TW2</b>\n\n06/07/2026 08.00 WIB")
    assert "\n".join(pieces) == text  # only the newlines between pieces were taken out


def test_the_limit_counts_what_the_reader_sees_not_the_markup() -> None:
    line = "<b>" + "&amp;" * 1000 + "</b>"  # 5007 characters of source, 1000 visible
    assert split_html("\n".join([line] * 4)) == ["\n".join([line] * 4)]
    assert len(split_html("\n".join([line] * 5))) == 2


def test_characters_outside_the_bmp_count_twice() -> None:
    assert visible_length("😀") == 2
    assert split_html("😀" * 600, CAPTION_LIMIT) == ["😀" * 512, "😀" * 88]


def test_an_over_long_line_is_cut_after_a_blank_outside_any_tag() -> None:
    words = " ".join(f"<i>kata{i}</i>" for i in range(300))  # one line, ~2,400 visible
    pieces = split_html(words, 1000)
    assert len(pieces) == 3
    for piece in pieces:
        parse_html(piece)
        assert piece.startswith("<i>kata") and piece.rstrip().endswith("</i>")


def test_a_line_without_blanks_is_cut_between_entities_never_inside_one() -> None:
    pieces = split_html("x&lt;" * 100, 45)
    assert [visible_length(p) for p in pieces] == [45, 45, 45, 45, 20]
    assert "".join(plain(p) for p in pieces) == "x<" * 100


def test_an_element_spanning_the_cut_is_closed_and_opened_again() -> None:
    code = "\n".join(f"baris {i:02d}" for i in range(10))  # 10 lines of 8
    link = '<a href="https://e.example/x?a=1&amp;b=2">'
    pieces = split_html(f"<pre>{code}</pre>\n{link}tautan panjang sekali</a>", 30)
    assert pieces == [
        "<pre>baris 00\nbaris 01\nbaris 02</pre>",
        "<pre>baris 03\nbaris 04\nbaris 05</pre>",
        "<pre>baris 06\nbaris 07\nbaris 08</pre>",
        f"<pre>baris 09</pre>\n{link}tautan panjang sekali</a>",
    ]


def test_blank_text_gives_no_pieces_and_tiny_limits_are_refused() -> None:
    assert split_html("") == []
    assert split_html("\n\n<b> </b>\n") == []
    with pytest.raises(ValueError, match="at least 2"):
        split_html("abc", 1)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Mengumpulkan bahan laporan", 40, "Mengumpulkan bahan laporan"),
        ("Memeriksa draft Laporan Periodik jika setuju", 38, "Memeriksa draft Laporan Periodik…"),
        ("Memberi paraf, dan menyerahkan", 16, "Memberi paraf…"),
        ("Pengadministrasiumum", 10, "Pengadmin…"),
    ],
)  # fmt: skip
def test_shorten_cuts_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit
