#!/usr/bin/env python3
"""Checks of deploy/grafana/oomwarden-dashboard.json and deploy/prometheus/oomwarden-rules.yml
that promtool alone does not make (tests/deploy/run.sh runs promtool on the rules):

- the dashboard is JSON of the shape Grafana imports: a title, a uid, unique panel ids, panels
  within the 24-column grid, one Prometheus query at least each;
- every oomwarden_* name a query or rule uses is a metric the daemon exports, as README.md's
  "Metrics" section lists them (a renamed metric would leave a panel blank, an alert silent);
- each panel query, its $variables replaced, is written as a recording rule to the file named
  by the first argument, so that `promtool check rules` parses every one as PromQL.

Usage: dashboard_check.py OUT_RULES_FILE. Prints one line per problem; exit 1 if any.
"""
import json
import re
import sys

DASH = "deploy/grafana/oomwarden-dashboard.json"
RULES = "deploy/prometheus/oomwarden-rules.yml"
NAME = re.compile(r"\boomwarden_[a-z_]+\b")


def documented():
    text = open("README.md").read()
    section = text.split("### Metrics", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return set(re.findall(r"`(oomwarden_[a-z_]+)`", section))


def main():
    problems = []
    known = documented()
    if len(known) < 20:
        problems.append("README.md: only %d metrics found under ### Metrics" % len(known))
    try:
        dash = json.load(open(DASH))
    except (OSError, ValueError) as e:
        print("%s: %s" % (DASH, e))
        return 1
    for key in ("title", "uid", "panels", "schemaVersion"):
        if key not in dash:
            problems.append("%s: no %s" % (DASH, key))
    ids, exprs = set(), []
    for p in dash.get("panels", []):
        pid, grid = p.get("id"), p.get("gridPos", {})
        if pid in ids:
            problems.append("%s: panel id %s twice" % (DASH, pid))
        ids.add(pid)
        if grid.get("x", 0) + grid.get("w", 0) > 24 or grid.get("w", 0) <= 0:
            problems.append("%s: panel %s outside the 24-column grid" % (DASH, p.get("title")))
        targets = [t.get("expr", "") for t in p.get("targets", [])]
        if not targets or not all(targets):
            problems.append("%s: panel %s has no query" % (DASH, p.get("title")))
        exprs += [(p.get("title"), e) for e in targets]
    rules_text = open(RULES).read()
    used = set(NAME.findall(rules_text))
    for _, e in exprs:
        used |= set(NAME.findall(e))
    for name in sorted(used - known):
        problems.append("%s is used but not a metric README.md lists" % name)
    with open(sys.argv[1], "w") as out:
        out.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, (title, e) in enumerate(exprs):
            e = e.replace("$instance", ".*").replace("$namespace", ".*")
            out.write("      - record: dashboard:panel_%d\n" % i)
            out.write("        expr: %s\n" % json.dumps(e))
    for p in problems:
        print(p)
    print("dashboard: %d panels, %d queries, %d metric names, all documented%s"
          % (len(ids), len(exprs), len(used), "" if not problems else " (NOT)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
