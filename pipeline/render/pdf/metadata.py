"""What the PDF says about the issue: the Info dictionary, the XMP packet, language and title display."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from pikepdf import Dictionary, Name, Pdf, String

from pipeline.page import Info

CREATOR = "jianbao"
PRODUCER = "jianbao (ReportLab, pikepdf/qpdf)"
ISSUE_TZ = dt.timezone(dt.timedelta(hours=8))


def _issue_datetime(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=ISSUE_TZ)


def pdf_date(date: dt.date) -> str:
    """The issue's date as a PDF date string, at 00:00 +08:00 (four-digit year: strftime drops the zeros of 0999)."""
    return f"D:{date.year:04d}{date.month:02d}{date.day:02d}000000+08'00'"


@contextmanager
def reportlab_clock_hidden() -> Iterator[None]:
    """While reportlab writes: SOURCE_DATE_EPOCH out of its sight.

    reportlab stamps its draft with SOURCE_DATE_EPOCH, read with ``int()`` (``1.5`` or ``garbage`` would
    raise); the delivered PDF's dates are the issue's (``set_info``), so the variable changes nothing
    and is ignored, whatever its value.
    """
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _keywords(info: Info) -> str:
    return "; ".join(info.keywords)


def set_info(pdf: Pdf, info: Info) -> None:
    """The document Info dictionary (empty entries left out)."""
    entries = {
        "/Title": info.title,
        "/Author": info.author,
        "/Subject": info.subject,
        "/Keywords": _keywords(info),
        "/Creator": CREATOR,
        "/Producer": PRODUCER,
        "/CreationDate": pdf_date(info.date),
        "/ModDate": pdf_date(info.date),
    }
    pdf.trailer.Info = pdf.make_indirect(Dictionary({k: String(v) for k, v in entries.items() if v}))


def _xml(text: str) -> str:
    """Text for XML character data (xml.sax.saxutils.escape, which would import urllib and ssl)."""
    clean = "".join(c if c >= " " or c in "\t\n" else " " for c in text)
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ARCHIVE_NS = "urn:jianbao:archive:1.0/"  # the archive fields' XMP schema, declared as a PDF/A extension schema
ARCHIVE_PROPERTIES = {  # Info.custom name → (XMP property, what it is)
    "题名": ("title", "题名 (title)"),
    "期号": ("issueNumber", "期号 (issue number)"),
    "总期号": ("totalNumber", "总期号 (running number)"),
    "编印单位": ("issuer", "编印单位 (issuing office)"),
    "印发日期": ("issueDate", "印发日期 (date of issue, YYYY-MM-DD)"),
    "密级": ("classification", "密级 (security classification)"),
    "保管期限": ("retentionPeriod", "保管期限 (retention period)"),
}


def _archive_xmp(info: Info) -> tuple[str, str]:
    """The archive fields as XMP properties, and the PDF/A extension schema that declares them."""
    fields = [(ARCHIVE_PROPERTIES[name], value) for name, value in info.custom if name in ARCHIVE_PROPERTIES]
    if not fields:
        return "", ""
    values = "".join(f"<jbarc:{prop}>{_xml(value)}</jbarc:{prop}>" for (prop, _), value in fields)
    declared = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{prop}</pdfaProperty:name>'
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{_xml(what)}</pdfaProperty:description></rdf:li>"
        for prop, what in ARCHIVE_PROPERTIES.values()
    )
    schema = (
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>jianbao archive metadata (GB/T 18894)</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{ARCHIVE_NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>jbarc</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{declared}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
    )
    return values, schema


def _xmp(info: Info, pdfa_part: int | None) -> bytes:
    """The XMP packet, written here so it is deterministic and exactly as PDF/A wants it."""
    when = _issue_datetime(info.date).isoformat()
    lang = _xml(info.language)

    def alt(text: str) -> str:
        items = "".join(f'<rdf:li xml:lang="{code}">{_xml(text)}</rdf:li>' for code in ("x-default", lang))
        return f"<rdf:Alt>{items}</rdf:Alt>"

    props = [
        "<dc:format>application/pdf</dc:format>",
        f"<dc:title>{alt(info.title)}</dc:title>",
        f"<dc:creator><rdf:Seq><rdf:li>{_xml(info.author)}</rdf:li></rdf:Seq></dc:creator>" if info.author else "",
        f"<dc:description>{alt(info.subject)}</dc:description>" if info.subject else "",
        f"<dc:subject><rdf:Bag>{''.join(f'<rdf:li>{_xml(k)}</rdf:li>' for k in info.keywords)}</rdf:Bag></dc:subject>"
        if info.keywords
        else "",
        f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>",
        f"<pdf:Keywords>{_xml(_keywords(info))}</pdf:Keywords>" if info.keywords else "",
        f"<pdf:Producer>{_xml(PRODUCER)}</pdf:Producer>",
        f"<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{when}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{when}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>",
        f"<pdfaid:part>{pdfa_part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" if pdfa_part else "",
        *_archive_xmp(info),
    ]
    body = "\n   ".join(p for p in props if p)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"
    xmlns:jbarc="{ARCHIVE_NS}">
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
{(" " * 99 + chr(10)) * 20}<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def set_catalog(pdf: Pdf, info: Info, pdfa_part: int | None) -> None:
    """The XMP packet (with the PDF/A part, if any), the language, and the title shown by viewers."""
    metadata = pdf.make_stream(_xmp(info, pdfa_part))  # left uncompressed: qpdf never compresses /Type /Metadata
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = metadata
    pdf.Root.Lang = String(info.language)
    prefs = pdf.Root.get("/ViewerPreferences", Dictionary())
    prefs.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = prefs
