"""`moonai-tui --help` stays instant: the CLI imports no heavy library at start."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("ccxt", "textual", "pandas", "numpy", "sqlalchemy", "aiohttp", "sklearn", "xgboost")


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from moonai_tui.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "usage: moonai-tui" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_the_contract_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "moonai_tui.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--no-ui", "--config", "--duration", "--market", "sim", "data"):
        assert option in result.stdout


def test_bad_duration_is_rejected_by_argparse() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "moonai_tui.cli", "--duration", "-3"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "positive number of seconds" in result.stderr
