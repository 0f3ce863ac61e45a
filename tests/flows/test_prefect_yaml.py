"""prefect.yaml (work pools and workers) declares the same deployments as bantin serve."""

from __future__ import annotations

import yaml

from bantin.publish.deployments import load_config
from testing_utils import ROOT


def test_prefect_yaml_matches_deployments_yaml() -> None:
    from prefect.utilities.importtools import import_object

    from bantin.flows.deploy import DEPLOYMENT_NAMES, build_deployments

    project = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    config = load_config(ROOT / "deployments.yaml")
    by_name = {d["name"]: d for d in project["deployments"]}
    assert tuple(by_name) == DEPLOYMENT_NAMES
    served = {d.name: d for d in build_deployments(config)}
    for name, declared in by_name.items():
        flow = import_object(declared["entrypoint"])  # the worker loads it this way
        assert flow.name == served[name].flow_name
        assert served[name].entrypoint == declared["entrypoint"].replace(":", ".")
        crons = [(s["cron"], s["timezone"]) for s in declared["schedules"]]
        assert crons == [(s.schedule.cron, s.schedule.timezone) for s in served[name].schedules]
    assert [s["cron"] for s in by_name["republish"]["schedules"]] == list(config.schedules)
    assert {s["timezone"] for s in by_name["republish"]["schedules"]} == {config.timezone} == {"Asia/Ho_Chi_Minh"}


def test_form_choices_match_the_registries() -> None:
    from typing import get_args

    from bantin.flows.flow import EngineName, ProfileName
    from bantin.render.profiles import PROFILES
    from bantin.speech.engines import ENGINES

    assert set(get_args(ProfileName)) == set(PROFILES) and len(PROFILES) > 1
    assert set(get_args(EngineName)) == set(ENGINES) and len(ENGINES) > 1
