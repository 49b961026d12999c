"""The PDF writer: the page model drawn with reportlab's canvas and fonts of jianbao's own, then finished
with pikepdf (metadata, boxes, PDF/A)."""
