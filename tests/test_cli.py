import subprocess
import sys

from qiangji.cli import main


def test_it_lists_the_commands_in_help(capsys) -> None:
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "serve", "index", "comparison"):
        assert command in out


def test_it_runs_as_a_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "qiangji", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in out.stdout


def test_it_exits_2_without_a_command(capsys) -> None:
    assert main([]) == 2
