"""PDF/A (archive profile): the CMYK output intent, printable annotations, no JavaScript, the issue file attached."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from pikepdf import Array, Dictionary, Name, Pdf, String

from pipeline.render.pdf.colour import icc_profile
from pipeline.render.pdf.metadata import pdf_date

CMYK_PROFILE = "jianbao-cmyk-fogra39l.icc"
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004), jianbao profile built from FOGRA39L"
SOURCE_MIME = "/application/x-yaml"


def make_pdfa(pdf: Pdf, date: dt.date, source_name: str | None, source_bytes: bytes | None) -> int:
    """Apply PDF/A's rules; return the part: 3 (PDF/A-3b) with the issue file attached, else 2."""
    _add_output_intent(pdf)
    _make_annotations_printable(pdf)
    _remove_javascript(pdf)
    if source_name is None or source_bytes is None:
        return 2
    _embed_source(pdf, source_name, source_bytes, date)
    return 3


def _add_output_intent(pdf: Pdf) -> None:
    """The output intent: a CMYK printer profile, as the document uses DeviceCMYK."""
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=String(OUTPUT_CONDITION),
        OutputCondition=String(OUTPUT_CONDITION_INFO),
        RegistryName=String("http://www.color.org"),
        Info=String(OUTPUT_CONDITION_INFO),
        DestOutputProfile=icc_profile(pdf, CMYK_PROFILE, 4),
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _make_annotations_printable(pdf: Pdf) -> None:
    """Every annotation prints and is visible; no RGB /C or /IC next to a CMYK intent."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            flags = int(annot.get("/F", 0))
            annot.F = (flags | 4) & ~(1 | 2 | 32)
            for key in ("/C", "/IC"):
                if key in annot:
                    del annot[key]


def _remove_javascript(pdf: Pdf) -> None:
    """No document JavaScript, no additional actions, no opening action other than GoTo."""
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        del names["/JavaScript"]
    for holder in [pdf.Root, *(page.obj for page in pdf.pages)]:
        if "/AA" in holder:
            del holder["/AA"]
    action = pdf.Root.get("/OpenAction")
    if isinstance(action, Dictionary) and action.get("/S") != Name.GoTo:
        del pdf.Root["/OpenAction"]


def _embed_source(pdf: Pdf, name: str, data: bytes, date: dt.date) -> None:
    """Attach the issue file as the PDF/A-3 associated file with /AFRelationship /Source."""
    filename = Path(name).name
    stream = pdf.make_stream(data)
    stream.Type = Name.EmbeddedFile
    stream.Subtype = Name(SOURCE_MIME)
    stream.Params = Dictionary(
        ModDate=String(pdf_date(date)),
        Size=len(data),
        CheckSum=String(hashlib.md5(data).digest()),  # the checksum the PDF format defines
    )
    spec = pdf.make_indirect(
        Dictionary(
            Type=Name.Filespec,
            F=String(filename),
            UF=String(filename),
            Desc=String("简报源文件（YAML）"),
            AFRelationship=Name.Source,
            EF=Dictionary(F=stream, UF=stream),
        )
    )
    names = pdf.Root.get("/Names", Dictionary())
    names.EmbeddedFiles = Dictionary(Names=Array([String(filename), spec]))
    pdf.Root.Names = names
    pdf.Root.AF = Array([spec])
