"""A malformed pricing file is refused with the file, the line, the field and what was expected."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from promptlab_tui.core.pricing import PricingError, load_pricing

HEADER = """\
schema_version = 1

[providers.acme]
kind = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
"""


def write(tmp_path: Path, body: str, name: str = "pricing.toml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + dedent(body), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, last: bool = False) -> int:
    found = [number for number, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    assert found, f"{needle!r} not in {path}"
    return found[-1] if last else found[0]


def refused(path: Path, **kwargs) -> PricingError:
    with pytest.raises(PricingError) as caught:
        load_pricing(shipped=path, **kwargs)
    return caught.value


GOOD_MODEL = """
[models.acme."m-1"]
display_name = "M 1"

[[models.acme."m-1".price]]
effective_from = 2025-01-01
input = "1.00"
output = "2.00"
"""


def test_a_valid_minimal_file_loads(tmp_path: Path) -> None:
    table = load_pricing(shipped=write(tmp_path, GOOD_MODEL))
    price = table.resolve("m-1")
    assert price is not None and price.input == Decimal("1.00") and price.output == Decimal("2.00")
    assert price.source == "shipped"


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL + 'oops = "unterminated\n')
    error = refused(path)
    assert error.file == str(path)
    assert error.line == line_of(path, "oops")
    assert error.field == "(TOML syntax)" and "valid TOML" in str(error)
    assert error.column is not None and f"{path}:{error.line}:{error.column}:" in str(error)


@pytest.mark.parametrize(
    ("bad_line", "field_suffix", "expected_words"),
    [
        ('input = "-1.00"', "price[0].input", "price in USD per million"),
        ('input = "two dollars"', "price[0].input", "price in USD per million"),
        ("input = true", "price[0].input", "price in USD per million"),
        ('input = "nan"', "price[0].input", "price in USD per million"),
        ("inptu = \"1.00\"", "price[0].inptu", "one of: effective_from, note, input"),
        ('batch = ["half"]', "price[0].batch", "a multiplier"),
        ('long_context = { input = "2.00" }', "price[0].long_context.above", "threshold"),
    ],
)
def test_wrong_field_names_its_line_and_path(tmp_path: Path, bad_line: str, field_suffix: str,
                                             expected_words: str) -> None:
    path = write(tmp_path, f"""
        [models.acme."m-1"]
        display_name = "M 1"

        [[models.acme."m-1".price]]
        effective_from = 2025-01-01
        {bad_line}
        output = "2.00"
        """ + ('input = "1.00"\n' if not bad_line.startswith("input") else ""))
    error = refused(path)
    assert error.field == f'models.acme.m-1.{field_suffix}'
    assert error.line == line_of(path, bad_line.split(" =")[0].strip())
    assert expected_words in error.expected
    assert str(path) in str(error)


def test_missing_input_price_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [models.acme."m-1"]
        [[models.acme."m-1".price]]
        effective_from = 2025-01-01
        output = "2.00"
        """)
    error = refused(path)
    assert error.field == "models.acme.m-1.price[0].input"
    assert error.line == line_of(path, '[[models.acme."m-1".price]]')


def test_bad_date_is_refused_with_an_example(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL.replace("2025-01-01", '"2025-13-01"'))
    error = refused(path)
    assert error.field == "models.acme.m-1.price[0].effective_from"
    assert error.line == line_of(path, "effective_from")
    assert "2025-06-10" in error.expected and "'2025-13-01'" in str(error)


def test_wrong_type_and_unknown_provider_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL.replace('display_name = "M 1"', "context_window = -5") + """
        [models.nobody."x"]
        [[models.nobody."x".price]]
        effective_from = 2025-01-01
        input = "1"
        output = "1"
        """)
    error = refused(path)
    fields = {issue.field: issue for issue in error.issues}
    assert fields["models.acme.m-1.context_window"].line == line_of(path, "context_window")
    assert "whole number" in fields["models.acme.m-1.context_window"].expected
    assert fields["models.nobody"].expected == "a provider defined under [providers]"


def test_bad_provider_kind(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL).read_text().replace('"openai_compatible"', '"azure"')
    target = tmp_path / "kind.toml"
    target.write_text(path)
    error = refused(target)
    assert error.field == "providers.acme.kind" and "openai_compatible" in error.expected
    assert error.line == line_of(target, "kind =")


def test_toml_floats_are_read_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL.replace('"1.00"', "0.15").replace('"2.00"', "0.6"))
    price = load_pricing(shipped=path).resolve("m-1")
    assert price is not None and price.input == Decimal("0.15") and price.output == Decimal("0.6")


def test_missing_or_unreadable_file(tmp_path: Path) -> None:
    error = refused(tmp_path / "absent.toml")
    assert error.file.endswith("absent.toml") and "readable" in error.expected
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert "UTF-8" in refused(binary).expected


def test_errors_in_the_user_file_name_the_user_file(tmp_path: Path) -> None:
    shipped = write(tmp_path, GOOD_MODEL)
    user = tmp_path / "user.toml"
    user.write_text('[[models.acme."m-1".price]]\neffective_from = 2026-01-01\noutput = "-3"\n')
    error = refused(shipped, user=user)
    assert error.file == str(user) and error.line == 3
    assert error.field == "models.acme.m-1.price[0].output"


def test_duplicate_dates_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_MODEL + """
        [[models.acme."m-1".price]]
        effective_from = 2025-01-01
        input = "3"
        """)
    error = refused(path)
    assert error.field == "models.acme.m-1.price[1].effective_from"
    assert error.line == line_of(path, "effective_from = 2025-01-01", last=True)


def test_the_shipped_table_loads_cleanly() -> None:
    table = load_pricing()
    assert len(table.models()) >= 40
    assert table.provider("ollama") is not None and table.provider("ollama").free
