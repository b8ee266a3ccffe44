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
