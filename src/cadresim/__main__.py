"""``python -m cadresim``: the command line."""

from cadresim.cli.main import main

main()
