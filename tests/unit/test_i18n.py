"""The message catalogue: the shipped files agree, and values never break Telegram HTML."""

from __future__ import annotations

import string
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.views.commands import COMMANDS as REGISTRY
from bot.views.i18n import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    Catalogue,
    CatalogueError,
    Raw,
    parse_placeholders,
    resolve_language,
)

MESSAGES = Path(__file__).resolve().parents[2] / "bot" / "views" / "messages"

# Telegram's HTML subset (Bot API "HTML style").
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"span", "tg-spoiler", "tg-emoji", "blockquote"}
)

# Shown without parse_mode: callback answers, the command menu, the console.
PLAIN_SECTIONS = ("commands.", "errors.", "task.button.")
CALLBACK_ANSWERS = (
    "common.stale_button",
    "common.already_done",
    "common.not_your_task",
    "common.not_allowed",
    "task.version_replaced",
    "task.claimed",
)


def _flat(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def _read(lang: str) -> dict[str, str]:
    """The language's main file merged with its feature files (`<lang>/*.toml`)."""
    texts = [(MESSAGES / f"{lang}.toml").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((MESSAGES / lang).glob("*.toml"))]
    return _flat(tomllib.loads("\n".join(texts)))


def _fields(template: str) -> set[str]:
    # Independent of bot.views.i18n: string.Formatter is what str.format uses.
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict[str, str]]:
    return {lang: _read(lang) for lang in SUPPORTED_LANGUAGES}


# --- the shipped files ---------------------------------------------------------------


def test_every_supported_language_has_a_file() -> None:
    assert SUPPORTED_LANGUAGES == ("id", "en")
    assert sorted(p.stem for p in MESSAGES.glob("*.toml")) == sorted(SUPPORTED_LANGUAGES)


def test_files_have_exactly_the_same_keys(shipped: dict[str, dict[str, str]]) -> None:
    assert set(shipped["en"]) == set(shipped["id"])


def test_files_have_the_same_placeholders_per_key(shipped: dict[str, dict[str, str]]) -> None:
    differing = {
        key: (_fields(shipped["id"][key]), _fields(shipped["en"][key]))
        for key in shipped["id"]
        if _fields(shipped["id"][key]) != _fields(shipped["en"][key])
    }
    assert differing == {}


def test_every_string_parses_and_has_only_plain_placeholders(
    shipped: dict[str, dict[str, str]],
) -> None:
    for lang, table in shipped.items():
        for key, template in table.items():
            assert isinstance(template, str), (lang, key)
            assert template.strip() == template and template, (lang, key)
            for _, field, spec, conversion in string.Formatter().parse(template):
                if field is not None:
                    assert field.isidentifier() and not spec and not conversion, (lang, key)


def test_keys_are_snake_case(cat: Catalogue) -> None:
    for key in cat:
        for part in key.split("."):
            assert part.isidentifier() and part == part.lower(), key


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}> is not a Telegram tag")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.problems.append(f"bare angle bracket in {data!r}")


def _html_problems(text: str) -> list[str]:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems + [f"<{tag}> never closed" for tag in checker.open]
    if "&" in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").replace(
        "&quot;", ""
    ).replace("&#x27;", ""):
        problems.append("bare &")
    return problems


def test_every_message_renders_to_valid_telegram_html(cat: Catalogue) -> None:
    hostile = '<b>Tom & Jerry\'s "draft"</b>'
    for lang in SUPPORTED_LANGUAGES:
        for key in cat:
            params = dict.fromkeys(cat.placeholders(key), hostile)
            rendered = cat.text(lang, key, **params)
            assert _html_problems(rendered) == [], (lang, key, rendered)
            assert "<b>Tom" not in rendered, (lang, key)


def test_plain_text_messages_carry_no_markup(cat: Catalogue) -> None:
    plain_keys = [k for k in cat if k.startswith(PLAIN_SECTIONS)] + list(CALLBACK_ANSWERS)
    for lang in SUPPORTED_LANGUAGES:
        for key in plain_keys:
            rendered = cat.plain(lang, key, **dict.fromkeys(cat.placeholders(key), "x"))
            assert "<" not in rendered and "&" not in rendered, (lang, key)


def test_callback_answers_fit_telegrams_limit(cat: Catalogue) -> None:
    # answerCallbackQuery text: at most 200 characters; leave room for a name.
    for lang in SUPPORTED_LANGUAGES:
        for key in CALLBACK_ANSWERS:
            params = dict.fromkeys(cat.placeholders(key), "x" * 40)
            assert len(cat.plain(lang, key, **params)) <= 200, (lang, key)


COMMANDS = tuple(c.name for c in REGISTRY)  # the one registry of chat commands


def test_every_command_has_a_description_telegram_accepts(cat: Catalogue) -> None:
    described = {k for k in cat if k.startswith("commands.")}
    assert described == {f"commands.{c}" for c in COMMANDS}, "every command, and only those"
    for lang in SUPPORTED_LANGUAGES:
        for command in COMMANDS:
            description = cat.plain(lang, f"commands.{command}")
            assert 3 <= len(description) <= 256, (lang, command)


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("common.cancel", {}, "Batal"),
        ("common.stale_button", {}, "Tombol ini sudah tidak berlaku."),
        (
            "common.unknown_user",
            {"contact": "Dinas Pendidikan, silakan hubungi sekretariat."},
            "Mohon maaf, Bapak/Ibu belum terdaftar sebagai pengguna bot ini. "
            "Untuk pendaftaran: Dinas Pendidikan, silakan hubungi sekretariat.",
        ),
        (
            "task.header",
            {"case_code": "LKT-2026-TW2", "number": 5, "title": "Memeriksa draf"},
            "<b>LKT-2026-TW2</b> · Langkah 5: Memeriksa draf",
        ),
        ("task.needs", {"items": "RENSTRA, RENJA"}, "Kelengkapan: RENSTRA, RENJA"),
        ("task.output", {"output": "Konsep laporan"}, "Keluaran: Konsep laporan"),
        (
            "task.deadline",
            {"deadline": "Senin, 6 Juli 2026 pukul 10.00 WIB"},
            "Batas waktu: Senin, 6 Juli 2026 pukul 10.00 WIB",
        ),
        (
            "task.done",
            {"name": "Budi", "when": "06/07/2026 10.00 WIB"},
            "✅ Selesai oleh Budi pada 06/07/2026 10.00 WIB",
        ),
        (
            "task.draft_received",
            {
                "version": 3,
                "filename": "draf.docx",
                "size": "1,2 MB",
                "case_code": "LKT-2026-TW2",
                "step": "Pengetikan draf",
            },
            "📎 Draf versi 3 diterima untuk <b>LKT-2026-TW2</b> · Pengetikan draf:"
            " draf.docx (1,2 MB).",
        ),
        ("task.button.approve", {}, "Setujui"),
        ("task.button.return", {}, "Kembalikan"),
        ("task.button.paraf", {}, "Paraf"),
        ("task.button.sign", {}, "Tanda tangani"),
        ("task.button.send", {}, "Kirim"),
        ("task.button.done", {}, "Selesai"),
        ("task.button.order", {}, "Perintahkan"),
        ("task.button.disposition", {}, "Disposisikan"),
        ("task.button.continue_without", {}, "Lanjut tanpa"),
        ("digest.all_on_time", {}, "Semua tugas tepat waktu."),
    ],
)
def test_indonesian_wording(cat: Catalogue, key: str, params: dict, expected: str) -> None:
    assert cat.text("id", key, **params) == expected


def test_overdue_reminder_says_how_late(cat: Catalogue) -> None:
    text = cat.text(
        "id",
        "reminder.overdue",
        case_code="LKT-2026-TW2",
        number=4,
        title="Mengetik konsep",
        overdue="1 hari 2 jam",
        deadline="Senin, 6 Juli 2026 pukul 10.00 WIB",
    )
    assert "terlambat 1 hari 2 jam" in text


def test_the_seeded_sections_are_there(cat: Catalogue) -> None:
    sections = {key.split(".")[0] for key in cat}
    assert sections >= {
        "common",
        "task",
        "reason",
        "reminder",
        "digest",
        "case",
        "file",
        "commands",
        "errors",
    }


def test_indonesian_is_formal(cat: Catalogue, shipped: dict[str, dict[str, str]]) -> None:
    informal = ("kamu", "anda ", "lu ", "gue", "kau ")
    for key, template in shipped["id"].items():
        lowered = f" {template.lower()} "
        assert not any(f" {word}" in lowered for word in informal), key
    assert "Bapak/Ibu" in cat.text("id", "common.not_your_task")


# --- text(): escaping, Raw, fallback, errors -----------------------------------------


def test_params_are_html_escaped(cat: Catalogue) -> None:
    text = cat.text("id", "task.done", name="<b>Budi</b> & Co", when="10.00 WIB")
    assert text == "✅ Selesai oleh &lt;b&gt;Budi&lt;/b&gt; &amp; Co pada 10.00 WIB"


def test_non_string_params_are_converted(cat: Catalogue) -> None:
    text = cat.text("id", "task.header", case_code="LKT-2026-TW2", number=7, title="X")
    assert text == "<b>LKT-2026-TW2</b> · Langkah 7: X"


def test_raw_params_are_inserted_as_is(cat: Catalogue) -> None:
    mention = Raw('<a href="tg://user?id=42">Budi</a>')
    text = cat.text("id", "task.done", name=mention, when="10.00 WIB")
    assert text == '✅ Selesai oleh <a href="tg://user?id=42">Budi</a> pada 10.00 WIB'
    assert str(Raw(5)) == "5"


def test_plain_does_not_escape(cat: Catalogue) -> None:
    assert cat.plain("id", "task.claimed", name="Tom & Jerry") == (
        "Tugas ini sudah ditangani oleh Tom & Jerry; Bapak/Ibu tidak perlu menindaklanjutinya."
    )


def test_english(cat: Catalogue) -> None:
    assert cat.text("en", "common.cancel") == "Cancel"
    assert cat.text("en", "task.deadline", deadline="x") == "Deadline: x"


@pytest.mark.parametrize("lang", ["fr", "", "xx-YY", "EN-US", "en_GB", "in", "id-ID"])
def test_language_fallback(cat: Catalogue, lang: str) -> None:
    expected = "Cancel" if lang.lower().startswith("en") else "Batal"
    assert cat.text(lang, "common.cancel") == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "id"),
        ("", "id"),
        ("id", "id"),
        ("in", "id"),
        ("en", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("ms", "id"),
        ("de", "id"),
    ],
)
def test_resolve_language(lang: str | None, expected: str) -> None:
    assert resolve_language(lang) == expected
    assert DEFAULT_LANGUAGE == "id"


def test_unknown_key_raises_key_error_naming_it(cat: Catalogue) -> None:
    with pytest.raises(KeyError, match=r"task\.no_such_message"):
        cat.text("id", "task.no_such_message")
    with pytest.raises(KeyError, match="task"):
        cat.text("id", "task")  # a section is not a message


def test_missing_param_raises_key_error_naming_it(cat: Catalogue) -> None:
    with pytest.raises(KeyError, match="'deadline'"):
        cat.text("id", "task.deadline")
    with pytest.raises(KeyError, match="'when'"):
        cat.text("en", "task.done", name="Budi")


def test_extra_params_are_ignored(cat: Catalogue) -> None:
    assert cat.text("id", "common.cancel", name="Budi") == "Batal"


def test_has_and_keys(cat: Catalogue) -> None:
    assert cat.has("task.deadline")
    assert cat.has("task.button.approve")
    assert not cat.has("task.button")
    assert not cat.has("nope")
    keys = cat.keys()
    assert "common.yes" in keys
    assert "common.yes" in cat
    assert list(cat) == list(keys)
    assert len(cat) == len(keys)
    assert next(iter(keys)) == "common.yes"  # file order
    assert set(keys) == set(_read("id"))
    assert cat.placeholders("task.deadline") == frozenset({"deadline"})


def test_load_is_done_once() -> None:
    assert Catalogue.load() is Catalogue.load()


# --- a broken catalogue is refused when it loads -------------------------------------


def _build(id_src: str, en_src: str) -> Catalogue:
    return Catalogue.from_toml({"id": id_src, "en": en_src})


def test_small_catalogue_from_toml() -> None:
    cat = _build('[a]\nb = "Halo {name}"\n', '[a]\nb = "Hello {name}"\n')
    assert cat.text("en", "a.b", name="<x>") == "Hello &lt;x&gt;"
    assert cat.text("fr", "a.b", name="x") == "Halo x"
    assert list(cat.keys()) == ["a.b"]


def test_literal_braces() -> None:
    cat = _build('[a]\nb = "{{kode}} {name}"\n', '[a]\nb = "{{code}} {name}"\n')
    assert cat.text("id", "a.b", name="x") == "{kode} x"


def test_catalogue_with_only_the_default_language_falls_back() -> None:
    cat = Catalogue({"id": {"a.b": "Halo"}})
    assert cat.text("en", "a.b") == "Halo"


@pytest.mark.parametrize(
    ("id_src", "en_src", "problem"),
    [
        ('[a]\nb = "x"\nc = "y"\n', '[a]\nb = "x"\n', "en: a.c: missing"),
        ('[a]\nb = "x"\n', '[a]\nb = "x"\nc = "y"\n', "en: a.c: not in id"),
        ('[a]\nb = "{x}"\n', '[a]\nb = "{y}"\n', "en: a.b: placeholders ['y'] differ"),
        ('[a]\nb = "{x}"\n', '[a]\nb = "x"\n', "placeholders [] differ"),
        ('[a]\nb = "{x"\n', '[a]\nb = "x"\n', "id: a.b: "),
        ('[a]\nb = "x}"\n', '[a]\nb = "x"\n', "Single '}'"),
        ('[a]\nb = "{}"\n', '[a]\nb = "{}"\n', "not a plain name"),
        ('[a]\nb = "{0}"\n', '[a]\nb = "{0}"\n', "not a plain name"),
        ('[a]\nb = "{x.y}"\n', '[a]\nb = "{x.y}"\n', "not a plain name"),
        ('[a]\nb = "{x:>3}"\n', '[a]\nb = "{x:>3}"\n', "format spec"),
        ('[a]\nb = "{x!r}"\n', '[a]\nb = "{x!r}"\n', "format spec"),
        ('[a]\nb = "{key}"\n', '[a]\nb = "{key}"\n', "reserved"),
        ("[a]\nb = 3\n", '[a]\nb = "x"\n', "id.toml: a.b: expected a string"),
        ('[a]\nb = "x\n', '[a]\nb = "x"\n', "id.toml:"),
    ],
)
def test_broken_catalogues_are_refused(id_src: str, en_src: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as info:
        _build(id_src, en_src)
    assert problem in str(info.value)
    assert isinstance(info.value, ValueError)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(CatalogueError) as info:
        _build('[a]\nb = "{x}"\nc = "y"\nd = "{"\n', '[a]\nb = "{z}"\nd = "z"\n')
    assert len(info.value.problems) == 3


def test_unsupported_or_missing_default_language_is_refused() -> None:
    with pytest.raises(CatalogueError, match="default language"):
        Catalogue({"en": {"a.b": "x"}})
    with pytest.raises(CatalogueError, match="not a supported language"):
        Catalogue({"id": {"a.b": "x"}, "fr": {"a.b": "x"}})


def test_parse_placeholders() -> None:
    assert parse_placeholders("Batas waktu: {deadline}") == frozenset({"deadline"})
    assert parse_placeholders("{a} {b} {a} {{c}}") == frozenset({"a", "b"})
    assert parse_placeholders("tanpa") == frozenset()


def test_a_name_ending_in_a_title_ends_the_sentence_with_one_full_stop(cat: Catalogue) -> None:
    """ "... sebagai Dra. Siti, M.M." and never "M.M..": a title's dot ends the sentence."""
    text = cat.text("id", "onboarding.already_linked", name="Dra. Siti Rahma, M.M.")
    assert text.endswith("sebagai Dra. Siti Rahma, M.M.")
    assert ".." not in text
    english = cat.text("en", "onboarding.already_linked", name="Dra. Siti Rahma, M.M.")
    assert english.endswith("as Dra. Siti Rahma, M.M.")


def test_only_a_doubled_full_stop_is_dropped() -> None:
    small = Catalogue.from_toml(
        {"id": 'a = "Oleh {name}. Lalu {x}..."', "en": 'a = "By {name}. Then {x}..."'}
    )
    assert small.text("id", "a", name="Budi", x="v") == "Oleh Budi. Lalu v..."
    assert small.text("id", "a", name="Budi, S.E.", x="v.") == "Oleh Budi, S.E. Lalu v..."
    assert small.text("id", "a", name="Budi, S.E.", x="w") == "Oleh Budi, S.E. Lalu w..."
