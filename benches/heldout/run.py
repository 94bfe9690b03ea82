#!/usr/bin/env python3
"""Held-out recall check: download the old releases named in cases.json from PyPI,
scan them with a faultline binary, and report which cases a finding points at.

    python3 benches/heldout/run.py --bin target/release/faultline [--work /tmp/heldout]
stdlib only; uses `pip download` (PyPI sdists) for the sources.
"""
import argparse, glob, json, os, subprocess, sys, tarfile

HERE = os.path.dirname(os.path.abspath(__file__))

def fetch(pkg, ver, work):
    dl = os.path.join(work, "dl"); src = os.path.join(work, "src")
    os.makedirs(dl, exist_ok=True); os.makedirs(src, exist_ok=True)
    names = {pkg, pkg.replace("-", "_")}
    for n in names:
        d = os.path.join(src, f"{n}-{ver}")
        if os.path.isdir(d):
            return d
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--no-binary", ":all:", f"{pkg}=={ver}", "-d", dl], check=True)
    for n in names:
        for t in glob.glob(os.path.join(dl, f"{n}-{ver}.tar.gz")):
            with tarfile.open(t) as tf:
                tf.extractall(src)
            d = os.path.join(src, f"{n}-{ver}")
            if os.path.isdir(d):
                return d
    sys.exit(f"could not fetch {pkg}=={ver}")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--work", default="/tmp/heldout")
    ap.add_argument("--slack", type=int, default=0, help="extra lines around old_lines")
    a = ap.parse_args()
    data = json.load(open(a.cases))
    scans = {}
    hit = 0
    for c in data["cases"]:
        key = (c["package"], c["old"])
        if key not in scans:
            root = fetch(c["package"], c["old"], a.work)
            out = subprocess.run([a.bin, "scan", root, "--format", "json", "--quiet",
                                  "--select", "n-plus-one,missing-index"],
                                 capture_output=True, text=True)
            scans[key] = json.loads(out.stdout)["findings"]
        lines = set()
        for l in c["old_lines"]:
            lines.update(range(l - a.slack, l + a.slack + 1))
        found = [f for f in scans[key]
                 if f["path"] == c["old_file"] and f["line"] in lines
                 and (not c.get("rules") or f["rule"] in c["rules"])]
        hit += bool(found)
        exp = "detected" if c["detected"] else "missed"
        got = "detected" if found else "missed"
        flag = "" if exp == got else "   <-- differs from recorded"
        print(f"{got:8} {c['id']}  {c['old_file']}:{c['old_lines']}{flag}")
    n = len(data["cases"])
    print(f"recall {hit}/{n} = {hit / n:.0%}" if n else "no cases")

if __name__ == "__main__":
    main()
