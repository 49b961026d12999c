"""The pagination stage: the flow on pages (keep rules, filled pages, folios, the 报尾), then the page model."""
