"""One page of the page model as Pages/Page_N/Content.xml: photos, text and rules, in the PDF's order.

OFD measures in millimetres from the top-left corner of the page. Every graphic object has a
Boundary (its box on the page), and what it draws is placed relative to the Boundary's corner:

- a run of glyphs is a TextObject with one TextCode: its text as written, X and Y of the first glyph
  on the baseline, and DeltaX for every step to the next character, so each glyph sits where the page
  model put it; fake bold is a stroke around the glyphs (Stroke="true", LineWidth);
- a rule is a PathObject, a stroked line;
- a photo is an ImageObject whose CTM scales (and turns) the image's unit square to its box.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

from pipeline.page import GlyphRun, Image, Page, Rule
from pipeline.render.ofd import xmltree
from pipeline.render.ofd.ids import Ids
from pipeline.render.ofd.images import ctm
from pipeline.render.ofd.measure import MM_PER_PT, PLACES, array, deltas, mm, num
from pipeline.render.ofd.resources import Resources


def page_content(page: Page, res: Resources, ids: Ids, physical_box: str) -> bytes:
    """The page's Content.xml (its own PhysicalBox only when it differs from the document's)."""
    root = xmltree.root("Page")
    box = array((0, 0, mm(page.width), mm(page.height)))
    if box != physical_box:
        xmltree.sub(xmltree.sub(root, "Area"), "PhysicalBox", text=box)
    layer = xmltree.sub(xmltree.sub(root, "Content"), "Layer", {"ID": str(ids.next()), "Type": "Body"})
    for image in page.images:
        _image(layer, image, page, res, ids)
    for line in page.lines:
        for run in line.runs:
            if run.glyphs:
                _text(layer, run, page, res, ids)
    for rule in page.rules:
        _rule(layer, rule, page, res, ids)
    return xmltree.to_bytes(root)


def _boundary(left: float, top: float, right: float, bottom: float) -> str:
    return array((left, top, round(right - left, PLACES), round(bottom - top, PLACES)))


def _text(layer: ET.Element, run: GlyphRun, page: Page, res: Resources, ids: Ids) -> None:
    font = res.fonts[run.font]
    ascent, descent = font.extent()
    stroke = run.fake_bold * run.size  # the PDF's stroke width (pt)
    left = mm(min(g.x for g in run.glyphs) - stroke)
    right = mm(max(g.x + g.advance for g in run.glyphs) + stroke)
    top = mm(page.height - run.y - ascent * run.size - stroke)
    bottom = mm(page.height - run.y + descent * run.size + stroke)
    attrs = {"ID": str(ids.next()), "Boundary": _boundary(left, top, right, bottom), "Font": str(font.id)}
    attrs["Size"] = num(run.size * MM_PER_PT)
    if stroke:
        attrs.update(Stroke="true", LineWidth=num(stroke * MM_PER_PT))
    obj = xmltree.sub(layer, "TextObject", attrs)
    res.colour(obj, "FillColor", run.colour)
    if stroke:
        res.colour(obj, "StrokeColor", run.colour)
    # every character at its glyph's pen position: the characters after the first of a glyph that
    # draws several (a CGTransform) are at its position too
    text: list[str] = []
    xs: list[float] = []
    for g in run.glyphs:
        glyph = font.use(g.gid, g.text)
        if glyph is not None:
            codes = {"CodePosition": str(len(text)), "CodeCount": str(len(g.text)), "GlyphCount": "1"}
            xmltree.sub(xmltree.sub(obj, "CGTransform", codes), "Glyphs", text=str(glyph))
        text += g.text
        xs += [mm(g.x)] * len(g.text)
    code = {"X": num(xs[0] - left), "Y": num(mm(page.height - run.y) - top)}
    if len(xs) > 1:
        code["DeltaX"] = deltas([round(b - a, PLACES) for a, b in pairwise(xs)])
    xmltree.sub(obj, "TextCode", code, "".join(text))


def _rule(layer: ET.Element, rule: Rule, page: Page, res: Resources, ids: Ids) -> None:
    half = rule.width / 2
    x0, x1 = mm(rule.x0), mm(rule.x1)
    y0, y1 = mm(page.height - rule.y0), mm(page.height - rule.y1)
    left, right = mm(min(rule.x0, rule.x1) - half), mm(max(rule.x0, rule.x1) + half)
    top = mm(page.height - max(rule.y0, rule.y1) - half)
    bottom = mm(page.height - min(rule.y0, rule.y1) + half)
    attrs = {"ID": str(ids.next()), "Boundary": _boundary(left, top, right, bottom), "LineWidth": num(rule.width * MM_PER_PT)}
    obj = xmltree.sub(layer, "PathObject", attrs)
    res.colour(obj, "StrokeColor", rule.colour)
    path = f"M {array((x0 - left, y0 - top))} L {array((x1 - left, y1 - top))}"
    xmltree.sub(obj, "AbbreviatedData", text=path)


def _image(layer: ET.Element, image: Image, page: Page, res: Resources, ids: Ids) -> None:
    left, right = mm(image.x), mm(image.x + image.width)
    top, bottom = mm(page.height - image.y - image.height), mm(page.height - image.y)
    width, height = round(right - left, PLACES), round(bottom - top, PLACES)
    attrs = {"ID": str(ids.next()), "Boundary": _boundary(left, top, right, bottom), "CTM": array(ctm(image, width, height))}
    attrs["ResourceID"] = str(res.images[image.path].id)
    xmltree.sub(layer, "ImageObject", attrs)
