"""`ureshii init` and `ureshii check`, run as the installed console script on real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.i18n import LANGUAGES
from toolkit.workshop_file import TEMPLATES, template_path, write_template

URESHII = Path(sys.executable).with_name("ureshii")
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?:(?P<path>[\w.\-]+): )?(?P<msg>.+)$")


def ureshii(*args: str | Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "URESHII_LANG": lang}
    return subprocess.run(
        [str(URESHII), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_done_criterion_init_then_check(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    init = ureshii("init", path, "--template", "dx-vision", "--lang", "ja")
    assert init.returncode == 0, init.stderr
    assert init.stdout == (
        f"{path} を作成しました（ひな形 dx-vision、ja）。内容を編集してから "
        f"`ureshii check {path}` を実行してください。\n"
    )
    check = ureshii("check", path)
    assert check.returncode == 0, check.stdout
    # No --lang: messages follow the workshop's lang (ja), not URESHII_LANG (en).
    assert check.stdout == (
        f"{path}: 問題はありません（課題 12 件、評価基準 6 件、優先順位の決め方の候補 4 件）。\n"
    )


def test_every_template_checks_clean(tmp_path: Path) -> None:
    paths = []
    for template in TEMPLATES:
        for lang in LANGUAGES:
            path = tmp_path / f"{template}.{lang}.yaml"
            assert ureshii("init", path, "--template", template, "--lang", lang).returncode == 0
            assert path.read_bytes() == template_path(template, lang).read_bytes()
            paths.append(path)
    check = ureshii("check", *paths, "--lang", "en")
    assert check.returncode == 0, check.stdout
    assert check.stdout.splitlines() == [
        f"{path}: OK ({issues} issues, {criteria} criteria, {methods} candidate methods)."
        for path, (issues, criteria, methods) in zip(
            paths, [(12, 6, 4), (12, 6, 4), (8, 2, 3), (8, 2, 3), (4, 3, 2), (4, 3, 2)], strict=True
        )
    ]


def test_broken_file_prints_file_line_field_message(tmp_path: Path) -> None:
    path = write_template(tmp_path / "w.yaml", "dx-vision", "en")
    text = path.read_text(encoding="utf-8")
    text = text.replace("lang: en", "lang: jp", 1).replace("weight: 10", "weight: 5", 1)
    text = text.replace(
        "themes: [info-reach]\n    stakeholders: [kosodate]\n",
        "themes: [info]\n    stakeholders: [kosodate]\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    result = ureshii("check", path, "--lang", "en")
    assert result.returncode == 1
    *problems, summary = result.stdout.splitlines()
    parsed = [PROBLEM_LINE.match(line) for line in problems]
    assert all(parsed), problems
    lines = text.splitlines()
    by_path = {m["path"]: m for m in parsed if m}
    assert set(by_path) == {"lang", "criteria", "issues.10.themes.0"}
    assert lines[int(by_path["lang"]["line"]) - 1] == "lang: jp"
    assert lines[int(by_path["criteria"]["line"]) - 1] == "criteria:"
    assert lines[int(by_path["issues.10.themes.0"]["line"]) - 1] == "    themes: [info]"
    assert 'Did you mean "info-reach"?' in by_path["issues.10.themes.0"]["msg"]
    assert "make them add up to 100" in by_path["criteria"]["msg"]
    assert summary == (
        f"{path}: 3 problem(s) found. Fix them and run `ureshii check {path}` again."
    )


def test_messages_follow_lang_option_then_workshop_then_environment(tmp_path: Path) -> None:
    ja_file = write_template(tmp_path / "ja.yaml", "town-meeting", "ja")
    ja_file.write_text(
        ja_file.read_text(encoding="utf-8").replace("dots: 3", "dots: 0"), encoding="utf-8"
    )
    in_ja = ureshii("check", ja_file, lang="en").stdout.splitlines()[0]
    assert in_ja.endswith("town_meeting.ballots.0.dots: 0 は小さすぎます。1 以上にしてください。")
    in_en = ureshii("check", ja_file, "--lang", "en", lang="ja").stdout.splitlines()[0]
    assert in_en.endswith("town_meeting.ballots.0.dots: 0 is too small: it must be at least 1.")
    unreadable = tmp_path / "empty.yaml"
    unreadable.write_text("", encoding="utf-8")
    assert "ファイルが空です" in ureshii("check", unreadable, lang="ja").stdout
    assert "the file is empty" in ureshii("check", unreadable, lang="en").stdout


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("mine\n", encoding="utf-8")
    refused = ureshii("init", path, "--lang", "en")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"{path} already exists. Choose another name, or add --force to overwrite it.\n"
    )
    assert path.read_text(encoding="utf-8") == "mine\n"
    assert ureshii("init", path, "--lang", "en", "--force").returncode == 0
    assert ureshii("check", path).returncode == 0


@pytest.mark.parametrize(
    "args",
    [("check",), ("init", "w.yaml", "--template", "nope")],
    ids=["check-without-file", "unknown-template"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = ureshii(*args)
    assert result.returncode == 2
    assert "Usage:" in result.stderr


def test_several_files_exit_1_if_any_is_bad(tmp_path: Path) -> None:
    good = write_template(tmp_path / "good.yaml", "dx-vision", "en")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ureshii-workshop/1\n\ttitle: x\n", encoding="utf-8")
    result = ureshii("check", good, bad, "--lang", "en")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{good}: OK (12 issues, 6 criteria, 4 candidate methods).",
        f"{bad}:2: a tab is used for indentation; YAML indents with spaces only. "
        "Replace the tab with spaces.",
        f"{bad}: 1 problem(s) found. Fix them and run `ureshii check {bad}` again.",
    ]


def test_shift_jis_file_checks_clean(tmp_path: Path) -> None:
    path = write_template(tmp_path / "w.yaml", "town-meeting", "ja")
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932"))
    result = ureshii("check", path)
    assert result.returncode == 0, result.stdout
    assert "問題はありません" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"x: " + b"a" * (10 * 1024 * 1024), "the file is 10,485,763 bytes"),
        (
            b'a: &a ["x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n'
            b"c: [*b,*b,*b,*b,*b,*b,*b,*b]\n",
            "anchors and aliases",
        ),
    ],
    ids=["10-mb", "yaml-bomb"],
)
def test_hostile_files_fail_fast(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(content)
    # How fast is asserted in test_workshop_file.py; start-up time here is the CLI's.
    result = ureshii("check", path, "--lang", "en")
    assert result.returncode == 1
    problem, _summary = result.stdout.splitlines()
    assert expected in problem


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = ureshii("check", tmp_path / "nope.yaml", "--lang", "en")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{tmp_path / 'nope.yaml'}:1: file not found. Check the name, or create one with "
        "`ureshii init FILE --template dx-vision`."
    )
    assert result.stderr == ""
