"""Shared helpers for the bench scripts: paths, measuring a job in a fresh process, result files."""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "data")
OUT = os.path.join(REPO, "outputs", "bench")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_job(script: str, *args: str) -> dict:
    """Run ``python script --job args...`` in a fresh process (so its peak memory is its own) and
    return the JSON object it prints on its last stdout line."""
    p = subprocess.run([sys.executable, script, "--job", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"job {args} failed")
    return json.loads(p.stdout.strip().splitlines()[-1])


def emit(result: dict) -> None:
    """Print a job's result as the last stdout line, with the process's peak memory."""
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, ensure_ascii=False))


def write_results(name: str, data: dict, table: str, out: str = OUT) -> None:
    """``out/NAME.json`` (``data`` plus the machine) and ``out/NAME.md`` (``table``), printed too."""
    os.makedirs(out, exist_ok=True)
    data["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "platform": platform.platform()}
    with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    with open(os.path.join(out, name + ".md"), "w", encoding="utf-8") as fh:
        fh.write(table)
    print(table)
