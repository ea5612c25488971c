"""The plan of a conformance run, and `--only`: which cases the suite checks, by the IDs the report uses.

    --plan                list every case — manual steps, legend rules, certificate cases, FAQ items, sessions and
                          TLS — with its ID, the manual's words it checks and what it needs from the server, and run
                          nothing (the server is not touched)
    --only I-3,rule:イ,FAQ-12   run only the tests of those IDs

An ID selects a step and the steps under it (`I-3` is I-3.1 … I-3.8, never II-3), an FAQ item, or a family of cases
(`rule`, `rule:イ`, `cert`, `cert:expired`, `csrf`, `session`, `pkcs12`, `tls`): a case ID is matched by its test,
which checks the family's cases together, one subtest each; the report names each case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import spec
from spec.cases import cases

# what a test's fixtures ask of the server, besides POST /api/contracts (GET /api/capabilities names each)
NEEDS = {"server_clock": "clock", "back_office": "back_office", "bank_staff": "back_office", "mailbox": "mail",
         "foreign_server": "the embedded server's PKI"}
# the case families each module checks as subtests
FAMILIES = {"test_legend": ("rule",), "test_lockout": ("rule",), "test_rules": ("rule",),
            "test_certificates": ("cert",), "test_sessions": ("csrf", "session", "pkcs12"), "test_tls": ("tls",),
            "test_behind_nginx": ("tls",), "test_walkthrough": ("walkthrough",)}
CERT_PLACES = {"logon": "ログオン画面で", "pin": "暗証番号入力で差し替え", "session": "ログオン中に差し替え"}


def ids_of(item: pytest.Item) -> set[str]:
    """The report IDs a test counts for: its steps, FAQ items and case families."""
    ids = {m.args[0] for m in item.iter_markers("step")} | {f"FAQ-{m.args[0]}" for m in item.iter_markers("faq")}
    return ids | set(FAMILIES.get(Path(str(item.path)).stem, ()))


def selected(item_ids: set[str], only: list[str]) -> bool:
    for wanted in only:
        family = wanted.split(":", 1)[0]
        for have in item_ids:
            if have == wanted or have.startswith(wanted + ".") or ":" in wanted and have == family:
                return True
    return False


def needs_of(item: pytest.Item) -> list[str]:
    return sorted({NEEDS[name] for name in getattr(item, "fixturenames", ()) if name in NEEDS})


def _known(only: list[str]) -> list[str]:
    """The --only IDs that name nothing the suite has."""
    steps = [s.id for s in spec.load_steps()]
    faq = [item.id for item in spec.faq()]
    families = {f for fs in FAMILIES.values() for f in fs}
    return [w for w in only if not (w in faq or w.split(":", 1)[0] in families
                                    or any(s == w or s.startswith(w + ".") for s in steps))]


class PlanPlugin:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.only = [w.strip() for w in (config.getoption("--only") or "").split(",") if w.strip()]
        if unknown := _known(self.only):
            raise pytest.UsageError(f"--only: no step, FAQ item or case family is called {', '.join(unknown)} "
                                    "(e.g. I-3, II-2.5, FAQ-12, rule, rule:イ, cert:expired, csrf, session, tls)")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.only:
            return
        keep = [item for item in items if Path(str(item.path)).parent.name == "e2e" and selected(ids_of(item), self.only)]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session):
        if not self.config.getoption("--plan"):
            return None
        print("\n" + "\n".join(plan_lines(session.items)))
        return True  # nothing is run


def plan_lines(items: list[pytest.Item]) -> list[str]:
    by_id: dict[str, list[pytest.Item]] = {}
    for item in items:
        for test_id in ids_of(item) or {"other"}:
            by_id.setdefault(test_id, []).append(item)

    def needs(test_id, *more):
        found = sorted({n for item in by_id.get(test_id, []) for n in needs_of(item)} | set(more))
        return "contracts" + "".join(f", {n}" for n in found)

    lines = ["# 手順 (manual steps): ID — the manual's words — tests — needs"]
    for step in spec.load_steps():
        if step.id in by_id:
            lines.append(f"{step.id}\t{step.instruction}\t{len(by_id[step.id])} tests\tneeds: {needs(step.id)}")
    if "rule" in by_id:
        lines.append("# 凡例の規則 (legend rules): ID — the rule — needs")
        for rule in spec.rules().values():
            right = "0" * (rule.min or 1) if rule.chars == spec.DIGITS else None
            for case in cases(rule, right):
                verdict = "受け付ける" if case.accepted else "受け付けない"
                lines.append(f"{case.id}\t{rule.name}: {case.name} → {verdict}\tneeds: {needs('rule')}")
    if "cert" in by_id:
        from .test_certificates import KINDS, NEEDS as KIND_NEEDS

        lines.append("# 電子証明書 (certificate judgements): ID — where — needs")
        for kind in KINDS:
            for place, words in CERT_PLACES.items():
                lines.append(f"cert:{kind}@{place}\t{kind} の証明書を{words}: 拒否される\t"
                             f"needs: {needs('cert', *KIND_NEEDS.get(kind, ()))}")
    lines.append("# よくあるご質問 (FAQ): ID — question — tests or why none")
    for item in spec.faq():
        tested = f"{len(by_id[item.id])} tests\tneeds: {needs(item.id)}" if item.id in by_id else (
            f"information only: {item.information_only}" if item.information_only else "not selected")
        lines.append(f"{item.id}\t{item.question}\t{tested}")
    lines.append("# その他 (sessions, CSRF, TLS, walkthrough): ID — test — needs")
    for family in ("csrf", "session", "pkcs12", "tls", "walkthrough", "other"):
        for item in by_id.get(family, []):
            doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
            lines.append(f"{family}\t{item.nodeid}\t{doc[0] if doc else ''}\tneeds: "
                         f"contracts{''.join(', ' + n for n in needs_of(item))}")
    return lines


def addoptions(group) -> None:
    group.addoption("--only", default=None, metavar="IDS",
                    help="Run only the tests of these comma-separated IDs: steps (I-3, II-2.5), FAQ items (FAQ-12), "
                         "case families (rule, rule:イ, cert, csrf, session, pkcs12, tls).")
    group.addoption("--plan", action="store_true",
                    help="List every case with its ID, the manual's words and what it needs; run nothing.")


def configure(config: pytest.Config) -> None:
    config.pluginmanager.register(PlanPlugin(config), "ibcert-plan")
