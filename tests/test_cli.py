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


def test_it_stops_quietly_when_the_reader_goes_away(tmp_path) -> None:
    """``qiangji … | head``: the reader closes the pipe after its first lines; the command stops with the
    shell's SIGPIPE status (128 + 13) and no traceback."""
    lines = ["lab,x,U,k,included"] + [f"L{n},{10 + n % 7 / 100:.2f},0.10,2,1" for n in range(20_000)]
    results = tmp_path / "results.csv"
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "qiangji", "comparison", "evaluate", str(results), "--reference", "mean"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # the reader goes away while the command still has rows to print
        err = child.stderr.read().decode()
        assert child.wait() == 141, err
    assert "Traceback" not in err
