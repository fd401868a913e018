"""`ureshii export` end to end on the demo store (every format), and its messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.workshop_data import small_workshop
from toolkit.cli import main
from toolkit.demo import DemoResult
from toolkit.export import FORMATS
from toolkit.store import Store

MAGIC = {
    "csv": b"\xef\xbb\xbf",
    "xlsx": b"PK\x03\x04",
    "json": b"{",
    "md": b"# ",
    "html": b"<!doctype html>",
    "png": b"\x89PNG",
    "svg": b"<svg",
    "pb": b"META",
}


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
def test_every_format_is_written(demo: DemoResult, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"backlog.{fmt}"
    args = ["export", str(demo.path), "--format", fmt, "--out", str(out), "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out} ({fmt}).\n")
    # a CSV has each survey's answers and results beside it (the demo has one survey)
    extra = [f"backlog.survey-{k}-{t}.csv" for k in ("staff-dx",) for t in ("answers", "results")]
    assert result.output.count("\n") == 1 + (len(extra) if fmt == "csv" else 0)
    assert all((tmp_path / name).exists() == (fmt == "csv") for name in extra)
    assert out.read_bytes().startswith(MAGIC[fmt])


def test_default_file_name_and_workshop_language(
    demo: DemoResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export", str(demo.path), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{demo.slug}.md を書き出しました（md）。\n"  # the workshop is ja
    assert "## 優先順位" in (tmp_path / f"{demo.slug}.md").read_text(encoding="utf-8")


def test_json_to_standard_output(demo: DemoResult, demo_summary: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["export", str(demo.path), "--format", "json", "--out", "-"])
    assert result.exit_code == 0
    document = json.loads(result.stdout_bytes)
    assert document["summary"]["ranking"] == demo_summary["ranking"]


def test_binary_formats_refuse_standard_output(demo: DemoResult) -> None:
    args = ["export", str(demo.path), "--format", "xlsx", "--out", "-", "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "xlsx is a binary format: give a file with --out." in result.output


def test_several_workshops_need_a_choice(tmp_path: Path) -> None:
    path = tmp_path / "two.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop("a-town"))
        store.create_workshop(small_workshop("b-town"))
    args = ["export", str(path), "--format", "csv", "--lang", "en", "--out", str(tmp_path / "x")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "several workshops (a-town, b-town); choose one with --workshop" in result.output
    result = CliRunner().invoke(main, [*args, "--workshop", "b-town"])
    assert result.exit_code == 0, result.output


def test_cp932_csv_from_the_command_line(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "sjis.csv"
    args = ["export", str(demo.path), "--format", "csv", "--encoding", "cp932", "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert out.read_bytes().decode("cp932").startswith("順位,ID,課題")


def test_help_is_bilingual(monkeypatch: pytest.MonkeyPatch) -> None:
    # help texts are read when the commands are registered: check both catalog entries
    from toolkit.i18n import t

    assert "pabulib" in t("export_cli_help", "en") and "pabulib" in t("export_cli_help", "ja")
    result = CliRunner().invoke(main, ["verify", "--help"])
    assert result.exit_code == 0 and "FILE.json" in result.output


def test_a_workshop_without_results_exports_what_it_has(tmp_path: Path) -> None:
    """Before the charter is locked: every format says so instead of failing."""
    path = tmp_path / "fresh.sqlite"
    with Store.open(path) as store:
        store.create_workshop(small_workshop("fresh"))
    for fmt in FORMATS:
        out = tmp_path / f"fresh.{fmt}"
        args = ["export", str(path), "--format", fmt, "--out", str(out), "--lang", "en"]
        result = CliRunner().invoke(main, args)
        if fmt == "pb":  # no ballot has visible results yet
            assert result.exit_code == 1
            assert "No ballot with visible results to write as pabulib" in result.output
            continue
        assert result.exit_code == 0, (fmt, result.output)
    report = (tmp_path / "fresh.html").read_text(encoding="utf-8")
    assert "No method charter is locked yet, so there is no ranking." in report
    assert "No method charter is locked yet" in (tmp_path / "fresh.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("machine", "option", "expected"),
    [
        ("en", [], "ja"),  # no --lang: the workshop's language, for success and errors alike
        ("ja", ["--lang", "en"], "en"),
    ],
    ids=["workshop-language", "lang-option"],
)
def test_success_and_errors_speak_one_language(
    demo: DemoResult, tmp_path: Path, machine: str, option: list[str], expected: str
) -> None:
    """Run as the installed command on a Japanese workshop, on a computer set to ``machine``
    (``URESHII_LANG``): the error of a failed export and the success line of the next one
    are in the same language (before, errors followed the computer)."""
    ureshii = Path(sys.executable).with_name("ureshii")
    env = {**os.environ, "URESHII_LANG": machine}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ureshii), "export", str(demo.path), *args, *option],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=120,
            check=False,
        )

    failed = run("--format", "pb", "--ballot", "no-such-ballot", "--out", str(tmp_path / "x.pb"))
    assert failed.returncode == 1
    done = run("--format", "md", "--out", str(tmp_path / "x.md"))
    assert done.returncode == 0, done.stderr
    japanese = {"ja": True, "en": False}[expected]
    for said in (failed.stderr, done.stdout):
        assert said.strip()
        assert any("\u3040" <= ch <= "\u30ff" for ch in said) is japanese, said
