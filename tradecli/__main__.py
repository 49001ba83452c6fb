"""``python -m tradecli``."""

from tradecli.cli import app

app(prog_name="tradecli")
