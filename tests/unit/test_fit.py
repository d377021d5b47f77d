"""Fitting a message that embeds typed text: only the typed parts shrink.

The stand-in's HTML parser (a reimplementation of Telegram's) is the oracle: the fitted
text must parse and be within the limit as Telegram counts it, and every line that is not
the officer's must arrive whole.
"""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.views.textsplit import CAPTION_LIMIT, TEXT_LIMIT, fit, typed, visible_length
from fakegram.formatting import parse_html, utf16_len

MORE = "… (selengkapnya: /riwayat LKT-2026-TW2)"
# Emoji (two UTF-16 units), RTL, zero-width, HTML-looking text, the marks themselves.
TYPED = st.text(
    st.sampled_from("ab z.<>&\"'😀👩‍👩‍👧\u202e\u200b\u200dعبر中\n\ufdd0\ufdd1"), max_size=3000
)


def telegram_length(text: str) -> int:
    plain, _ = parse_html(text)
    return utf16_len(plain)


def task(reason: str, subject: str = "Laporan") -> str:
    return "\n".join(
        [
            "<b>LKT-2026-TW2</b> · Langkah 8: Paraf akhir",
            f"Perihal: {typed(html.escape(subject))}",
            "Batas waktu: Senin, 6 Juli 2026 pukul 10.00 WIB",
            f"↩️ Dikembalikan oleh Dr. H. Ahmad Santoso\nAlasan: {typed(html.escape(reason))}",
        ]
    )


def test_a_text_that_fits_is_unchanged_but_for_the_marks() -> None:
    text = task("Tabel <capaian> & format")
    assert fit(text) == text.replace("\ufdd0", "").replace("\ufdd1", "")
    assert "Alasan: Tabel &lt;capaian&gt; &amp; format" in fit(text)


def test_a_long_reason_is_shortened_with_the_pointer_and_the_task_lines_stay() -> None:
    reason = "Mohon diperbaiki tabel capaian. " * 150  # ~4,800 characters
    fitted = fit(task(reason), TEXT_LIMIT, MORE)
    assert telegram_length(fitted) <= TEXT_LIMIT
    assert fitted.endswith(MORE)
    assert "Langkah 8: Paraf akhir" in fitted
    assert "Batas waktu: Senin, 6 Juli 2026 pukul 10.00 WIB" in fitted
    assert "Perihal: Laporan\n" in fitted  # the short part stays whole
    assert telegram_length(fitted) > TEXT_LIMIT - 40  # as full as allowed


def test_the_cut_never_falls_inside_an_entity() -> None:
    fitted = fit(task("&" * 5000), TEXT_LIMIT, MORE)
    parse_html(fitted)  # raises on a broken entity
    assert "&amp;…" in fitted


def test_a_caption_is_fitted_to_its_own_limit() -> None:
    fitted = fit(f"LKT · {typed('x' * 2000)}", CAPTION_LIMIT, MORE)
    assert visible_length(fitted) <= CAPTION_LIMIT


def test_long_parts_share_the_room_and_short_ones_stay_whole() -> None:
    text = "\n".join(typed(s) for s in ("a" * 3000, "b" * 3000, "c" * 10))
    fitted = fit(text, TEXT_LIMIT, MORE)
    a, b, c = fitted.split("\n")
    assert c == "c" * 10
    assert abs(len(a) - len(b)) <= 1 and a.endswith(MORE)


def test_when_the_pointer_does_not_fit_a_bare_ellipsis_ends_the_part() -> None:
    assert fit(f"abc {typed('x' * 50)}", 10, MORE) == "abc xxxxx…"


@settings(max_examples=200, deadline=None)
@given(TYPED, TYPED, st.sampled_from([TEXT_LIMIT, CAPTION_LIMIT, 300]))
def test_any_typed_text_fits_and_parses(reason: str, subject: str, limit: int) -> None:
    fitted = fit(task(reason, subject), limit, MORE)
    assert telegram_length(fitted) <= limit
    assert "\ufdd0" not in fitted and "\ufdd1" not in fitted
    assert fitted.startswith("<b>LKT-2026-TW2</b> · Langkah 8: Paraf akhir\nPerihal: ")
    assert "\nBatas waktu: Senin, 6 Juli 2026 pukul 10.00 WIB\n" in fitted
