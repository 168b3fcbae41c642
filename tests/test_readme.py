"""Every ``python`` block of the README runs as written, with only VOX_API_KEY and
VOX_BASE_URL set, against a FakeVoxServer holding a few active and a few pending numbers.

Excerpts that are not whole programs are fenced as ``text`` in the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from voxasync.testing import FakeVoxServer

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), re.S | re.M)


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(block: str, server: FakeVoxServer, tmp_path: Path) -> None:
    for _ in range(3):
        server.add_number(status="active")
    server.seed_pending(3)
    script = tmp_path / "block.py"
    script.write_text(block, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOX_")}
    env.update(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url, PYTHONIOENCODING="utf-8")
    result = subprocess.run(  # noqa: S603 - our own interpreter on the README's own code
        [sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
