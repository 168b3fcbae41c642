"""``python -m voxasync.cli``: the ``vox`` command, as ``python -m voxasync`` runs it."""

import sys

from . import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog="python -m voxasync.cli"))
