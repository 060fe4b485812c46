"""gomodx's user-facing layer: the command line and the Textual app."""
