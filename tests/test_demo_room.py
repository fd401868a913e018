"""`ureshii demo` as a room meets it: Japanese on any machine, and a join link that the
phones on the venue's Wi-Fi can open (or a plain note, in both languages, when they cannot).

Each test runs the real command, reads what it prints and, where a link is printed, opens
that link over HTTP.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.cli_process import running
from tests.server.server_helpers import free_port
from toolkit.i18n import t
from toolkit.server.app import lan_address
from toolkit.store import Store

URESHII = Path(sys.executable).with_name("ureshii")


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without any language setting, plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"URESHII_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"}
    }
    return {**env, **settings}


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as reply:
        status: int = reply.status
        return status


@pytest.mark.parametrize("locale", ["C.UTF-8", "en_US.UTF-8", ""])
def test_the_demo_is_japanese_whatever_the_locale(tmp_path: Path, locale: str) -> None:
    settings = {"LANG": locale, "LC_ALL": locale} if locale else {}
    done = subprocess.run(
        [str(URESHII), "demo", "--no-serve", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_environment(**settings),
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path == (tmp_path / "demo-ja.sqlite").resolve()
    assert "デモのワークショップを作っています" in done.stderr
    with Store.open(path) as store:
        assert store.workshops()[0].lang == "ja"


def test_lang_en_gives_the_english_demo_and_ureshii_lang_is_obeyed(tmp_path: Path) -> None:
    for args, settings, expected in (
        (["--lang", "en"], {"LANG": "ja_JP.UTF-8"}, "demo-en.sqlite"),
        ([], {"URESHII_LANG": "en", "LANG": "ja_JP.UTF-8"}, "demo-en.sqlite"),
        (["--lang", "ja"], {"URESHII_LANG": "en"}, "demo-ja.sqlite"),
    ):
        done = subprocess.run(
            [str(URESHII), "demo", "--no-serve", "--data", str(tmp_path), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=_environment(**settings),
        )
        assert done.returncode == 0, done.stderr
        assert Path(done.stdout.strip().splitlines()[-1]).name == expected, (args, settings)


def test_on_all_interfaces_the_join_link_carries_the_lan_address(tmp_path: Path) -> None:
    """What a phone on the same Wi-Fi does: open the printed link, by the machine's LAN
    address (not 127.0.0.1 or 0.0.0.0), and get the join page."""
    address = lan_address()
    assert not address.startswith(("127.", "0.")), f"this machine has no LAN address: {address}"
    port = free_port()
    command = [str(URESHII), "demo", "--host", "0.0.0.0", "--port", str(port)]
    command += ["--data", str(tmp_path / "data")]
    with running(command, tmp_path / "demo.log", env=_environment()) as demo:
        join = demo.wait_for(r"参加者用: (\S+)", what="the join link").group(1)
        demo.wait_for(re.escape(t("serve_stop_hint", "ja")), what="the end of the start-up lines")
        printed = demo.text()
        assert join == f"http://{address}:{port}/p/"
        assert _status(join) == 200  # the page a phone gets
    assert t("serve_lan_note", "ja") in printed
    assert t("serve_loopback_note", "ja", host="0.0.0.0") not in printed
    # The QR code under the join link is drawn with Unicode blocks.
    assert printed.split(join, 1)[1].count("█") > 50


def test_on_loopback_a_note_in_both_languages_says_phones_cannot_join(tmp_path: Path) -> None:
    port = free_port()
    command = [str(URESHII), "demo", "--port", str(port), "--data", str(tmp_path / "data")]
    with running(command, tmp_path / "demo.log", env=_environment()) as demo:
        demo.wait_for(re.escape(t("serve_stop_hint", "ja")), what="the end of the start-up lines")
        printed = demo.text()
    assert f"参加者用: http://127.0.0.1:{port}/p/" in printed
    ja = t("serve_loopback_note", "ja", host="127.0.0.1")
    en = t("serve_loopback_note", "en", host="127.0.0.1")
    assert "--host 0.0.0.0" in ja and "--host 0.0.0.0" in en
    # Right under the QR code, before the Ctrl+C hint: Japanese first, then English.
    qr_end = printed.rindex("█")
    assert (
        qr_end < printed.index(ja) < printed.index(en) < printed.index(t("serve_stop_hint", "ja"))
    )
    assert t("serve_lan_note", "ja") not in printed


def test_serve_on_loopback_says_so_too(tmp_path: Path) -> None:
    port = free_port()
    store = tmp_path / "w.sqlite"
    command = [str(URESHII), "serve", str(store), "--port", str(port), "--lang", "en"]
    with running(command, tmp_path / "serve.log", env=_environment()) as served:
        served.wait_for(re.escape(t("serve_stop_hint", "en")), what="the end of the start-up lines")
        printed = served.text()
    assert t("serve_loopback_note", "en", host="127.0.0.1") in printed
    assert t("serve_loopback_note", "ja", host="127.0.0.1") in printed
