"""``python -m flowgen``."""

from flowgen.cli.main import run

run()
