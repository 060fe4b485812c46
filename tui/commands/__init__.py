"""Command-line subcommands. Each module defines ``register(subparsers)``.

A command handler receives the parsed ``argparse.Namespace`` and returns an exit
code: 0 ok, 1 findings (where that helps CI), 2 error. Handlers raise
:class:`analysis.errors.GomodxError` for user mistakes; :func:`tui.cli.main` prints
them without a traceback. A usage mistake only the handler can see (options that do not
go together) is an :class:`argparse.ArgumentError`, printed with the command's usage.

Every subcommand's parser is :class:`tui.cli.CommandParser`: options may come anywhere
among the positionals.
"""
