"""The fake's Telegram-HTML parser: what it refuses and what the user ends up seeing."""

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakegram.formatting import EntityParseError, parse_html, strip_text, utf16_len


def test_tags_become_entities_with_plain_text():
    text, entities = parse_html('<b>Tugas</b> <i>baru</i>: <a href="https://x.id">lihat</a>')
    assert text == "Tugas baru: lihat"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "italic", "offset": 6, "length": 4},
        {"type": "text_link", "offset": 12, "length": 5, "url": "https://x.id"},
    ]


def test_entities_decode_and_offsets_count_utf16_units():
    text, entities = parse_html("&lt;😀&gt; &amp; <u>ok</u> &#65;&#x42; &amp")
    assert text == "<😀> & ok AB &"
    # The emoji takes two UTF-16 units, so "ok" starts at 7, not 6.
    assert entities == [{"type": "underline", "offset": 7, "length": 2}]


def test_pre_with_code_language_and_expandable_blockquote():
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>kutipan</blockquote><tg-spoiler>r</tg-spoiler>"
        '<span class="tg-spoiler">s</span>'
    )
    assert text == "x = 1kutipanrs"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 5, "length": 7},
        {"type": "spoiler", "offset": 12, "length": 1},
        {"type": "spoiler", "offset": 13, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("é</b>", "Unexpected end tag at byte offset 2"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_refusals_use_telegram_wording(source, error):
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error


def test_strip_trims_blanks_and_shifts_entities():
    text, entities = parse_html("\n  <b>Halo</b> dunia  \n")
    assert strip_text(text, entities) == (
        "Halo dunia",
        [{"type": "bold", "offset": 0, "length": 4}],
    )


@given(st.text())
def test_escaped_text_round_trips_unchanged(raw):
    text, entities = parse_html(html.escape(raw))
    assert text == raw
    assert entities == []


@given(st.lists(st.tuples(st.sampled_from(["b", "i", "u", "s", "code"]), st.text(min_size=1))))
def test_wrapped_pieces_give_one_entity_each_at_utf16_offsets(pieces):
    source = "".join(f"<{tag}>{html.escape(body)}</{tag}>" for tag, body in pieces)
    text, entities = parse_html(source)
    assert text == "".join(body for _, body in pieces)
    offset = 0
    for (_, body), entity in zip(pieces, entities, strict=True):
        assert (entity["offset"], entity["length"]) == (offset, utf16_len(body))
        offset += utf16_len(body)


@given(st.text(alphabet="<>/&abi \"'=;#x1"))
def test_arbitrary_input_either_parses_or_says_why(source):
    try:
        text, _ = parse_html(source)
    except EntityParseError as exc:
        assert str(exc)
    else:
        assert len(text) <= len(source)
