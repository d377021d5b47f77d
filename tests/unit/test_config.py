"""The config file is edited by agency staff: every mistake must come back as one exact,
readable line, all at once, and the bot token must never leak into a report or a repr."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    DEFAULT_SOP,
    PROJECT_ROOT,
    Channel,
    ConfigError,
    Language,
    Mode,
    Officer,
    Secret,
    load_config,
    parse_config,
)
from tests.support.config_files import MISTAKES, SOP_ROLES, TOKEN, parse, valid

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "config"
EXAMPLE = PROJECT_ROOT / "config.example.toml"
ENV_TOKEN = "987654321:ZZenvTokenFromTheEnvironment_xyz123"
WEBHOOK_SECRET = "s3cret-webhook_value"


def errors_of(data: dict[str, Any], env: dict[str, str] | None = None, **kwargs: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(data, env, **kwargs)
    return caught.value.errors


# ------------------------------------------------------------------------ a good file


def test_a_valid_config_parses_into_typed_settings() -> None:
    config = parse(valid(), base_dir=Path("/srv/sopbot"))

    assert config.telegram.token.reveal() == TOKEN
    assert config.telegram.mode is Mode.POLLING
    assert config.telegram.webhook_port == 8443
    assert config.agency.timezone == ZoneInfo("Asia/Makassar")
    assert config.agency.id == "default"
    assert config.agency.short_name == "DinasPendidikan"  # derived: letters/digits only
    assert config.agency.address == ""
    kadin = config.officer("kadin")
    assert kadin.nip == "196805121993031004"  # spaces removed
    assert kadin.nip_formatted == "19680512 199303 1 004"
    assert kadin.language is Language.ID
    assert config.officer("staf_agus").nip is None  # honorary staff: no NIP
    assert config.officer("staf_agus").language is Language.EN
    assert config.recipients[1].channel is Channel.EMAIL
    assert config.language is Language.ID
    assert config.storage.database == Path("/srv/sopbot/data/sopbot.db")
    assert config.storage.backups == Path("/srv/sopbot/data/backups")
    assert config.sops == (DEFAULT_SOP,)
    assert config.calendar == {}


def test_lookups_keep_file_order_and_answer_admin_questions() -> None:
    data = valid()
    data["admin_telegram_ids"] = [5555]
    config = parse(data)

    assert [o.key for o in config.officers_with_role("kabid")] == ["kabid_sd", "kabid_paud"]
    assert config.officers_with_role("sekretaris") == ()
    leader = config.leader_of("tim_sakip")
    assert leader is not None and leader.key == "sakip_ketua"
    assert config.leader_of("kabid") is None
    assert config.officer_by_telegram_id(1002) == config.officer("kabid_sd")
    assert config.officer_by_telegram_id(42) is None
    with pytest.raises(KeyError):
        config.officer("nobody")
    assert config.is_admin("kasubag")
    assert not config.is_admin("kadin")
    assert config.is_admin_telegram_id(5555)  # front-office admin, not an officer
    assert config.is_admin_telegram_id(1004)  # the admin officer's account
    assert not config.is_admin_telegram_id(1001)


def test_everything_is_frozen() -> None:
    config = parse(valid())
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.language = Language.EN  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.officers[0].role = "staf"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.calendar["x"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        config.telegram.token._value = "x"


def test_nip_may_be_written_as_a_toml_integer() -> None:
    data = valid()
    data["officers"][0]["nip"] = 196805121993031004
    assert parse(data).officer("kadin").nip == "196805121993031004"


def test_officer_language_defaults_to_the_top_level_language() -> None:
    data = valid()
    data["language"] = "en"
    config = parse(data)
    assert config.language is Language.EN
    assert config.officer("kadin").language is Language.EN


def test_known_roles_none_accepts_any_well_formed_role() -> None:
    data = valid()
    data["officers"][4]["role"] = "operator_srikandi"
    config = parse_config(data, {}, known_roles=None)
    assert config.officer("staf_agus").role == "operator_srikandi"


def test_roles_requiring_nip_can_be_changed() -> None:
    data = valid()
    config = parse(data, roles_requiring_nip=frozenset({"kadin"}))
    assert config.officer("kadin").nip is not None
    errors = errors_of(valid(), roles_requiring_nip=frozenset({"kasubag"}))
    assert errors == [
        'officers[3].nip: missing (required for role "kasubag": its holder initials or signs)',
        'officers[3].pangkat: missing (required for role "kasubag": its holder initials or signs)',
    ]


def test_webhook_mode_with_everything_it_needs() -> None:
    data = valid()
    data["telegram"].update(
        mode="webhook",
        webhook_url="https://bot.contohkab.example/telegram",
        webhook_port=8080,
        webhook_secret=WEBHOOK_SECRET,
    )
    telegram = parse(data).telegram
    assert telegram.mode is Mode.WEBHOOK
    assert telegram.webhook_port == 8080
    assert telegram.webhook_secret == Secret(WEBHOOK_SECRET)


def test_a_self_hosted_bot_api_server_may_use_plain_http_webhooks() -> None:
    data = valid()
    data["telegram"].update(
        base_url="http://localhost:8081/bot",
        base_file_url="http://localhost:8081/file/bot",
        mode="webhook",
        webhook_url="http://sopbot.internal:8443/hook",
        webhook_secret=WEBHOOK_SECRET,
    )
    telegram = parse(data).telegram
    assert telegram.base_url == "http://localhost:8081/bot"
    assert telegram.webhook_url == "http://sopbot.internal:8443/hook"


def test_pass_through_tables_are_kept_as_given() -> None:
    data = valid()
    data["calendar"] = {"office_hours": {"mon": ["07:30", "16:00"]}}
    data["backup"] = {"keep": 7}
    config = parse(data)
    assert config.calendar["office_hours"] == {"mon": ["07:30", "16:00"]}
    assert config.backup == {"keep": 7}
    assert config.invites == {}


# ---------------------------------------------------------------- one mistake at a time


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(mutate, message, id=name) for name, mutate, message in MISTAKES],
)
def test_each_mistake_gives_exactly_one_exact_message(mutate: Any, message: str) -> None:
    data = valid()
    mutate(data)
    assert errors_of(data) == [message]


def test_every_listed_mistake_is_distinct() -> None:
    assert len(MISTAKES) >= 15
    assert len({message for _, _, message in MISTAKES}) == len(MISTAKES)


def test_webhook_mode_needs_a_secret() -> None:
    data = valid()
    data["telegram"].update(mode="webhook", webhook_url="https://bot.example/hook")
    assert errors_of(data) == [
        "telegram.webhook_secret: missing (webhook mode needs it so that forged updates are "
        "refused; set it here or in the SOPBOT_WEBHOOK_SECRET environment variable)"
    ]


def test_a_misspelt_key_is_not_also_reported_missing() -> None:
    data = valid()
    data["officers"][2]["jabatn"] = data["officers"][2].pop("jabatan")
    data["admin"] = data.pop("admins")
    assert errors_of(data) == [
        "admin: unknown key; did you mean 'admins'?",
        "officers[2].jabatn: unknown key; did you mean 'jabatan'?",
    ]


def test_a_malformed_key_is_not_reported_again_where_it_is_used() -> None:
    data = valid()
    data["officers"][3]["key"] = "Kasubag"
    data["admins"] = ["Kasubag"]
    assert errors_of(data) == [
        'officers[3].key: expected a short key of lowercase letters, digits and "_", '
        'starting with a letter, got "Kasubag"'
    ]


# ---------------------------------------------------------------- all mistakes together


def test_all_mistakes_of_one_file_are_reported_together() -> None:
    path = FIXTURES / "many_mistakes.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={}, known_roles=SOP_ROLES)

    error = caught.value
    assert error.errors == [
        "timezone: unknown top-level key; 'timezone' belongs in [agency]",
        'language: expected "id" or "en", got "jv"',
        'telegram.token: not a bot token: expected digits, ":" and at least 30 letters, '
        'digits, "_" or "-", as @BotFather gives it (the value is not shown)',
        'telegram.mode: expected "polling" or "webhook", got "hook"',
        "agency.timezon: unknown key; did you mean 'timezone'?",
        "agency.name: missing",
        'officers[0].nip: expected 18 digits, got "1975"',
        'officers[0].telegram_id: expected a positive integer, got "abc"',
        'officers[2].key: duplicate key "kabid_2" (first used in officers[1])',
        "officers[2].telegram_id: duplicate id 222222222 (first used in officers[1])",
        "officers[3].username: not supported: a bot cannot message a username, and "
        "usernames change hands; set telegram_id (the numeric Telegram id) or leave it out "
        "and let the officer register",
        'admins[1]: unknown officer "xyz"',
    ]
    report = str(error).splitlines()
    assert report[0] == f"{path}: 12 mistakes to fix before the bot can start:"
    assert report[1:13] == [f"  - {line}" for line in error.errors]
    assert report[13] == (
        "(Numbers in [ ] count from 0: officers[0] is the first [[officers]] block.)"
    )


def test_report_for_a_single_mistake_reads_naturally() -> None:
    error = ConfigError(["agency.name: missing"], "config.toml")
    assert str(error) == "config.toml: 1 mistake to fix before the bot can start:\n" + (
        "  - agency.name: missing"
    )


def test_config_error_survives_pickling() -> None:
    error = ConfigError(["agency.name: missing"], "config.toml")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# ------------------------------------------------------------------------ the environment


def test_token_missing_everywhere() -> None:
    data = valid()
    del data["telegram"]
    assert errors_of(data) == [
        "telegram.token: missing (set it here or in the SOPBOT_TOKEN environment variable)"
    ]


def test_the_environment_token_overrides_the_file() -> None:
    config = parse(valid(), env={"SOPBOT_TOKEN": ENV_TOKEN})
    assert config.telegram.token.reveal() == ENV_TOKEN


def test_the_environment_token_alone_is_enough() -> None:
    data = valid()
    del data["telegram"]
    config = parse(data, env={"SOPBOT_TOKEN": f"  {ENV_TOKEN}\n"})
    assert config.telegram.token.reveal() == ENV_TOKEN


def test_an_empty_environment_variable_counts_as_unset() -> None:
    config = parse(valid(), env={"SOPBOT_TOKEN": ""})
    assert config.telegram.token.reveal() == TOKEN


def test_a_bad_environment_token_is_named_as_such() -> None:
    assert errors_of(valid(), env={"SOPBOT_TOKEN": "nonsense"}) == [
        'telegram.token (from SOPBOT_TOKEN): not a bot token: expected digits, ":" and at '
        'least 30 letters, digits, "_" or "-", as @BotFather gives it (the value is not shown)'
    ]


def test_the_environment_webhook_secret_overrides_the_file() -> None:
    data = valid()
    data["telegram"].update(
        mode="webhook", webhook_url="https://bot.example/hook", webhook_secret="from-file"
    )
    config = parse(data, env={"SOPBOT_WEBHOOK_SECRET": WEBHOOK_SECRET})
    assert config.telegram.webhook_secret == Secret(WEBHOOK_SECRET)


def test_a_bad_webhook_secret_is_not_echoed() -> None:
    data = valid()
    data["telegram"]["webhook_secret"] = "has spaces and $ymbols"
    errors = errors_of(data)
    assert errors == [
        'telegram.webhook_secret: expected 1 to 256 characters, each a letter, digit, "_" '
        'or "-" (the value is not shown)'
    ]


def test_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_TOKEN", ENV_TOKEN)
    config = parse_config(valid(), known_roles=SOP_ROLES)
    assert config.telegram.token.reveal() == ENV_TOKEN


# --------------------------------------------------------------------- the token is secret


def test_the_token_never_appears_in_repr_or_str_of_the_config() -> None:
    data = valid()
    data["telegram"].update(
        mode="webhook", webhook_url="https://bot.example/hook", webhook_secret=WEBHOOK_SECRET
    )
    config = parse(data)
    for text in (
        repr(config),
        str(config),
        repr(config.telegram),
        f"{config.telegram.token}",
        repr(dataclasses.asdict(config)),
        repr(copy.deepcopy(config)),
    ):
        assert TOKEN not in text
        assert WEBHOOK_SECRET not in text
        assert "********" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("token", "123456789:short"),  # malformed
        ("token", 123456789),  # wrong type: only the type is named
        ("token", TOKEN + " extra"),
    ],
)
def test_a_bad_token_is_never_echoed(field: str, value: Any) -> None:
    data = valid()
    data["telegram"][field] = value
    with pytest.raises(ConfigError) as caught:
        parse(data)
    report = str(caught.value)
    assert str(value) not in report
    assert "123456789" not in report
    assert "(the value is not shown)" in report


def test_a_token_pasted_into_another_field_is_masked() -> None:
    data = valid()
    data["telegram"]["webhook_url"] = f"http://bot.example/{TOKEN}"
    data["agency"]["short_name"] = f"x {TOKEN}"
    with pytest.raises(ConfigError) as caught:
        parse(data)
    report = str(caught.value)
    assert TOKEN not in report
    assert len(caught.value.errors) == 2
    assert "********" in report


# ---------------------------------------------------------------------- files and paths


def test_the_example_config_loads_cleanly_with_the_shipped_sop_roles() -> None:
    config = load_config(EXAMPLE, env={"SOPBOT_TOKEN": ENV_TOKEN}, known_roles=SOP_ROLES)

    shipped = {"kadin", "sekretaris", "kabid", "kasubag", "staf", "tim_sakip"}
    assert shipped == SOP_ROLES
    counts = {role: len(config.officers_with_role(role)) for role in sorted(SOP_ROLES)}
    assert counts == {
        "kabid": 3,
        "kadin": 1,
        "kasubag": 1,
        "sekretaris": 1,
        "staf": 3,
        "tim_sakip": 3,
    }
    honorary = [o for o in config.officers_with_role("staf") if o.nip is None]
    assert len(honorary) == 1
    assert config.leader_of("tim_sakip") is not None
    assert len(config.recipients) == 3
    assert {r.channel for r in config.recipients} == set(Channel)
    assert config.sops == (DEFAULT_SOP,)
    assert config.storage.database == PROJECT_ROOT / "data" / "sopbot.db"
    assert config.source == EXAMPLE
    assert all(config.officer(key) for key in config.admins)


def test_the_example_config_without_a_token_says_only_that() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(EXAMPLE, env={}, known_roles=SOP_ROLES)
    assert caught.value.errors == [
        "telegram.token: missing (set it here or in the SOPBOT_TOKEN environment variable)"
    ]


def test_a_missing_file_is_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.errors == [
        "file not found (copy config.example.toml to this name and fill it in)"
    ]
    assert str(caught.value).startswith(f"{path}: 1 mistake")


def test_a_folder_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, env={})
    assert caught.value.errors == ["is a folder, not a file"]


def test_a_toml_syntax_error_is_one_message_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('language = "id"\n\n[agency]\nname = Dinas Pendidikan\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.errors == [
        "line 4, column 8: TOML syntax error: Invalid value "
        '(text values need double quotes, e.g. name = "Dinas Pendidikan")'
    ]


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'name = "Dinas Pendidikan Kota Bandung"\ncity = "Bogor"\n\xff')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.errors == [
        "not UTF-8 text (at byte 54); save the file with UTF-8 encoding"
    ]


def test_a_byte_order_mark_from_notepad_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'sops = ["templates/sop/pelaporan_kinerja.toml"]', ""
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    config = load_config(path, env={"SOPBOT_TOKEN": ENV_TOKEN}, known_roles=SOP_ROLES)
    assert config.agency.name == "Dinas Pendidikan"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "sop").mkdir()
    (tmp_path / "sop" / "lain.toml").write_text("", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"png")
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'sops = ["templates/sop/pelaporan_kinerja.toml"]', 'sops = ["sop/lain.toml"]'
    )
    text = text.replace('# logo = "assets/logo_kabupaten.png"', 'logo = "logo.png"')
    text = text.replace('database = "data/sopbot.db"', 'database = "../shared/sopbot.db"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")

    config = load_config(path, env={"SOPBOT_TOKEN": ENV_TOKEN}, known_roles=SOP_ROLES)

    assert config.sops == (tmp_path / "sop" / "lain.toml",)
    assert config.agency.logo == tmp_path / "logo.png"
    assert config.storage.database == tmp_path.parent / "shared" / "sopbot.db"
    assert config.storage.files == tmp_path / "data" / "files"


def test_the_default_sop_resolves_against_the_project_root(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'sops = ["templates/sop/pelaporan_kinerja.toml"]', ""
    )
    path = tmp_path / "elsewhere" / "config.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    config = load_config(path, env={"SOPBOT_TOKEN": ENV_TOKEN}, known_roles=SOP_ROLES)
    assert config.sops == (PROJECT_ROOT / "templates" / "sop" / "pelaporan_kinerja.toml",)


def test_missing_sop_and_logo_files_are_named_with_their_full_path(tmp_path: Path) -> None:
    data = valid()
    data["sops"] = ["sop/nope.toml", "sop/nope.toml"]
    data["agency"]["logo"] = "logo.png"
    assert errors_of(data, base_dir=tmp_path) == [
        f"agency.logo: file not found: {tmp_path / 'logo.png'}",
        f"sops[0]: file not found: {tmp_path / 'sop' / 'nope.toml'}",
        "sops[1]: listed twice (first in sops[0])",
    ]


def test_officers_can_be_built_directly_for_fakes() -> None:
    officer = Officer(key="x", name="X", role="staf", jabatan="Staf")
    assert officer.nip is None and officer.nip_formatted == ""
    assert officer.language is Language.ID


def test_the_contact_line_for_strangers_is_one_short_line() -> None:
    assert parse(valid()).agency.contact == ""  # unset: the agency's secretariat is named
    data = valid()
    data["agency"]["contact"] = "  Sekretariat Dinas Pendidikan, telp. (0265) 771234 "
    assert parse(data).agency.contact == "Sekretariat Dinas Pendidikan, telp. (0265) 771234"
    data["agency"]["contact"] = "x" * 121
    assert errors_of(data) == [
        "agency.contact: expected one line of at most 120 characters (it ends the alert "
        "a stranger sees), got 121 characters"
    ]
    data["agency"]["contact"] = "Sekretariat\nDinas"
    assert len(errors_of(data)) == 1
