"""``python -m voxasync``: the ``vox`` command (``python -m voxasync demo`` to begin)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m voxasync"))
