"""Any file given as the configuration, valid TOML or not, loads into a Config whose every value
is within its documented bounds, or is refused with one line naming the file and the key; the
same through `kiosk check-config`. Never a traceback."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.cli import main
from kiosk.config import Config, default_toml, load_config
from kiosk.errors import ConfigError
from kiosk.storage.shifts import ShiftSchedule

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _keys(section: object, prefix: str) -> list[tuple[str, str, dataclasses.Field]]:
    """(table, key, field) of every setting, sub-tables such as [cues.staring] included."""
    out = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if dataclasses.is_dataclass(value):
            out += _keys(value, f"{prefix}.{f.name}")
        else:
            out.append((prefix, f.name, f))
    return out


SETTINGS = [k for f in dataclasses.fields(Config) for k in _keys(getattr(Config(), f.name), f.name)]
SECTIONS = [f.name for f in dataclasses.fields(Config)]
TABLES = sorted({table for table, _, _ in SETTINGS})


# -- TOML written by hand, so that any value (nan, huge ints, odd keys) can be written ----------
def toml_string(text: str) -> str:
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # nan, inf, -inf and 1e+300 are TOML as Python writes them
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return value.isoformat()  # a date, time or datetime: TOML has those too


def toml_document(tables: dict[str, dict[str, object]]) -> str:
    lines = []
    for table, items in tables.items():
        lines.append("[" + ".".join(toml_key(part) for part in table.split(".")) + "]")
        lines += [f"{toml_key(key)} = {toml_value(value)}" for key, value in items.items()]
    return "\n".join(lines) + "\n"


TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(-100, 100),
    st.floats(),  # nan, inf and -inf included
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324]),
    TEXT,
    st.sampled_from(["", "counter-1\n", "early 06:00-14:00", "\u0660\u0666:00-14:00", "a\x00b"]),
    st.dates() | st.times() | st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
SCHEDULE_ENTRIES = st.builds(
    "{} {}:{}-{}:{}".format,
    st.sampled_from(["early", "late", "night", "off-shift", "x"]) | TEXT,
    *[st.sampled_from(["00", "06", "14", "23", "24", "59", "60", "99", "\u0661\u0664"])] * 4,
)


@st.composite
def value_for(draw, f: dataclasses.Field) -> object:
    """A value for the key `f`: often of its type and near its bounds, or anything at all."""
    meta, kind = f.metadata, f.type if isinstance(f.type, str) else f.type.__name__
    low, high = meta.get("min"), meta.get("max")
    near = [b for b in (low, high) if b is not None]
    if kind == "float" and near:
        typed = st.sampled_from(near) | st.floats(min(near) - 1, max(near) + 1)
    elif kind == "int" and near:
        typed = st.integers(int(min(near)) - 2, int(max(near)) + 2)
    elif meta.get("choices"):
        typed = st.sampled_from(meta["choices"])
    elif kind == "tuple[int, ...]":
        typed = st.lists(st.integers(-2, 30), max_size=4)
    elif kind == "tuple[str, ...]":
        typed = st.lists(SCHEDULE_ENTRIES | TEXT, max_size=3)
    else:
        typed = st.nothing()
    return draw(typed | VALUES)


@st.composite
def config_tables(draw) -> dict[str, dict[str, object]]:
    """Known tables with known keys (and some unknown ones) set to typed or random values."""
    tables: dict[str, dict[str, object]] = {}
    for _ in range(draw(st.integers(1, 4))):
        table, key, f = draw(st.sampled_from(SETTINGS))
        if draw(st.integers(0, 9)) == 0:  # a misspelt or made-up key or table
            key = draw(TEXT | st.sampled_from([key + "x", key[:-1], key.upper()]))
            table = draw(st.sampled_from([table, table + "s", "counter.name", "mqtt.x"]))
        tables.setdefault(table, {})[key] = draw(value_for(f))
    return tables


FIELDS = {(table, key): f for table, key, f in SETTINGS}
DEFAULT_LINES = default_toml().splitlines()


def default_settings() -> list[tuple[int, str, str]]:
    """(line number, table, key) of every setting in the full default TOML."""
    out, table = [], ""
    for number, line in enumerate(DEFAULT_LINES):
        if line.startswith("["):
            table = line.strip("[]")
        elif re.match(r"^\w+ = ", line):
            out.append((number, table, line.split(" = ")[0]))
    return out


DEFAULT_SETTINGS = default_settings()


def assert_within_documented_bounds(config: Config) -> None:
    """What a loaded Config promises the code that reads it."""
    for table, key, f in SETTINGS:
        value = config
        for part in [*table.split("."), key]:
            value = getattr(value, part)
        low, high = f.metadata.get("min"), f.metadata.get("max")
        if isinstance(value, float):
            assert math.isfinite(value), (table, key, value)
        if low is not None:
            assert value >= low, (table, key, value)
        if high is not None:
            assert value <= high, (table, key, value)
        if isinstance(value, str):
            assert "\x00" not in value, (table, key)
    ShiftSchedule(config.shifts.schedule)  # the shift clock reads what the loader accepted


def load_or_refuse(path) -> Config | str:
    """The loaded Config, checked; or the refusal, checked to be one line naming the file."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith(f"{path}: "), message
        event("refused")  # --hypothesis-show-statistics tells how often each happens
        return message
    event("loaded")
    assert isinstance(config, Config)
    assert_within_documented_bounds(config)
    return config


@pytest.fixture
def config_file(tmp_path):
    return tmp_path / "kiosk.toml"


@given(tables=config_tables())
@FUZZ
def test_known_keys_with_any_values_load_within_bounds_or_are_one_clear_line(config_file, tables):
    config_file.write_text(toml_document(tables), encoding="utf-8")
    load_or_refuse(config_file)


@given(setting=st.sampled_from(DEFAULT_SETTINGS), data=st.data())
@FUZZ
def test_any_one_setting_of_the_default_file_changed_names_that_key_when_refused(
    config_file, setting, data
):
    number, table, key = setting
    lines = list(DEFAULT_LINES)
    lines[number] = f"{key} = {toml_value(data.draw(value_for(FIELDS[table, key])))}"
    config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refusal = load_or_refuse(config_file)
    if isinstance(refusal, str):
        # Cross-key checks name the other key too; a pin in use names both devices.
        assert key in refusal or "GPIO" in refusal, (key, refusal)


@given(
    data=st.one_of(
        st.binary(max_size=300),
        TEXT.map(lambda s: s.encode("utf-8")),
        # TOML's own edge cases: huge numbers, deep nesting, odd keys and tables.
        st.integers(4290, 6000).map(lambda n: b"[storage]\nretention_days = " + b"9" * n),
        st.integers(4290, 6000).map(lambda n: b"[storage]\nflush_s = 1." + b"0" * n),
        st.integers(10, 3000).map(lambda n: b"[storage]\npath = " + b"[" * n + b"]" * n),
        st.integers(10, 3000).map(lambda n: b"x = " + b"{a = " * n + b"1" + b"}" * n),
        st.sampled_from(
            [
                b'[storage]\n"flush_s\\nx" = 1\n',
                b'["stor\\nage"]\nx = 1\n',
                b"[[storage]]\nflush_s = 1.0\n",
                b"storage = 5\n",
                b"[cues]\nstaring = 1\n",
                b"[cues.staring.deeper]\nx = 1\n",
                b"[counter]\nname = '''counter-1\n'''\n",
                b"\xef\xbb\xbf[camera]\nfps = 10\n",
                b"[camera]\nfps = 10\r\n",
                b"[storage]\nflush_s = nan\n",
                b"[mqtt]\nenabled = true\n",
            ]
        ),
    )
)
@FUZZ
def test_any_bytes_as_the_config_load_or_are_one_clear_line(config_file, data):
    config_file.write_bytes(data)
    load_or_refuse(config_file)


@given(tables=config_tables())
@settings(FUZZ, max_examples=40)
def test_check_config_exits_0_or_2_with_one_line_never_a_traceback(config_file, capsys, tables):
    config_file.write_text(toml_document(tables), encoding="utf-8")
    code = main(["check-config", str(config_file)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.startswith("kiosk: error: ")]
    if code == 0:
        assert out == f"{config_file}: ok\n" and not errors
    else:
        assert code == 2, err
        assert len(errors) == 1 and err.endswith(errors[0] + "\n"), err
        assert errors[0].startswith(f"kiosk: error: {config_file}: ")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[storage]\nflush_s = nan\n", "[storage] flush_s: nan is not a finite number"),
        ("[storage]\nflush_s = inf\n", "[storage] flush_s: inf is not a finite number"),
        ("[dashboard]\nsession_hours = -inf\n", "session_hours: -inf is not a finite number"),
        ("[storage]\nretention_days = " + "9" * 5000, "a number has more than 4300 digits"),
        ("[storage]\npath = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
        ('[storage]\n"flush_s\\nx" = 1\n', "[storage] 'flush_s\\nx': unknown key"),
        ('["stor\\nage"]\nx = 1\n', "['stor\\nage']: unknown section"),
        ('[counter]\nname = "counter-1\\n"\n', "[counter] name: 'counter-1\\n' must be"),
        ('[shifts]\nschedule = ["early \u0660\u0666:00-14:00"]\n', 'expected "NAME HH:MM-HH:MM"'),
        ('[storage]\npath = "kiosk\\u0000.db"\n', "[storage] path: contains a NUL character"),
        ("[mqtt]\nenabled = true\n", "kiosk.toml: [mqtt] host: set the broker's host"),
    ],
)
def test_what_fuzzing_found_is_refused_in_one_line_naming_the_key(config_file, text, words):
    config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config_file)
    message = str(refused.value)
    assert words in message and "\n" not in message, message
    assert message.startswith(f"{config_file}: ")


def test_a_number_too_large_for_a_float_is_one_clear_line(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("[camera]\nfps = 1" + "0" * 400 + "\n")
    with pytest.raises(ConfigError, match=r"\[camera\] fps"):
        load_config(path)
