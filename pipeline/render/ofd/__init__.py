"""OFD output (GB/T 33190-2016): a second writer of the page model, beside the PDF writer.

``write_ofd(document)`` turns a ``page.Document`` into the bytes of an OFD package: fonts embedded as
TrueType subsets, every glyph at the page model's position, CMYK colours, photos embedded as they
are, bookmarks as the outline, and the issue's metadata in DocInfo. It reads only the page model,
and writes with ``zipfile``, ``xml.etree`` and jianbao's own font subsetter. ``save_ofd`` writes the
package next to the PDF. See docs/ofd.md.
"""
