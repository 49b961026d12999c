"""The composition stage: text into lines (breaking, adjustment), photos and tables, the document flow."""
