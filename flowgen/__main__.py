"""``python -m flowgen``."""

from flowgen.cli import main

main()
