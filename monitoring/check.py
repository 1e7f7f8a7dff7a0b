#!/usr/bin/env python3
"""Checks for monitoring/: the alerts, the dashboards, and what the services export.

  check.py static
      Offline: dashboards/*.json are what grafana/dashboards.py writes; every expression of the
      dashboards and alerts tokenizes; every alert has severity, summary, description and a
      runbook_url whose section exists in RUNBOOK.md; every alert has a firing and a silent case in
      tests/alerts_test.yml; the panels name the provisioned datasource; the tokenizer self-test.
  check.py names URL...
      Fails when a dashboard or alert names a metric that none of the /metrics URLs (the running
      prover and facilitators) exports.
  check.py query PROMETHEUS_URL --start UNIX [--out DIR] [--wait SECONDS]
      Sends every dashboard expression, every alert's expression without its threshold, and every
      selector in them to Prometheus's HTTP API (query_range from --start to now) and fails unless
      each returns data; waits (bounded) for scrapes to arrive. Writes the results to DIR.
  check.py plot DIR PNG
      Renders some of those results (one panel per dashboard panel listed in PLOT) as a PNG.
  check.py deploy
      deploy/compose.yml is valid under the Compose specification's JSON schema (check-jsonschema's
      vendored copy), and its prover and facilitator commands are exactly the ones scripts/stack.sh
      runs (`bash scripts/stack.sh commands`).

Metric names are read from the expressions by a small PromQL tokenizer (tested by `static`);
the exported names are read from the services' real /metrics output, never from a typed list.
"""
import argparse
import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DASHBOARDS = sorted((HERE / "grafana" / "dashboards").glob("*.json"))
ALERTS = HERE / "alerts.yml"
RUNBOOK = HERE / "RUNBOOK.md"
ALERT_TESTS = HERE / "tests" / "alerts_test.yml"
DATASOURCES = HERE / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
# Series Prometheus makes itself (not exported by a service).
PROMETHEUS_OWN = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped"}
# Metrics every service must export (the shared part of prover-service/src/metrics.rs), checked per URL.
SHARED = ["http_requests_total", "http_request_duration_seconds_bucket", "process_cpu_seconds_total",
          "process_resident_memory_bytes", "build_info"]
# Dashboard panels drawn by `plot` (title, dashboard).
PLOT = [
    ("Proof generation latency", "performance"),
    ("HTTP requests by status", "performance"),
    ("Settle by result", "payments"),
    ("RPC requests by endpoint and result", "payments"),
    ("Fee payer balance", "payments"),
    ("CPU (cores used)", "capacity"),
]


def die(msg):
    sys.exit(f"*** monitoring/check.py: {msg}")


def load_yaml(path):
    import yaml  # the monitoring venv (scripts/setup.sh) or any PyYAML

    return yaml.safe_load(path.read_text())


# ----------------------------------------------------------------------------------------------
# A PromQL tokenizer: enough for metric names, selectors and top-level thresholds.
TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<range>\[[^\]]*\])
  | (?P<num>(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)(?![A-Za-z_:])
           |(?i:inf|nan)(?![A-Za-z0-9_:]))
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=(){},])
    """,
    re.X,
)
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = LABEL_LIST_KEYWORDS | {"and", "or", "unless", "bool", "offset", "atan2"}
COMPARISONS = {"==", "!=", ">", "<", ">=", "<="}


def tokenize(expr):
    """[(kind, text, start, end)] without whitespace; raises ValueError on anything unknown."""
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot tokenize at {pos}: {expr[pos:pos + 20]!r} in {expr!r}")
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group(), m.start(), m.end()))
        pos = m.end()
    return out


def _skip_group(toks, i, open_, close):
    """Index after the group opened at toks[i] (== open_)."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][1] == open_:
            depth += 1
        elif toks[j][1] == close:
            depth -= 1
            if depth == 0:
                return j + 1
    raise ValueError(f"unbalanced {open_}{close}")


def selectors(expr):
    """[(metric name, selector text)] of every vector selector with a metric name."""
    toks, out, i = tokenize(expr), [], 0
    while i < len(toks):
        kind, text, start, _ = toks[i]
        nxt = toks[i + 1][1] if i + 1 < len(toks) else None
        if kind == "ident" and text in LABEL_LIST_KEYWORDS:
            i = _skip_group(toks, i + 1, "(", ")") if nxt == "(" else i + 1
        elif kind == "ident" and (nxt == "(" or (text in AGGREGATIONS and nxt in ("by", "without"))):
            i += 1  # a function or an aggregation
        elif kind == "ident" and text in KEYWORDS:
            i += 1
        elif kind == "ident":
            end = toks[i][3]
            j = i + 1
            if nxt == "{":
                j = _skip_group(toks, i + 1, "{", "}")
                end = toks[j - 1][3]
            out.append((text, expr[start:end]))
            i = j
        elif text == "{":
            i = _skip_group(toks, i, "{", "}")
        else:
            i += 1
    return out


def metric_names(expr):
    return sorted({name for name, _ in selectors(expr)})


def signals(expr):
    """The expression's parts without their thresholds: split at top-level and/or/unless, each
    part with a trailing top-level `<comparison> [bool] <number>` removed."""
    toks = tokenize(expr)
    parts, cur, depth = [], [], 0
    for t in toks:
        if t[1] in "({":
            depth += 1
        elif t[1] in ")}":
            depth -= 1
        if depth == 0 and t[0] == "ident" and t[1] in ("and", "or", "unless"):
            parts.append(cur)
            cur = []
        else:
            cur.append((t, depth))
    parts.append(cur)
    out = []
    for p in parts:
        toks_p = [t for t, _ in p]
        if (len(toks_p) >= 3 and toks_p[-1][0] == "num"
                and (toks_p[-2][1] in COMPARISONS
                     or (toks_p[-2][1] == "bool" and toks_p[-3][1] in COMPARISONS))
                and p[-1][1] == 0):
            toks_p = toks_p[:-3] if toks_p[-2][1] == "bool" else toks_p[:-2]
        out.append(expr[toks_p[0][2]:toks_p[-1][3]].strip())
    return out


def self_test():
    cases = {
        'up{job="x402-zk-prover"} == 0': (["up"], ['up{job="x402-zk-prover"}']),
        'histogram_quantile(0.95, sum by (le, job) (rate(a_bucket{x="1"}[5m]))) > 0.5':
            (["a_bucket"], ['histogram_quantile(0.95, sum by (le, job) (rate(a_bucket{x="1"}[5m])))']),
        "(sum by (i) (rate(h[15m])) / (sum by (i) (rate(h[15m])) + sum(rate(m[15m])))) < 0.1 "
        "and sum by (i) (rate(m[15m])) > 0.05":
            (["h", "m"], ["(sum by (i) (rate(h[15m])) / (sum by (i) (rate(h[15m])) + sum(rate(m[15m]))))",
                          "sum by (i) (rate(m[15m]))"]),
        "rss / on (job, instance) limit > 0.8": (["limit", "rss"], ["rss / on (job, instance) limit"]),
        "min(b) < 1e9 or sum(x) by (job) > bool 2": (["b", "x"], ["min(b)", "sum(x) by (job)"]),
        'sum by (job) (rate(r{status=~"5.."}[5m])) / sum by (job) (rate(r[5m]))':
            (["r"], ['sum by (job) (rate(r{status=~"5.."}[5m])) / sum by (job) (rate(r[5m]))']),
        "max by (a) (g) == 1": (["g"], ["max by (a) (g)"]),
    }
    for expr, (names, sigs) in cases.items():
        assert metric_names(expr) == names, (expr, metric_names(expr))
        assert signals(expr) == sigs, (expr, signals(expr))
    try:
        tokenize("rate(x[5m]) @ 3")
    except ValueError:
        pass
    else:
        raise AssertionError("unknown syntax must not tokenize")


# ----------------------------------------------------------------------------------------------
def dashboard_exprs():
    """[(dashboard stem, panel title, expr)]"""
    out = []
    for path in DASHBOARDS:
        d = json.loads(path.read_text())
        for p in d["panels"]:
            for t in p["targets"]:
                out.append((path.stem, p["title"], t["expr"]))
    return out


def alert_rules():
    return [r for g in load_yaml(ALERTS)["groups"] for r in g["rules"] if "alert" in r]


def all_exprs():
    """[(where, expr)] of every dashboard target and alert."""
    return ([(f"dashboard {d} / {t}", e) for d, t, e in dashboard_exprs()]
            + [(f"alert {r['alert']}", r["expr"]) for r in alert_rules()])


def cmd_static(_args):
    problems = []
    self_test()
    r = subprocess.run([sys.executable, str(HERE / "grafana" / "dashboards.py"), "--check"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(r.stderr.strip() or r.stdout.strip())
    if len(DASHBOARDS) != 3:
        problems.append(f"expected 3 dashboards, found {[p.name for p in DASHBOARDS]}")
    uid = load_yaml(DATASOURCES)["datasources"][0]["uid"]
    for path in DASHBOARDS:
        d = json.loads(path.read_text())
        for p in d["panels"]:
            for t in [p] + p["targets"]:
                if t["datasource"]["uid"] != uid:
                    problems.append(f"{path.name} / {p['title']}: datasource {t['datasource']} is not {uid}")
    for where, expr in all_exprs():
        try:
            if not metric_names(expr):
                problems.append(f"{where}: names no metric: {expr}")
            signals(expr)
        except ValueError as e:
            problems.append(f"{where}: {e}")
    anchors = {re.sub(r"[^a-z0-9-]", "", h.strip().lower().replace(" ", "-"))
               for h in re.findall(r"^## (.+)$", RUNBOOK.read_text(), re.M)}
    tests = load_yaml(ALERT_TESTS)["tests"]
    cases = [c for t in tests for c in t.get("alert_rule_test", [])]
    for r in alert_rules():
        name = r["alert"]
        if r.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
            problems.append(f"alert {name}: severity must be critical, warning or info")
        ann = r.get("annotations", {})
        for k in ("summary", "description", "runbook_url"):
            if not ann.get(k):
                problems.append(f"alert {name}: no {k}")
        url = ann.get("runbook_url", "")
        if not url.startswith("monitoring/RUNBOOK.md#") or url.split("#", 1)[1] not in anchors:
            problems.append(f"alert {name}: runbook_url {url!r} has no section in RUNBOOK.md")
        mine = [c for c in cases if c["alertname"] == name]
        if not any(c.get("exp_alerts") for c in mine) or not any(not c.get("exp_alerts") for c in mine):
            problems.append(f"alert {name}: tests/alerts_test.yml needs a case where it fires and one where it does not")
    if problems:
        die("\n  " + "\n  ".join(problems))
    print(f"monitoring static checks: {len(all_exprs())} expressions, {len(alert_rules())} alerts, "
          f"{len(DASHBOARDS)} dashboards OK")


# ----------------------------------------------------------------------------------------------
def fetch(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def exported(text):
    """Sample names in a Prometheus text exposition."""
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}


def cmd_names(args):
    have, problems = set(), []
    for url in args.urls:
        names = exported(fetch(url))
        missing = [n for n in SHARED if n not in names]
        if missing:
            problems.append(f"{url} does not export {missing}")
        have |= names
    for where, expr in all_exprs():
        for n in metric_names(expr):
            if n not in have and n not in PROMETHEUS_OWN:
                problems.append(f"{where}: {n} is not exported by any of {len(args.urls)} services")
    if problems:
        die("\n  " + "\n  ".join(problems))
    print(f"every metric named by the dashboards and alerts ({len(all_exprs())} expressions) is "
          f"exported ({len(have)} names from {len(args.urls)} /metrics endpoints)")


def queries():
    """[(where, PromQL)]: dashboard expressions, alert signals, and each selector in them."""
    out, seen = [], set()

    def add(where, q):
        if q not in seen:
            seen.add(q)
            out.append((where, q))

    for d, title, e in dashboard_exprs():
        add(f"dashboard {d} / {title}", e)
    for r in alert_rules():
        for s in signals(r["expr"]):
            add(f"alert {r['alert']}", s)
    for where, e in list(out):
        for _, sel in selectors(e):
            add(f"{where}: selector", sel)
    return out


def query_range(prom, q, start, end, step):
    params = urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": step})
    body = json.loads(fetch(f"{prom}/api/v1/query_range?{params}", timeout=30))
    if body.get("status") != "success":
        raise RuntimeError(f"{q}: {body}")
    return body["data"]["result"]


def cmd_query(args):
    prom = args.prometheus.rstrip("/")
    deadline = time.time() + args.wait
    todo = queries()
    results = {}
    while True:
        end = time.time()
        step = max(1, int((end - args.start) / 300))
        empty = []
        for where, q in todo:
            r = query_range(prom, q, args.start, end, step)
            if r:
                results[q] = {"where": where, "result": r}
            else:
                empty.append((where, q))
        if not empty or time.time() > deadline:
            break
        todo = empty
        time.sleep(2)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        Path(args.out, "queries.json").write_text(json.dumps({"start": args.start, "end": end, "results": results}))
    if empty:
        die("no data from Prometheus for:\n  " + "\n  ".join(f"{w}: {q}" for w, q in empty))
    print(f"Prometheus returned data for all {len(results)} queries (dashboards, alert signals, selectors)")


def cmd_plot(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    saved = json.loads(Path(args.dir, "queries.json").read_text())
    results, t0 = saved["results"], saved["start"]
    panels = {(d, t): [] for t, d in PLOT}
    for path in DASHBOARDS:
        for p in json.loads(path.read_text())["panels"]:
            if (path.stem, p["title"]) in panels:
                panels[(path.stem, p["title"])] = [(t["expr"], t["legendFormat"]) for t in p["targets"]]
    fig, axes = plt.subplots(3, 2, figsize=(13, 11))
    for ax, (title, d) in zip(axes.flat, PLOT):
        for e, legend in panels[(d, title)]:
            for s in results[e]["result"]:
                xs = [(float(v[0]) - t0) / 60 for v in s["values"]]
                ys = [float(v[1]) for v in s["values"]]
                label = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: s["metric"].get(m.group(1), ""), legend)
                ax.plot(xs, ys, label=label[:48], linewidth=1.2)
        ax.set_title(f"{d}: {title}", fontsize=10)
        ax.set_xlabel("minutes into the e2e run", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("x402-zk: dashboard series as Prometheus recorded them during scripts/e2e.sh", fontsize=12)
    fig.tight_layout()
    fig.savefig(args.png, dpi=90)
    print(f"wrote {args.png}")


def cmd_deploy(_args):
    root = HERE.parent
    compose = root / "deploy" / "compose.yml"
    r = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                        "vendor.compose-spec", str(compose)], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"deploy/compose.yml does not follow the Compose specification:\n{r.stdout}{r.stderr}")
    out = subprocess.run(["bash", str(root / "scripts" / "stack.sh"), "commands"], capture_output=True,
                         text=True, check=True, cwd=root).stdout
    stack = dict(line.split(": ", 1) for line in out.strip().splitlines())
    services = load_yaml(compose)["services"]
    problems = []
    for name, cmd in stack.items():
        have = services.get(name, {}).get("command")
        if have != cmd.split():
            problems.append(f"{name}:\n    compose: {have}\n    stack:   {cmd.split()}")
    if problems:
        die("deploy/compose.yml runs other commands than scripts/stack.sh:\n  " + "\n  ".join(problems))
    print(f"deploy/compose.yml: valid Compose file; {', '.join(stack)} commands identical to scripts/stack.sh's")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("static")
    sub.add_parser("deploy")
    n = sub.add_parser("names")
    n.add_argument("urls", nargs="+")
    q = sub.add_parser("query")
    q.add_argument("prometheus")
    q.add_argument("--start", type=float, required=True)
    q.add_argument("--out")
    q.add_argument("--wait", type=float, default=90)
    p = sub.add_parser("plot")
    p.add_argument("dir")
    p.add_argument("png")
    args = ap.parse_args()
    {"static": cmd_static, "names": cmd_names, "query": cmd_query, "plot": cmd_plot, "deploy": cmd_deploy}[args.cmd](args)


if __name__ == "__main__":
    main()
