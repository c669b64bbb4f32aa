"""The track workflow parses, runs on a schedule and on demand, calls only commands
that exist, pins its actions and opens one pull request with the review as its body;
the publish workflow posts the review as one sticky comment on pull requests."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from test_publish_workflow import PINNED, commands

TRACK = ROOT / ".github" / "workflows" / "track.yml"
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"


@pytest.fixture(scope="module")
def track_workflow() -> dict:
    assert TRACK.is_file(), f"{TRACK} is missing"
    return yaml.safe_load(TRACK.read_text())


@pytest.fixture(scope="module")
def publish_workflow() -> dict:
    return yaml.safe_load(PUBLISH.read_text())


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_track_runs_on_a_schedule_and_on_demand(track_workflow):
    triggers = track_workflow.get("on", track_workflow.get(True))
    assert triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers


def test_every_policydocs_command_in_both_workflows_exists(track_workflow, publish_workflow, run_cli):
    calls = commands(track_workflow, "policydocs") + commands(publish_workflow, "policydocs")
    assert {"track", "review", "changelog"} <= {words[1] for words in calls}
    for words in calls:
        result = run_cli(words[1], "--help")
        assert result.returncode == 0, f"'policydocs {words[1]}' does not exist: {result.stderr}"
        for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert option in result.stdout, f"'policydocs {words[1]}' has no option {option}"


def test_every_track_action_is_pinned_to_an_exact_release(track_workflow):
    uses = [step["uses"] for step in steps(track_workflow) if "uses" in step]
    assert uses and [u for u in uses if not PINNED.match(u)] == []


def test_recorded_versions_open_one_pull_request_with_the_review_as_its_body(track_workflow):
    pull = next(s for s in steps(track_workflow) if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pull["if"] == "steps.track.outputs.recorded == 'true'"
    assert pull["with"]["branch"] == "policydocs/track"  # one branch: a later run updates the same PR
    assert pull["with"]["body-path"].endswith("review.md")
    review = next(s for s in steps(track_workflow) if "policydocs review" in s.get("run", ""))
    assert "review.md" in review["run"] and "policydocs changelog" in review["run"]


def test_publish_posts_one_sticky_review_comment_on_pull_requests_touching_the_store(publish_workflow):
    job = publish_workflow["jobs"]["review"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    touched = next(s for s in job["steps"] if s.get("id") == "touched")
    assert "policy_versions" in touched["run"]
    comment = next(s for s in job["steps"] if s.get("uses", "").startswith("marocchino/sticky-pull-request-comment@"))
    assert PINNED.match(comment["uses"])
    assert comment["if"] == "steps.touched.outputs.store == 'true'"
    assert comment["with"]["header"] == "policydocs-review" and comment["with"]["path"].endswith("review.md")
