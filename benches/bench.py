#!/usr/bin/env python3
"""Benchmark faultline on real code downloaded from package registries.

For each corpus (the Django source distribution from PyPI, the rxjs package
from npm, a Rust crate from the local cargo registry) it runs the release
binary in two modes on the same threads:

  parse-only  walk, read and parse every file, no facts, no rules
  full        the whole scan (facts, project model, rules, ranking)

and reports files/s, lines/s, peak memory (max RSS) and the ratio
full / parse-only (the target is <= 1.5). Each mode runs --runs times; the
median wall time is reported. Not a test: numbers vary with the machine.

usage: benches/bench.py [--runs N] [--threads N] [--corpus django,rxjs,...]
"""

import argparse
import glob
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("FAULTLINE_BENCH_DIR", os.path.join(ROOT, "target", "bench-corpus"))
BIN = os.path.join(ROOT, "target", "release", "faultline")

DJANGO = "5.1.4"
RXJS = "7.8.1"


def unpack(archive, dest):
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    (inner,) = os.listdir(tmp)
    os.replace(os.path.join(tmp, inner), dest)
    os.rmdir(tmp)


def fetch_django():
    dest = os.path.join(CACHE, "django")
    if not os.path.isdir(dest):
        dl = os.path.join(CACHE, "downloads")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             f"django=={DJANGO}", "-d", dl],
            check=True,
        )
        unpack(glob.glob(os.path.join(dl, f"[dD]jango-{DJANGO}.tar.gz"))[0], dest)
    return dest


def fetch_rxjs():
    dest = os.path.join(CACHE, "rxjs")
    if not os.path.isdir(dest):
        dl = os.path.join(CACHE, "downloads")
        os.makedirs(dl, exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", f"rxjs@{RXJS}", "--pack-destination", dl], check=True,
                       stdout=subprocess.DEVNULL)
        unpack(os.path.join(dl, f"rxjs-{RXJS}.tgz"), dest)
    return dest


def fetch_tokio():
    """The tokio crate's sources, fetched from crates.io into the cargo registry."""
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    pattern = os.path.join(home, "registry", "src", "*", "tokio-1.*")
    if not glob.glob(pattern):
        probe = os.path.join(CACHE, "fetch-tokio")
        os.makedirs(os.path.join(probe, "src"), exist_ok=True)
        with open(os.path.join(probe, "Cargo.toml"), "w") as f:
            f.write('[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n'
                    '[dependencies]\ntokio = { version = "1", features = ["full"] }\n')
        with open(os.path.join(probe, "src", "lib.rs"), "w") as f:
            f.write("")
        subprocess.run(["cargo", "fetch", "--quiet"], cwd=probe, check=True)
    found = sorted(glob.glob(pattern))
    return found[-1] if found else None


CORPORA = {"django": fetch_django, "rxjs": fetch_rxjs, "tokio": fetch_tokio}


def run(path, threads, parse_only):
    args = [BIN, "scan", path, "--format", "json", "--quiet", "--threads", str(threads),
            "--include-deps"]
    if parse_only:
        args.append("--parse-only")
    start = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"faultline failed on {path} with exit {proc.returncode}")
    return elapsed, json.loads(proc.stdout)


def peak_rss_mb(path, threads, parse_only):
    """Max RSS of one run, measured in a fresh child so runs do not mix."""
    code = (
        "import resource,subprocess,sys;"
        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    args = [sys.executable, "-c", code, BIN, "scan", path, "--format", "json", "--quiet",
            "--threads", str(threads), "--include-deps"]
    if parse_only:
        args.append("--parse-only")
    out = subprocess.run(args, stdout=subprocess.PIPE, check=True).stdout
    return int(out.strip()) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--corpus", default="django,rxjs,tokio")
    opts = parser.parse_args()
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print(f"threads: {opts.threads}, runs per mode: {opts.runs} (median)\n")
    header = f"{'corpus':8} {'mode':10} {'files':>6} {'lines':>9} {'time':>8} {'files/s':>9} {'lines/s':>10} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for name in opts.corpus.split(","):
        path = CORPORA[name]()
        if path is None:
            print(f"{name:8} (not available)")
            continue
        times = {}
        for mode in ("parse-only", "full"):
            parse_only = mode == "parse-only"
            run(path, opts.threads, parse_only)  # warm the page cache
            samples = []
            report = None
            for _ in range(opts.runs):
                elapsed, report = run(path, opts.threads, parse_only)
                samples.append(elapsed)
            median = statistics.median(samples)
            times[mode] = median
            files = report["summary"]["files_scanned"]
            lines = report["summary"]["lines_scanned"]
            rss = peak_rss_mb(path, opts.threads, parse_only)
            print(f"{name:8} {mode:10} {files:6} {lines:9} {median:7.3f}s {files / median:9.0f} "
                  f"{lines / median:10.0f} {rss:8.1f}")
        findings = report["summary"]["findings"]
        print(f"{name:8} ratio full/parse-only: {times['full'] / times['parse-only']:.2f}x, findings: {findings}\n")


if __name__ == "__main__":
    main()
