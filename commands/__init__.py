"""CLI subcommands: one module each (see ``cli.py``)."""
