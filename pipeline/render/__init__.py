"""The writers: each walks only the page model (``pipeline.page``): PDF, OFD, and the text trace."""
