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


def test_work_pool_deployments_get_the_same_vietnamese_form_as_serve(tmp_path, monkeypatch) -> None:
    """``prefect deploy`` builds the schema with ``parameter_schema(flow)``; ``bantin serve`` with ``to_deployment``: same form."""
    import shutil

    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    from bantin.flows.deploy import build_deployments
    from bantin.i18n.locales import known_locales
    from bantin.publish.request import PublishRequest
    from bantin.render.profiles import PROFILES
    from bantin.speech.engines import ENGINES
    from testing_utils import SAMPLE_YAML

    root = tmp_path / "root"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "deployments.yaml", root / "deployments.yaml")
    shutil.copy(SAMPLE_YAML, root / "content" / SAMPLE_YAML.name)
    monkeypatch.setenv("BANTIN_ROOT", str(root))
    monkeypatch.setenv("BANTIN_LOCALES", str(ROOT / "locales"))
    project = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    # serve builds each form from the flow object it serves (test_deploy.py reads them back from the API)
    from prefect.utilities.importtools import import_object

    served = {
        d.name: parameter_schema(import_object(d.entrypoint.rsplit(".", 1)[0] + ":" + d.entrypoint.rsplit(".", 1)[1])).model_dump()
        for d in build_deployments(load_config(ROOT / "deployments.yaml"))
    }
    for declared in project["deployments"]:
        flow = load_flow_from_entrypoint(declared["entrypoint"].replace(":", "."), use_placeholder_flow=False)
        assert parameter_schema(flow).model_dump() == served[declared["name"]], declared["name"]
    publish = parameter_schema(load_flow_from_entrypoint("bantin.flows.flow.publish_bulletin", use_placeholder_flow=False)).model_dump()
    props = publish["definitions"]["PublishRequest"]["properties"]
    assert {name: p["title"] for name, p in props.items()} == {name: f.title for name, f in PublishRequest.model_fields.items()}
    assert props["engine"]["enum"] == list(ENGINES) and props["profiles"]["items"]["enum"] == list(PROFILES)
    assert props["locales"]["items"]["enum"] == known_locales() and props["bulletin"]["anyOf"][0]["enum"] == [SAMPLE_YAML.stem]
    assert props["locales"]["title"] == "Ngôn ngữ" and props["engine"]["title"] == "Giọng đọc"
