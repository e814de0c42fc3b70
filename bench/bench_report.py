"""The HTML report in a real browser: build it on the shipped sample, render it in headless Chromium.

Steps: run `minent report` on the bundled sample minent/data/sample.zh.txt in a fresh process (wall time, peak memory);
check the page (well-formed, every section, SVG charts, no external resources); open it in
headless Chromium (Debian package; `apt-get install -y chromium fonts-noto-cjk`), dump the DOM
after rendering (the SVGs must be there) and take a full-width screenshot; count console messages
Chromium logs for the page (there is no script, so any would be a load error).

    python bench/bench_report.py [--height 6400]
Writes outputs/report.html, outputs/report.json (the numbers), outputs/report.png and
outputs/bench/report.{json,md}.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, write_results  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SECTIONS = ("numbers", "lexicon", "information", "new-words", "templates", "trees")


class PageCheck(HTMLParser):
    """Counts tags, collects ids and every src/href, and checks that tags nest properly."""

    VOID = {"meta", "br", "img", "link", "input", "hr", "circle", "line", "rect", "polyline", "path"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.links, self.tags, self.errors = [], set(), [], {}, []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k in ("src", "href") or (k == "style" and "url(" in (v or "")):
                self.links.append(v)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>")
        else:
            self.stack.pop()


def check_page(html: str) -> dict:
    p = PageCheck()
    p.feed(html)
    p.close()
    external = [u for u in p.links if re.match(r"(https?:)?//", u or "")]
    external += re.findall(r"url\(\s*['\"]?(?:https?:)?//", html)
    return {"well_formed": not p.errors and not p.stack, "errors": p.errors[:5],
            "sections_missing": [s for s in SECTIONS if s not in p.ids], "svg": p.tags.get("svg", 0),
            "circles": p.tags.get("circle", 0), "script_tags": p.tags.get("script", 0),
            "external_resources": external}


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


def chromium(args: list[str], url: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args, url],
                          capture_output=True, text=True, timeout=180)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--height", type=int, default=6400, help="Screenshot height in pixels (width 1280).")
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} missing: apt-get install -y chromium fonts-noto-cjk")
    out = os.path.join(REPO, "outputs")
    html_path, data_path, png_path = (os.path.join(out, n) for n in ("report.html", "report.json", "report.png"))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.join(REPO, "cli.py"), "report", "--quiet", "-o", html_path,
                        "--data", data_path], capture_output=True, text=True, cwd=REPO)
    build_s = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"minent report failed: {p.stderr.strip()}")
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    with open(html_path, encoding="utf-8") as fh:
        html = fh.read()
    page = check_page(html)

    url = "file://" + html_path
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    t0 = time.perf_counter()
    dom = chromium(["--dump-dom", "--virtual-time-budget=3000"], url)
    shot = chromium([f"--screenshot={png_path}", f"--window-size=1280,{args.height}"], url)
    browser_s = time.perf_counter() - t0
    console = [line for line in (dom.stderr + shot.stderr).splitlines() if "CONSOLE" in line]
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    width, height = png_size(png_path)
    res = {
        "browser": version, "build_s": round(build_s, 2), "build_peak_rss_mb": round(peak_mb),
        "html_bytes": len(html.encode("utf-8")), "png_bytes": os.path.getsize(png_path), "png_size": [width, height],
        "page": page, "dom_svg": dom.stdout.count("<svg"), "dom_sections": [s for s in SECTIONS if f'id="{s}"' in dom.stdout],
        "console_messages": console[:10], "browser_s": round(browser_s, 2),
        "cjk_fonts": sorted({f.split(",")[0].strip() for f in fonts.splitlines() if f.strip()})[:6],
    }
    ok = (page["well_formed"] and not page["sections_missing"] and not page["external_resources"]
          and page["svg"] >= 4 and res["dom_svg"] == page["svg"] and len(res["dom_sections"]) == len(SECTIONS)
          and not console and res["png_bytes"] > 50_000)
    res["ok"] = ok
    table = (
        "# HTML report in headless Chromium (bench/bench_report.py)\n\n"
        f"`minent report` on the bundled sample minent/data/sample.zh.txt (475 KB): built in **{res['build_s']} s** "
        f"(fresh process, peak {res['build_peak_rss_mb']} MB); page **{res['html_bytes']:,} bytes**, "
        f"{page['svg']} inline SVGs, {page['circles']:,} circles, {page['script_tags']} script tags, "
        f"external resources: {len(page['external_resources'])}; well-formed: {page['well_formed']}.\n\n"
        f"Browser: {version}. DOM after rendering: {res['dom_svg']} SVGs, sections "
        f"{', '.join(res['dom_sections'])}; console messages: {len(console)}. Screenshot "
        f"outputs/report.png {width}x{height}, {res['png_bytes']:,} bytes, in {res['browser_s']} s "
        f"(both browser runs). CJK fonts: {', '.join(res['cjk_fonts']) or 'none'}.\n\n"
        f"Overall: **{'pass' if ok else 'FAIL'}**\n")
    write_results("report", res, table)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
