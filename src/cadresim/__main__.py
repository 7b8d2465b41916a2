"""``python -m cadresim``: the command line."""

from cadresim.cli import main

main()
