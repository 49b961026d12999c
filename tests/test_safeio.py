"""Every file the program reads is opened through ``pipeline/safeio.py`` (issue 16, point 7).

``OTHER_OPENS`` lists the other places in pipeline/ that open something, each with the reason it is
not a user's file being read; any new ``open()``, ``read_bytes()``, ``read_text()``… on a path fails
``test_files_are_opened_only_through_safeio`` until it goes through safeio (or is listed here).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

CALLS = {"open", "read_bytes", "read_text", "fdopen", "docx.Document", "PdfDocument", "TTFontFace", "TTFontFile", "ImageReader"}
CALLS |= {"ZipFile", "drawImage"}  # names, and dotted names for a common one (the page model has a Document too)
IN_MEMORY = ("io.BytesIO(", "safeio.")  # a first argument that is bytes already read (through safeio)
OTHER_OPENS = {  # call site → why it is not a user's file to read
    "pipeline/source/newissue.py: target.open('x')": "creates the new issue file; 'x' never opens an existing one",
    "pipeline/atomic.py: os.open(tmp)": "creates write_atomic's own temp file (O_EXCL)",
    "pipeline/atomic.py: os.fdopen(fd)": "that temp file, for writing",
    "pipeline/atomic.py: os.open(folder)": "a folder opened to fsync a rename",
    "pipeline/render/pdf/colour.py: resources.files('pipeline').joinpath('data', name).read_bytes()": "an ICC profile",
    "pipeline/render/pdf/pages.py: contents.read_bytes()": "a pikepdf content stream, in memory",
    "pipeline/render/pdf/pages.py: part.read_bytes()": "a pikepdf content stream, in memory",
    "pipeline/render/pdf/tounicode.py: cmap.read_bytes()": "a pikepdf ToUnicode stream, in memory",
    "pipeline/source/docx_read.py: archive.open(info)": "a part of the .docx zip, in memory, unpacked with a cap",
    "pipeline/render/pdf/photos.py: ImageReader(picture)": "a picture Pillow decoded from bytes safeio read",
    "pipeline/render/pdf/photos.py: c.drawImage(photo_source(im.path))": "photo_source reads the file through safeio",
    "pipeline/cli/preview.py: pdfium.PdfDocument(data)": "a PDF's bytes safeio read",
    "pipeline/render/ofd/package.py: zipfile.ZipFile(buf)": "the OFD package, written into memory",
}


def call_sites(root: Path, files: list[Path]) -> set[str]:
    """Every call in ``files`` (under ``root``) that may open a file and is not given bytes already read."""
    found = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            callee = ast.unparse(func)
            first = ast.unparse(node.args[0]) if node.args else ""
            opens = name in CALLS or callee in CALLS
            if opens and not callee.startswith("safeio.") and not first.startswith(IN_MEMORY):
                found.add(f"{path.relative_to(root).as_posix()}: {callee}({first})")
    return found


def test_files_are_opened_only_through_safeio() -> None:
    files = [p for p in sorted((ROOT / "pipeline").rglob("*.py")) if p.name != "safeio.py"]
    assert call_sites(ROOT, files) == set(OTHER_OPENS)


def test_a_bare_open_of_a_path_is_found(tmp_path: Path) -> None:
    module = tmp_path / "pipeline" / "reader.py"
    module.parent.mkdir()
    module.write_text(
        "import io\nfrom PIL import Image\n"
        "def f(path):\n"
        "    text = path.read_text(encoding='utf-8')\n"
        "    with open(path, 'rb') as fh:\n"
        "        fh.read()\n"
        "    Image.open(io.BytesIO(b''))\n"  # bytes already read: fine
        "    Document(pages)\n"  # not python-docx
        "    return Image.open(path), safeio.read_bytes(path, 10), docx.Document(path)\n",
        encoding="utf-8",
    )
    assert call_sites(tmp_path, [module]) == {
        "pipeline/reader.py: path.read_text()",
        "pipeline/reader.py: open(path)",
        "pipeline/reader.py: Image.open(path)",
        "pipeline/reader.py: docx.Document(path)",
    }
