import tomllib

from kiosk.cli import main
from kiosk.config import Config, config_from_dict


def test_check_config_exits_0_on_a_valid_file(tmp_path, capsys):
    path = tmp_path / "ok.toml"
    path.write_text("[camera]\nfps = 10\n")
    assert main(["check-config", str(path)]) == 0
    assert "ok" in capsys.readouterr().out


def test_check_config_exits_2_with_one_line_and_a_suggestion(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[camera]\nhfov = 62.2\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "[camera] hfov: unknown key" in err
    assert 'did you mean "hfov_deg"?' in err


def test_config_defaults_prints_toml_of_the_defaults(capsys):
    assert main(["config", "--defaults"]) == 0
    assert config_from_dict(tomllib.loads(capsys.readouterr().out)) == Config()


def test_analyze_of_a_missing_path_is_one_line_without_traceback(capsys):
    assert main(["analyze", "/no/such/clip.mp4"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: error: /no/such/clip.mp4: no such file or folder")
    assert "Traceback" not in err


def test_run_on_gpio_off_a_pi_is_one_line_naming_the_fix_before_any_model_loads(capsys):
    import sys

    assert main(["run", "--source", "scene:stares", "--leds", "gpio"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kiosk: error: no GPIO here")
    assert "--leds console" in err
    assert "mediapipe" not in sys.modules or "Traceback" not in err


def test_run_of_a_missing_video_is_one_line(capsys):
    assert main(["run", "--source", "/no/such/clip.mp4", "--leds", "console"]) == 1
    assert capsys.readouterr().err.startswith("kiosk: error: /no/such/clip.mp4: no such file")


def test_check_config_refuses_two_devices_on_one_pin(tmp_path, capsys):
    path = tmp_path / "clash.toml"
    path.write_text("[pause]\npin = 17\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[pause] pin" in err and "GPIO17" in err and err.count("\n") == 1


def test_every_command_takes_config_check_config_and_config_included(tmp_path, capsys):
    path = tmp_path / "kiosk.toml"
    path.write_text('[counter]\nname = "desk-2"\n[nudges]\nmin_interval_s = 30.0\n')
    assert main(["check-config", "--config", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok\n"
    assert main(["check-config"]) == 2
    assert "give FILE or --config FILE" in capsys.readouterr().err
    # the configuration in effect: the file's keys, the defaults elsewhere, and it parses back
    assert main(["config", "--config", str(path)]) == 0
    effective = config_from_dict(tomllib.loads(capsys.readouterr().out))
    assert effective.counter.name == "desk-2" and effective.nudges.min_interval_s == 30.0
    assert effective.camera == Config().camera
    assert main(["config"]) == 2
    assert main(["scene", "list", "--config", str(path)]) == 0
    assert "attentive" in capsys.readouterr().out
