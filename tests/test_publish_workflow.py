"""The publish workflow parses, calls only commands that exist, pins its actions,
and deploys only from main."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
MAIN_ONLY = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"


@pytest.fixture(scope="module")
def workflow() -> dict:
    assert WORKFLOW.is_file(), f"{WORKFLOW} is missing"
    return yaml.safe_load(WORKFLOW.read_text())


def run_lines(workflow: dict) -> list[str]:
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                lines.extend(part.strip() for part in re.split(r"&&|;|\|\|", line) if part.strip())
    return lines


def commands(workflow: dict, program: str) -> list[list[str]]:
    found = []
    for part in run_lines(workflow):
        words = shlex.split(part)
        if words and words[0] == program:
            found.append(words)
    return found


def test_workflow_runs_on_pull_requests_and_on_main(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_every_policydocs_command_in_the_workflow_exists(workflow, run_cli):
    calls = commands(workflow, "policydocs")
    subcommands = {words[1] for words in calls}
    assert {"check", "changelog"} <= subcommands
    for words in calls:
        result = run_cli(words[1], "--help")
        assert result.returncode == 0, f"'policydocs {words[1]}' does not exist: {result.stderr}"
        options = [w.split("=")[0] for w in words[2:] if w.startswith("--")]
        for option in options:
            assert option in result.stdout, f"'policydocs {words[1]}' has no option {option}"


def test_check_runs_against_the_base_and_changelog_is_checked(workflow):
    calls = {words[1]: words for words in commands(workflow, "policydocs")}
    assert "--against" in calls["check"]
    assert "--check" in calls["changelog"]


def test_site_is_built_strictly_through_the_readme_commands(workflow):
    scripts = [part.split()[0] for part in run_lines(workflow) if part.startswith("scripts/")]
    assert {"scripts/test", "scripts/site"} <= set(scripts)
    for script in scripts:
        path = ROOT / script
        assert path.is_file() and os.access(path, os.X_OK), f"{script} is not an executable script"
    assert "mkdocs build --strict" in (ROOT / "scripts" / "site").read_text()
    for words in commands(workflow, "mkdocs"):
        result = subprocess.run([sys.executable, "-m", "mkdocs", words[1], "--help"], capture_output=True)
        assert result.returncode == 0


def test_every_action_is_pinned_to_an_exact_release_or_commit(workflow):
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", [])
            if "uses" in step]
    assert uses
    loose = [u for u in uses if not PINNED.match(u)]
    assert loose == [], f"pin these actions to an exact tag or SHA: {loose}"


def test_pip_and_the_comparison_cache_are_kept_between_runs(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache/policydocs"


def test_only_main_deploys_to_pages_after_the_build(workflow):
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["if"] == MAIN_ONLY and upload["with"]["path"] == "site"
    assert deploy["if"] == MAIN_ONLY and deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}  # pull requests get no write access
