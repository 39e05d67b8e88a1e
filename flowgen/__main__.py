"""``python -m flowgen``."""

from flowgen.cli import run

run()
