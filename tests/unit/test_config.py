import tomllib

import pytest

from kiosk.config import Config, config_from_dict, default_toml, load_config
from kiosk.errors import ConfigError


def test_defaults_suit_a_pi_camera_module():
    config = Config()
    assert config.camera.source == "picamera"
    assert (config.camera.width, config.camera.height) == (640, 480)
    assert config.camera.hfov_deg == 66.0


def test_default_toml_parses_back_to_the_defaults():
    assert config_from_dict(tomllib.loads(default_toml())) == Config()


def test_default_toml_documents_every_key_with_a_comment():
    lines = default_toml().splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), f"undocumented key: {line}"


def test_misspelt_key_suggests_the_closest_valid_key():
    with pytest.raises(
        ConfigError, match=r'\[camera\] widht: unknown key \(did you mean "width"\?\)'
    ):
        config_from_dict({"camera": {"widht": 800}})


def test_misspelt_section_suggests_the_closest_section():
    with pytest.raises(ConfigError, match=r'unknown section \(did you mean "tracker"\?\)'):
        config_from_dict({"traker": {"face": True}})


def test_unrelated_unknown_key_lists_the_valid_keys():
    with pytest.raises(ConfigError, match="valid: face, pose, hands"):
        config_from_dict({"tracker": {"zzzzzz": 1}})


@pytest.mark.parametrize(
    ("section", "value", "problem"),
    [
        ({"camera": {"width": "640"}}, "width", "expected int"),
        ({"camera": {"width": True}}, "width", "expected int"),
        ({"camera": {"width": 10}}, "width", "below the minimum 64"),
        ({"camera": {"hfov_deg": 200}}, "hfov_deg", "above the maximum 170"),
        ({"tracker": {"face": 1}}, "face", "expected bool"),
    ],
)
def test_bad_values_name_the_key_and_the_problem(section, value, problem):
    with pytest.raises(ConfigError, match=rf"{value}: .*{problem}"):
        config_from_dict(section)


def test_int_is_accepted_where_a_float_is_expected():
    assert config_from_dict({"camera": {"fps": 30}}).camera.fps == 30.0


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        Config().camera.fps = 1.0  # type: ignore[misc]


def test_unset_keys_keep_their_defaults(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[camera]\nsource = "usb:1"\n')
    config = load_config(path)
    assert config.camera.source == "usb:1"
    assert config.camera.width == 640
    assert config.tracker == Config().tracker


def test_missing_and_malformed_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[camera\nwidth = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_a_cue_table_starts_from_that_cues_own_defaults():
    config = config_from_dict({"cues": {"staring": {"pins": [16, 20, 21], "color": "cyan"}}})
    assert config.cues.staring.pins == (16, 20, 21) and config.cues.staring.color == "cyan"
    assert config.cues.staring.pattern == Config().cues.staring.pattern
    assert config.cues.pointing_at_face.immediate


def test_cues_may_share_an_led_but_not_a_pin_of_another_device():
    shared = config_from_dict({"cues": {"leaning_back": {"pins": [17]}}})
    assert shared.cues.leaning_back.pins == shared.cues.staring.pins
    with pytest.raises(ConfigError, match=r"\[cues.staring\] pins and .*GPIO17"):
        config_from_dict({"cues": {"staring": {"pins": [17, 27, 22]}}})
    with pytest.raises(ConfigError, match=r"\[leds\] status_pins and \[cues.well_done\] pins"):
        config_from_dict({"cues": {"well_done": {"enabled": True, "pins": [5]}}})


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"cues": {"staring": {"pins": [17, 27]}}}, "one pin .* or three"),
        ({"cues": {"staring": {"pins": [40]}}}, "not a GPIO pin"),
        ({"cues": {"staring": {"pins": "17"}}}, "expected a list of BCM pin numbers"),
        ({"cues": {"stairing": {}}}, 'did you mean "staring"'),
        ({"cues": {"staring": {"pattern": "disco"}}}, "not one of steady"),
        ({"cues": {"staring": 3}}, r"expected a table \[cues.staring\]"),
        ({"presence": {"source": "laser"}}, "not one of auto"),
    ],
)
def test_bad_live_settings_name_the_key_and_the_problem(data, problem):
    with pytest.raises(ConfigError, match=problem):
        config_from_dict(data)


def test_an_agent_zone_with_its_edges_crossed_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "zone.toml"
    path.write_text("[tracker]\nagent_zone_top = 0.7\nagent_zone_bottom = 0.3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: [tracker] agent_zone_top (0.7) must be less than agent_zone_bottom (0.3)"
    )


def test_a_retired_key_still_loads_and_says_what_replaced_it(tmp_path, caplog):
    path = tmp_path / "old.toml"
    path.write_text("[nods]\nimpatient_rate_hz = 1.2\n")
    config = load_config(path)
    assert config.nods.interaction_rate_hz == Config().nods.interaction_rate_hz
    (record,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert f"{path}: [nods] impatient_rate_hz is retired" in record.getMessage()
    assert "interaction_rate_hz" in record.getMessage()
