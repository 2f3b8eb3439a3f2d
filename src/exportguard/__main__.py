"""``python -m exportguard``: the command line, as the ``exportguard`` script."""

from exportguard.cli.app import main

main()
