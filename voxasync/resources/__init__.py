"""One module per API resource; each operation is written once, async."""
