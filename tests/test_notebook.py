"""examples/notebook.ipynb runs top to bottom in a real Jupyter kernel, with no key."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (the test extra)")
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "notebook.ipynb"


def text_of(cell: object) -> str:
    parts = []
    for output in cell.outputs:  # type: ignore[attr-defined]
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.extend(str(value) for value in output.data.values())
    return "".join(parts)


@pytest.mark.timeout(180)
def test_notebook_runs_in_a_real_kernel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("VOX_API_KEY", "VOX_BASE_URL", "VOX_LOG"):
        monkeypatch.delenv(name, raising=False)

    # A "python3" kernelspec for this very interpreter, found before any user-installed one.
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (voxasync tests)",
        "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(
        not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"
    ), "commit the notebook without outputs"
    # Prove the kernel is this interpreter (so it runs the voxasync under test).
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))

    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [
        output for cell in code_cells for output in cell.outputs
        if output.output_type == "error"
    ]
    assert all(cell.execution_count for cell in code_cells)  # every cell ran, in order
    everything = "\n".join(text_of(cell) for cell in code_cells)
    assert "sandbox: fake vox.ai server at http://127.0.0.1:" in everything
    assert "8 numbers pending termination" in everything
    assert ": active, end_at=None" in everything
    assert "batch: 7 restored, 0 failed" in everything
    assert "still pending: 0" in everything
    assert "<table>" in everything  # the table renders as HTML in Jupyter ...
    last_table = text_of(code_cells[-3])
    assert last_table.count("cancel_requested") == 0  # ... and the after-table is all active
    assert last_table.count("<td>active</td>") == 10
    assert "closed" in everything
    assert text_of(code_cells[-1]).strip() == sys.executable
    assert os.environ.get("VOX_API_KEY") is None
