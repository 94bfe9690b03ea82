#!/usr/bin/env python3
"""The steps of the faultline GitHub Action, in one script.

action.yml runs this after installing faultline; tests/action.rs runs it the
same way against a temporary git repository. Configuration comes from the
environment: the INPUT_* variables set by action.yml, the GITHUB_* variables
and files set by the runner, and FAULTLINE_BIN (the faultline binary).

Exit status: 0 when no reported finding reaches `fail-on`, 1 when one does,
2 when faultline itself failed (said plainly on stderr and as an ::error).
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

SEVERITIES = ["critical", "high", "medium", "low"]
RANK = {s: i for i, s in enumerate(SEVERITIES)}  # lower is more severe
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
MAX_ANNOTATIONS = 50
# $GITHUB_STEP_SUMMARY holds at most 1 MiB per step.
MAX_SUMMARY_ROWS = 1000
PR_EVENTS = ("pull_request", "pull_request_target")


def env(name, default=""):
    return os.environ.get(name, default)


def input_value(name, default=""):
    # The runner exposes `with:` inputs as INPUT_<NAME> (upper case, spaces
    # to underscores; dashes are kept).
    value = env("INPUT_" + name.upper().replace(" ", "_"), "")
    return value.strip() or default


def escape_data(text):
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text):
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def log(message):
    print(message, file=sys.stderr, flush=True)


def fatal(message):
    """faultline (or the setup around it) failed: say so, never blame findings."""
    print("::error title=faultline failed::" + escape_data(message), flush=True)
    log("faultline failed: " + message)
    write_outputs({"total": "", "new": "", "fixed": "", "highest-severity": "", "sarif": ""})
    sys.exit(2)


def append_file(var, text):
    path = env(var)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def write_outputs(values):
    lines = "".join(f"{k}={v}\n" for k, v in values.items())
    append_file("GITHUB_OUTPUT", lines)


def git(*args, cwd=None, check=False):
    proc = subprocess.run(
        ["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if check and proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip())
    return proc


def merge_base(workspace, base, head):
    proc = git("merge-base", head, base, cwd=workspace)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def ensure_merge_base(workspace, base, head):
    """The merge base of head and base, fetching history when the checkout is shallow."""
    found = merge_base(workspace, base, head)
    if found:
        return found
    log(f"faultline: base commit {base} or the history to it is missing, fetching it")
    head_sha = git("rev-parse", head, cwd=workspace).stdout.strip()
    # Deepen both sides: the checkout may be the merge commit (whose first parent is
    # the base) or the pull request's head (whose history must reach the fork point).
    refs = [base] + ([head_sha] if head_sha and head_sha != base else [])
    for depth in ("50", "500", None):
        args = ["fetch", "--no-tags", "--quiet"]
        if depth:
            args.append("--depth=" + depth)
        elif git("rev-parse", "--is-shallow-repository", cwd=workspace).stdout.strip() == "true":
            args.append("--unshallow")
        proc = git(*args, "origin", *refs, cwd=workspace)
        if proc.returncode != 0 and len(refs) > 1:
            # Some servers refuse a commit that no ref advertises: try the base alone.
            proc = git(*args, "origin", base, cwd=workspace)
        if proc.returncode != 0:
            log(f"faultline: git fetch of {' '.join(refs)} failed: {proc.stderr.strip()}")
        found = merge_base(workspace, base, head)
        if found:
            return found
    return None


def run_scan(binary, path, extra, fmt, out, cwd):
    cmd = [binary, "scan", path, "--format", fmt, "-o", out, "--quiet", *extra]
    log("faultline: running " + " ".join(shlex.quote(c) for c in cmd))
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.stdout:
        sys.stderr.write(proc.stdout)
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    # Exit 1 only means a finding reached a --fail-on passed through `args`;
    # the action decides failure itself. Anything else is faultline failing.
    if proc.returncode not in (0, 1) or not os.path.exists(out):
        fatal(
            f"faultline exited with status {proc.returncode} while scanning {path} "
            f"({fmt}); see the log above. This is not a finding."
        )
    if fmt == "json":
        try:
            with open(out, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            fatal(f"could not read faultline's JSON output: {e}")
    return None


def repo_prefix(workspace, path):
    """The scanned root relative to the workspace, as a `/`-joined prefix."""
    full = os.path.abspath(os.path.join(workspace, path))
    if os.path.isfile(full):
        full = os.path.dirname(full)
    rel = os.path.relpath(full, os.path.abspath(workspace)).replace(os.sep, "/")
    return "" if rel == "." else rel.rstrip("/") + "/"


def first_sentence(message):
    text = " ".join(str(message).split())
    cut = text.find(". ")
    return text if cut < 0 else text[: cut + 1]


def md_cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def annotate(findings, prefix):
    shown = 0
    for f in findings:
        if shown >= MAX_ANNOTATIONS:
            break
        level = LEVEL.get(f.get("severity"), "warning")
        props = [
            "file=" + escape_property(prefix + f["path"]),
            "line=" + escape_property(f.get("line", 1)),
        ]
        if f.get("end_line"):
            props.append("endLine=" + escape_property(f["end_line"]))
        if f.get("column"):
            props.append("col=" + escape_property(f["column"]))
        props.append("title=" + escape_property(f"faultline {f['rule']} ({f.get('severity')})"))
        print(f"::{level} {','.join(props)}::{escape_data(f.get('message', ''))}")
        shown += 1
    hidden = len(findings) - shown
    if hidden > 0:
        print(
            f"::notice title=faultline::{hidden} more findings are not annotated (GitHub shows "
            f"at most {MAX_ANNOTATIONS} annotations per job); the job summary lists all of them, "
            f"and so does the SARIF file (input `sarif`)."
        )
    sys.stdout.flush()


def counts(findings, key, order=None):
    out = {}
    for f in findings:
        out[f.get(key, "?")] = out.get(f.get(key, "?"), 0) + 1
    if order:
        return [(k, out.get(k, 0)) for k in order]
    return sorted(out.items())


def summary(ctx):
    new = ctx["new"]
    lines = ["## faultline: scaling risks", ""]
    if ctx["mode"] == "diff":
        lines.append(
            f"Compared with the merge base `{ctx['base'][:12]}` of this pull request: "
            f"**{len(new)} new** finding(s), **{ctx['fixed']} fixed** register entr(ies), "
            f"{ctx['total']} finding(s) in the code after the change."
        )
    elif ctx["mode"] == "baseline":
        lines.append(
            f"Compared with the baseline `{ctx['baseline_file']}`: **{len(new)} new** finding(s), "
            f"**{ctx['fixed']} fixed** register entr(ies), {ctx['total']} finding(s) in total."
        )
    else:
        lines.append(f"**{len(new)}** finding(s) in the scanned code.")
    lines.append("")
    if new:
        lines += ["| severity | new |", "|---|---|"]
        lines += [f"| {s} | {n} |" for s, n in counts(new, "severity", SEVERITIES)]
        lines += ["", "| family | new |", "|---|---|"]
        lines += [f"| {fam} | {n} |" for fam, n in counts(new, "family")]
        lines += ["", "### New findings", "", "| severity | rule | location | message |", "|---|---|---|---|"]
        server = env("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repo, sha = env("GITHUB_REPOSITORY"), env("GITHUB_SHA")
        for f in new[:MAX_SUMMARY_ROWS]:
            where = f"{ctx['prefix']}{f['path']}:{f.get('line', 1)}"
            if repo and sha:
                url = f"{server}/{repo}/blob/{sha}/{ctx['prefix']}{f['path']}#L{f.get('line', 1)}"
                if f.get("end_line") and f["end_line"] != f.get("line"):
                    url += f"-L{f['end_line']}"
                loc = f"[{md_cell(where)}]({url})"
            else:
                loc = f"`{md_cell(where)}`"
            lines.append(
                f"| {f.get('severity')} | `{f['rule']}` | {loc} | {md_cell(first_sentence(f.get('message', '')))} |"
            )
        if len(new) > MAX_SUMMARY_ROWS:
            lines += ["", f"... and {len(new) - MAX_SUMMARY_ROWS} more (see the SARIF file or run faultline locally)."]
    else:
        lines.append("No new scaling risks. :white_check_mark:")
    if ctx["mode"] in ("diff", "baseline"):
        lines += ["", "### Fixed", ""]
        fixed_entries = ctx.get("fixed_entries") or []
        if fixed_entries:
            lines.append(f"This change fixes {ctx['fixed']} register entr(ies):")
            lines.append("")
            for e in fixed_entries:
                lines.append(f"- `{e.get('rule')}` ({e.get('severity')}): {md_cell(e.get('title', ''))}")
        elif ctx["fixed"]:
            lines.append(f"This change fixes {ctx['fixed']} register entr(ies).")
        else:
            lines.append("Nothing fixed.")
    if ctx.get("sarif"):
        lines += ["", f"SARIF (every finding): `{ctx['sarif']}`"]
    append_file("GITHUB_STEP_SUMMARY", "\n".join(lines) + "\n\n")


def fixed_entries(binary, workspace, path, extra, base, head_register, tmp):
    """Register entries of the merge base that are gone from the head (for the summary)."""
    tree = os.path.join(tmp, "base-tree")
    if git("worktree", "add", "--detach", "--quiet", tree, base, cwd=workspace).returncode != 0:
        return []
    try:
        rel = os.path.relpath(os.path.abspath(os.path.join(workspace, path)), os.path.abspath(workspace))
        target = os.path.join(tree, rel)
        if not os.path.exists(target):
            return []
        out = os.path.join(tmp, "base.json")
        cmd = [binary, "scan", target, "--format", "json", "-o", out, "--quiet", *extra]
        if subprocess.run(cmd, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode not in (0, 1):
            return []
        with open(out, encoding="utf-8") as f:
            base_entries = json.load(f).get("register", {}).get("entries", [])
        head_ids = {e.get("id") for e in head_register}
        return [e for e in base_entries if e.get("id") not in head_ids]
    except (OSError, ValueError):
        return []
    finally:
        git("worktree", "remove", "--force", tree, cwd=workspace)


def main():
    workspace = env("GITHUB_WORKSPACE") or os.getcwd()
    binary = env("FAULTLINE_BIN") or "faultline"
    path = input_value("path", ".")
    fail_on = input_value("fail-on", "high").lower()
    if fail_on not in SEVERITIES + ["none", "never", "off"]:
        fatal(f"input fail-on must be one of critical, high, medium, low, none (got {fail_on!r})")
    event = env("GITHUB_EVENT_NAME")
    # only-new: "auto" (default) compares with the merge base on pull requests and
    # with a committed .faultline-baseline.json elsewhere; "false" reports everything.
    only_new = input_value("only-new", "auto").lower() not in ("false", "0", "no", "off")
    extra = []
    if input_value("config"):
        extra += ["--config", input_value("config")]
    extra += shlex.split(input_value("args"))
    sarif = input_value("sarif")

    if not os.path.exists(os.path.join(workspace, path)):
        fatal(f"input path {path!r} does not exist in {workspace}")

    tmp = tempfile.mkdtemp(prefix="faultline-action-")
    try:
        return report(workspace, binary, path, fail_on, event, only_new, extra, sarif, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(workspace, binary, path, fail_on, event, only_new, extra, sarif, tmp):
    ctx = {"mode": "all", "prefix": repo_prefix(workspace, path), "fixed": 0, "sarif": ""}

    filter_args = []
    if only_new and event in PR_EVENTS:
        payload = {}
        try:
            with open(env("GITHUB_EVENT_PATH"), encoding="utf-8") as f:
                payload = json.load(f)
        except (OSError, ValueError) as e:
            log(f"faultline: could not read the event payload: {e}")
        pr = payload.get("pull_request") or {}
        base = (pr.get("base") or {}).get("sha")
        head = "HEAD"
        if not base:
            fatal("pull_request event without pull_request.base.sha in $GITHUB_EVENT_PATH")
        mb = ensure_merge_base(workspace, base, head)
        if mb:
            ctx.update(mode="diff", base=mb)
            filter_args = ["--diff-base", mb]
        else:
            print(
                "::warning title=faultline::"
                + escape_data(
                    f"Could not find the merge base of HEAD and the pull request's base commit "
                    f"{base} (fetching it from origin failed), so new findings cannot be told from "
                    "old ones: reporting against .faultline-baseline.json when there is one, else "
                    "every finding. Check out with `fetch-depth: 0` (actions/checkout) to fix this."
                ),
                flush=True,
            )
    if only_new and not filter_args:
        candidates = {os.path.normpath(os.path.join(path, ".faultline-baseline.json")): 0}
        candidates[".faultline-baseline.json"] = 1
        for candidate in candidates:
            if os.path.isfile(os.path.join(workspace, candidate)):
                ctx.update(mode="baseline", baseline_file=candidate)
                filter_args = ["--baseline", candidate]
                break

    reported = run_scan(binary, path, extra + filter_args, "json", os.path.join(tmp, "new.json"), workspace)
    new = reported.get("findings", [])
    ctx["new"] = new
    ctx["fixed"] = (reported.get("baseline") or {}).get("fixed", 0)
    if filter_args:
        everything = run_scan(binary, path, extra, "json", os.path.join(tmp, "all.json"), workspace)
    else:
        everything = reported
    ctx["total"] = len(everything.get("findings", []))
    if ctx["mode"] == "diff" and ctx["fixed"]:
        ctx["fixed_entries"] = fixed_entries(
            binary, workspace, path, extra, ctx["base"],
            everything.get("register", {}).get("entries", []), tmp,
        )
    if sarif:
        # Code scanning compares whole analyses itself, so the SARIF file holds every finding.
        sarif_file = os.path.join(workspace, sarif)
        os.makedirs(os.path.dirname(os.path.abspath(sarif_file)), exist_ok=True)
        run_scan(binary, path, extra, "sarif", sarif_file, workspace)
        ctx["sarif"] = sarif

    annotate(new, ctx["prefix"])
    summary(ctx)

    highest = min((RANK[f["severity"]] for f in new if f.get("severity") in RANK), default=None)
    highest_name = SEVERITIES[highest] if highest is not None else "none"
    write_outputs(
        {
            "total": ctx["total"],
            "new": len(new),
            "fixed": ctx["fixed"],
            "highest-severity": highest_name,
            "sarif": ctx["sarif"],
        }
    )
    log(f"faultline: {len(new)} new, {ctx['fixed']} fixed, {ctx['total']} total, highest {highest_name}")
    if fail_on in RANK and highest is not None and highest <= RANK[fail_on]:
        log(f"faultline: failing because a new finding is {highest_name}, at or above fail-on {fail_on}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
