"""Draw ``docs/throughput.png``: throughput against requests in flight, from a results JSON.

    python bench/chart.py                              # bench/results/latest.json
    python bench/chart.py path/to/results.json out.png

``bench/run.py`` calls :func:`draw` itself after a full run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "results" / "latest.json"
DEFAULT_CHART = HERE.parent / "docs" / "throughput.png"
BATCH_WIDTH = 64  # the batch comparisons and the box's limit (bench/peers.py)

STYLE = {
    "AsyncVox": {"color": "#1f77b4", "marker": "o"},
    "aiohttp": {"color": "#7f7f7f", "marker": "s", "linestyle": "--"},
    "httpx": {"color": "#d62728", "marker": "^"},
}


def draw_main_run(ax: Any, measurements: dict[str, Any]) -> None:
    """The box's limit as a line, and the 64-wide batch as points, from the paired run."""
    box = measurements.get("box_limit")
    if box:
        ax.axhline(
            box["median"],
            color="black",
            linestyle=":",
            linewidth=1.5,
            label=f"box limit: raw asyncio.Protocol, {BATCH_WIDTH} connections",
        )
    for key, label, style in (
        ("sdk_batch_64", "AsyncVox revoke_cancel_many", STYLE["AsyncVox"]),
        ("raw_workers_64", "raw aiohttp 64 workers", STYLE["aiohttp"]),
    ):
        if key in measurements:
            ax.scatter(
                [BATCH_WIDTH],
                [measurements[key]["median"]],
                marker="*",
                s=140,
                zorder=3,
                color=style["color"],
                label=f"{label} ({BATCH_WIDTH}, main run)",
            )


def draw(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep = report["sweep"]
    machine = report["machine"]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    for name, points in sweep.items():
        levels = [int(level) for level in points]
        rates = [points[level] for level in points]
        label = {"AsyncVox": "voxasync AsyncVox", "aiohttp": "raw aiohttp + json()"}.get(
            name, "httpx.AsyncClient"
        )
        ax.plot(levels, rates, label=label, linewidth=2, **STYLE.get(name, {}))
    all_levels = sorted({int(level) for points in sweep.values() for level in points})
    draw_main_run(ax, report.get("measurements", {}))
    ax.set_xscale("log", base=2)
    ax.set_xticks(all_levels)
    ax.set_xticklabels([str(level) for level in all_levels])
    ax.set_xlabel("requests in flight (workers = pool size)")
    ax.set_ylabel("calls per second (median)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    ax.set_title(
        f"revoke_cancel against a canned local server, {report.get('sweep_calls', '?')} calls "
        f"per point\n{machine['nproc']} CPUs, Python {machine['python']}, "
        f"aiohttp {machine['versions']['aiohttp']}, httpx {machine['versions']['httpx']}",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_RESULTS
    target = Path(argv[1]) if len(argv) > 1 else DEFAULT_CHART
    report = json.loads(source.read_text())
    if "sweep" not in report:
        print(f"{source} has no sweep (was it run with --no-sweep?)", file=sys.stderr)
        return 1
    draw(report, target)
    print(f"chart written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
