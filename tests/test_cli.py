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


def test_it_builds_every_command_without_loading_django() -> None:
    # the registry's table names are the database commands' --table choices, read only when needed
    code = (
        "import sys\n"
        "from qiangji.cli import build_parser\n"
        "build_parser().parse_args(['index', 'compute', 'f.yaml', 'd.csv'])\n"
        "web = [m for m in sys.modules if m.split('.')[0] == 'django' or m.startswith('qiangji.web')]\n"
        "print(sorted(web))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
