"""import.yml: scheduled fetch, one reviewed pull request per day, and GitHub's requirements
guarded (actionlint itself runs in test_workflows.py over every workflow)."""

from __future__ import annotations

from tests.unit.test_workflows import load_workflow, steps

WORKFLOW = load_workflow("import.yml")
IMPORT = steps(WORKFLOW, "import")


def step(name_part: str) -> dict:
    return next(s for s in IMPORT if name_part in s.get("name", "") + s.get("uses", ""))


def test_runs_on_a_schedule_after_the_announcement_and_by_hand() -> None:
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key 'on' as true
    (schedule,) = triggers["schedule"]
    _minute, hour, *_ = schedule["cron"].split()
    assert int(hour) >= 1  # after 20:00 US Eastern in winter (01:00 UTC)
    assert "now" in triggers["workflow_dispatch"]["inputs"]
    assert WORKFLOW["concurrency"] == {"group": "import", "cancel-in-progress": False}


def test_fetches_checks_and_builds_before_the_pull_request_with_the_report() -> None:
    fetch, check, build = step("Fetch"), step("Check the new"), step("Build")
    pull = step("peter-evans/create-pull-request@")
    assert IMPORT.index(fetch) < IMPORT.index(check) < IMPORT.index(build) < IMPORT.index(pull)
    assert "paperboy fetch" in fetch["run"] and "--report" in fetch["run"]
    assert fetch["env"]["REPORT"] == pull["with"]["body-path"]
    assert pull["uses"].endswith("@v8")
    assert pull["with"]["branch"] == "paperboy/import-${{ steps.fetch.outputs.day }}"
    assert set(pull["with"]["add-paths"].split()) == {"content/**", "fetch-state.json"}


def test_a_failed_source_still_opens_the_pull_request_then_fails_the_run() -> None:
    fetch, last = step("Fetch"), IMPORT[-1]
    assert "|| status=$?" in fetch["run"]
    assert last["if"] == "steps.fetch.outputs.status != '0'" and "exit 1" in last["run"]


def test_guards_for_what_github_requires() -> None:
    pull = step("peter-evans/create-pull-request@")
    # An app's or a person's token, so that the pull-request checks start; else GITHUB_TOKEN
    # and a note saying the checks will not start by themselves.
    assert pull["with"]["token"] == ("${{ steps.app.outputs.token || "
                                     "secrets.PAPERBOY_IMPORT_TOKEN || github.token }}")
    assert "do not start" in step("checks will not start")["run"]
    refused = step("refused")
    assert refused["if"] == "failure() && steps.pr.outcome == 'failure'"
    assert "Allow GitHub Actions to create and approve pull requests" in refused["run"]
    assert WORKFLOW["permissions"] == {"contents": "write", "pull-requests": "write",
                                       "actions": "write"}
    # Schedules stop after 60 days without activity: the keepalive re-enables the workflow.
    keepalive = WORKFLOW["jobs"]["keepalive"]
    assert keepalive["if"] == "github.event_name == 'schedule'"
    assert "actions/workflows/import.yml/enable" in keepalive["steps"][0]["run"]
