"""site.toml: defaults, typed options, and every error reported at once with its key named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from foilog.config import (
    BRAND_OPTIONS,
    DEFAULT_TOPICS,
    OPTIONS,
    Brand,
    SiteConfig,
    config_keys,
    load_config,
    parse_config,
)
from foilog.errors import FoilogError


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(FoilogError) as caught:
        parse_config(data, Path("site_src/site.toml"))
    assert caught.value.file == "site_src/site.toml"
    return caught.value.message


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "site.toml")
    assert config == SiteConfig()
    assert config.title == "FOI disclosure log"
    assert config.base_url == "/"
    assert config.theme == "govuk"
    assert config.brand == Brand()
    assert config.language == "en-GB"
    assert (config.per_page, config.latest, config.working_day_limit) == (20, 10, 20)
    assert config.authority == ""
    assert config.topics == DEFAULT_TOPICS
    assert config.topics is not DEFAULT_TOPICS, "the defaults must not be shared between configs"


def test_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write_toml(tmp_path, "# nothing set\n"))
    assert dataclasses.replace(config, path=None) == SiteConfig()


def test_every_option_is_a_setting_and_back() -> None:
    assert [o.key for o in OPTIONS] == config_keys()
    defaults = SiteConfig()
    for option in OPTIONS:
        assert isinstance(getattr(defaults, option.key), option.kind), option.key
        assert option.doc.strip(), option.key
    assert [o.key for o in BRAND_OPTIONS] == [f.name for f in dataclasses.fields(Brand)]


def test_values_are_read(tmp_path: Path) -> None:
    path = write_toml(tmp_path, """
title = "Barnet FOI log"
description = "Responses from Barnet."
authority = "London Borough of Barnet"
base_url = "https://example.org/foi/"
theme = "my-theme_2"
language = "cy-GB"
per_page = 5
latest = 3
working_day_limit = 40

[topics]
"Roads" = ["pothole", "parking"]
"Libraries" = ["library", "e-book"]

[brand]
colour = "#00625E"
logo = "images/crest.svg"
logo_alt = ""
""")
    config = load_config(path)
    assert config.title == "Barnet FOI log"
    assert config.authority == "London Borough of Barnet"
    assert config.base_url == "https://example.org/foi/"
    assert config.theme == "my-theme_2"
    assert config.language == "cy-GB"
    assert (config.per_page, config.latest, config.working_day_limit) == (5, 3, 40)
    assert config.topics == {"Roads": ["pothole", "parking"], "Libraries": ["library", "e-book"]}
    assert config.brand == Brand(colour="#00625e", logo="images/crest.svg", logo_alt="")
    assert config.path == path


def test_a_short_hex_colour_is_expanded() -> None:
    assert parse_config({"brand": {"colour": "#0Af"}}).brand.colour == "#00aaff"


def test_a_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes(b"\xef\xbb\xbftitle = \"Caerdydd \xe2\x80\x93 FOI\"\n")
    assert load_config(path).title == "Caerdydd – FOI"


def test_every_error_is_reported_at_once_naming_the_keys() -> None:
    message = errors_of({"colour": "blue", "per_page": "ten", "theme": 3, "title": "Fine", "topic": {}})
    assert message.startswith("site.toml has 4 errors")
    for key in ("colour", "per_page", "theme", "topic"):
        assert f"`{key}`" in message
    assert "`title`" not in message
    assert message.count("\n  - ") == 4


def test_unknown_key_lists_the_known_ones() -> None:
    message = errors_of({"per_pgae": 10})
    assert message.startswith("site.toml has an error")
    assert "unknown key `per_pgae`" in message
    for key in config_keys():
        assert key in message


@pytest.mark.parametrize(("key", "value", "words"), [
    ("per_page", "20", "whole number"),
    ("per_page", 2.5, "whole number"),
    ("per_page", True, "whole number"),
    ("per_page", 0, "1 or more"),
    ("latest", -1, "1 or more"),
    ("working_day_limit", [20], "whole number"),
    ("title", 42, "string"),
    ("description", ["a"], "string"),
    ("authority", None, "string"),
    ("language", {"x": 1}, "string"),
    ("theme", "../../etc", "theme folder name"),
    ("theme", "my theme", "theme folder name"),
    ("base_url", "foi", "path starting with /"),
    ("base_url", 1, "string"),
    ("topics", ["Roads"], "table"),
    ("topics", {"Roads": "pothole"}, "Roads"),
    ("topics", {"Roads": ["pothole", 3]}, "Roads"),
    ("topics", {"Roads": ["pothole", "  "]}, "Roads"),
    ("brand", "#00625e", "[brand]"),
    ("brand", {"colour": "teal"}, "hex colour"),
    ("brand", {"colour": "#00625"}, "hex colour"),
    ("brand", {"colour": 0x00625E}, "string"),
    ("brand", {"logo": "../logo.svg"}, "inside site_src/"),
    ("brand", {"logo": "/etc/logo.svg"}, "inside site_src/"),
    ("brand", {"logo": "C:\\logo.svg"}, "inside site_src/"),
    ("brand", {"logo": "logo.pdf"}, "image file"),
    ("brand", {"logo_alt": False}, "string"),
    ("brand", {"color": "#00625e"}, "did you mean `brand.colour`"),
], ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_wrong_types_are_reported(key: str, value: Any, words: str) -> None:
    message = errors_of({key: value})
    assert re.search(rf"`{key}[`.]", message), message
    assert words in message


def test_a_brand_key_outside_brand_says_where_it_goes() -> None:
    message = errors_of({"colour": "#00625e"})
    assert "unknown key `colour`" in message and "under a `[brand]` heading" in message


def test_a_misspelt_key_gets_a_suggestion() -> None:
    assert "did you mean `per_page`" in errors_of({"per_pgae": 10})


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'title = "ok"\ndescription = "no end quote\nper_page = 3\n')
    with pytest.raises(FoilogError) as caught:
        load_config(path)
    assert caught.value.file == str(path)
    assert caught.value.line == 2
    assert "not valid TOML" in caught.value.message
    assert str(caught.value).startswith(f"{path}:2: ")


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_bytes('title = "Caf\u00e9"\n'.encode("cp1252"))
    with pytest.raises(FoilogError) as caught:
        load_config(path)
    assert "UTF-8" in caught.value.message
    assert caught.value.file == str(path)
