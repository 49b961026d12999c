"""The PDF's dates come from the issue, whatever the environment says (issue 16, points 9 and 10).

- ``SOURCE_DATE_EPOCH`` (which reportlab reads with ``int()``) set to ``1.5``, ``garbage`` or a number
  out of range made ``build`` and ``preview`` fail with an internal error; it is ignored: the PDF is
  byte for byte the one built without it.
- A date before the year 1000 gave a /CreationDate of three digits (``D:9990101…``) that disagreed
  with the XMP; both now say 0999.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from conftest import SMALL_ISSUE, write
from pipeline.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def plain_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("plain")
    issue = write(folder, "a.yaml", SMALL_ISSUE)
    result = runner.invoke(app, ["build", str(issue), "-o", str(folder / "out")], env={"SOURCE_DATE_EPOCH": None})
    assert result.exit_code == 0, result.output
    return (folder / "out" / "a.pdf").read_bytes()


@pytest.mark.parametrize("value", ["1.5", "garbage", "-5", "99999999999999999999", ""])
def test_source_date_epoch_is_ignored_by_build_and_preview(tmp_path: Path, plain_pdf: bytes, value: str) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE)
    built = runner.invoke(app, ["build", str(issue), "-o", str(tmp_path / "out")], env={"SOURCE_DATE_EPOCH": value})
    assert built.exit_code == 0, built.output
    assert built.stdout.strip() == str(tmp_path / "out" / "a.pdf")
    assert (tmp_path / "out" / "a.pdf").read_bytes() == plain_pdf
    shown = runner.invoke(app, ["preview", str(issue), "-o", str(tmp_path / "p")], env={"SOURCE_DATE_EPOCH": value})
    assert shown.exit_code == 0, shown.output
    assert "共 2 页" in shown.stderr and (tmp_path / "p" / "a-p1.png").is_file()


def pdf_date(text: str) -> dt.datetime:
    m = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)([+-])(\d\d)'(\d\d)'", text)
    assert m, text
    offset = dt.timedelta(hours=int(m[8]), minutes=int(m[9])) * (1 if m[7] == "+" else -1)
    return dt.datetime(*map(int, m.groups()[:6]), tzinfo=dt.timezone(offset))


@pytest.mark.parametrize(("date", "year"), [("0999-01-02", 999), ("0001-01-01", 1), ("2024-02-29", 2024)])
@pytest.mark.parametrize("profile", ["print", "archive"])
def test_creation_date_is_well_formed_and_equals_the_xmp(tmp_path: Path, date: str, year: int, profile: str) -> None:
    issue = write(tmp_path, "a.yaml", SMALL_ISSUE.replace("date: 2024-02-29", f"date: {date}"))
    result = runner.invoke(app, ["build", str(issue), "-o", str(tmp_path / "out"), "--profile", profile])
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "out" / "a.pdf") as pdf:
        info = {key: str(pdf.docinfo[key]) for key in ("/CreationDate", "/ModDate")}
        xmp = str(pdf.Root.Metadata.read_bytes(), "utf-8")
    created = pdf_date(info["/CreationDate"])
    assert created == pdf_date(info["/ModDate"])
    assert (created.year, created.utcoffset()) == (year, dt.timedelta(hours=8))
    (xmp_created,) = re.findall(r"<xmp:CreateDate>([^<]+)</xmp:CreateDate>", xmp)
    assert xmp_created == f"{date}T00:00:00+08:00" and dt.datetime.fromisoformat(xmp_created) == created
