"""LibreOffice Calc, headless: open an export as a member of staff would and save or print
it (``soffice --convert-to``). Installed by ``scripts/system-deps.sh``
(``libreoffice-calc-nogui``); a missing Calc fails under ``CI=true``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.server.server_helpers import require

#: Calc's CSV filter options: comma, double quote, UTF-8 (76), from line 1.
CSV_UTF8 = "CSV:44,34,76,1"
#: Saving as CSV: comma, double quote, UTF-8.
SAVE_CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"


def soffice() -> str:
    found = shutil.which("soffice")
    require(found is not None, "LibreOffice Calc (soffice) is not installed")
    assert found is not None
    return found


def calc_convert(
    source: Path, target_format: str, out: Path, *, infilter: str | None = None
) -> Path:
    """``source`` opened in LibreOffice Calc and saved as ``target_format`` (``xlsx``,
    ``pdf``, :data:`SAVE_CSV_UTF8` …) in the folder ``out``; the saved file's path."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"  # its own profile: no lock shared with another run
    command = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target_format, "--outdir", str(out), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    saved = out / f"{source.stem}.{target_format.split(':')[0]}"
    assert saved.exists(), (done.stdout, done.stderr)
    return saved


def pdf_pages(pdf: Path) -> tuple[int, set[tuple[float, float]]]:
    """How many pages a PDF that Calc wrote has, and their sizes (width, height) in points
    (Calc writes its page objects plainly, not in compressed object streams)."""
    data = pdf.read_bytes()
    count = len(re.findall(rb"/Type\s*/Page\b", data))
    sizes = {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)", data)
    }
    return count, sizes
