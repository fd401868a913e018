"""What `ureshii serve TARGET` opens: a store path or URL, or a workshop file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from toolkit.cli.serve_commands import store_for
from toolkit.store import Store
from toolkit.workshop_file import write_template


def test_a_workshop_file_is_loaded_into_a_store_beside_it_once(tmp_path: Path) -> None:
    workshop = tmp_path / "town.yaml"
    write_template(workshop, "dx-vision", "ja")
    url = store_for(str(workshop))
    assert url == "sqlite:///" + str((tmp_path / "town.sqlite").resolve())
    assert store_for(str(workshop)) == url  # serving again reuses the store
    with Store.open(url) as store:
        assert [w.slug for w in store.workshops()] == ["dx-vision-2026"]


def test_a_database_path_is_served_as_it_is(tmp_path: Path) -> None:
    assert store_for(str(tmp_path / "w.sqlite")) == f"sqlite:///{(tmp_path / 'w.sqlite').resolve()}"


def test_a_broken_workshop_file_stops_before_serving_with_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: ureshii-workshop/1\nid: Bad Id\n", encoding="utf-8")
    ureshii = Path(sys.executable).with_name("ureshii")
    done = subprocess.run(
        [str(ureshii), "serve", str(broken), "--port", "0", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"{broken}:2: id:" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "broken.sqlite").exists()
