"""The vendor's conformance kit (e2e/kit.py, `./ibcert conformance`): the preflight says what keeps a run from
starting in one line and exit status 2, before any browser starts; --plan lists the cases without a server."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from e2e import kit
from refserver.embedded import EmbeddedServer, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(pki):
    with EmbeddedServer(pki=pki, mail=False) as server:
        yield server


@pytest.fixture
def tls_without_client_certificates(pki):
    """An HTTPS server of the bank's own certificate that asks for no client certificate."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert_pem, pki.server_key_pem)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def refused(**settings) -> str:
    arguments = {"base_url": None, "token": None, "ca_cert": None, "wording": None, **settings}
    with pytest.raises(kit.PreflightError) as refusal:
        kit.preflight(**arguments)
    return str(refusal.value)


def test_a_server_that_answers_rightly_passes_the_preflight(server):
    checked = kit.preflight(server.base_url, server.operator_token, str(server.ca_cert), None)
    assert any("requests a client certificate" in line for line in checked)
    assert any("--operator-token: accepted" in line for line in checked)


def test_each_setting_that_keeps_a_run_from_starting_is_named(server, pki, tls_without_client_certificates,
                                                              tmp_path):
    ca = str(server.ca_cert)
    assert "--base-url is required" in refused()
    assert "must be an https:// address" in refused(base_url=server.base_url.replace("https", "http"))
    assert "--ca-cert is required" in refused(base_url=server.base_url)
    assert "no such file" in refused(base_url=server.base_url, ca_cert=str(tmp_path / "none.pem"))
    assert "does not answer" in refused(base_url=f"https://127.0.0.1:{free_port()}", ca_cert=ca)
    foreign = str(pki.foreign_server()[0])  # a certificate of another CA, as the CA file
    assert "does not verify against --ca-cert" in refused(base_url=server.base_url, ca_cert=foreign)
    assert "does not request a client certificate" in refused(base_url=tls_without_client_certificates, ca_cert=ca)
    assert "--operator-token is required" in refused(base_url=server.base_url, ca_cert=ca)
    assert "refused by" in refused(base_url=server.base_url, ca_cert=ca, token="wrong-token")


def test_a_wording_file_with_a_key_the_manual_lacks_is_refused_with_the_closest_known(tmp_path):
    wording = tmp_path / "ours.toml"
    wording.write_text('[activation]\nnxt_button = "確認"\n', encoding="utf-8")
    assert "did you mean 'activation.next_button'?" in refused(wording=str(wording))
    wording.write_text("[activation\n", encoding="utf-8")
    assert "not valid TOML" in refused(wording=str(wording))


def test_the_command_says_it_in_one_line_and_exits_2_before_any_browser(tmp_path):
    run = subprocess.run([sys.executable, "-m", "e2e.kit", "--base-url", f"https://127.0.0.1:{free_port()}",
                          "--ca-cert", str(tmp_path / "none.pem"), "--out", str(tmp_path / "out")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"preflight: --ca-cert {tmp_path / 'none.pem'}: no such file"]
    assert not (tmp_path / "out").exists()


def test_the_vendor_contract_documents_every_call_of_the_bank_side_api_and_no_other(app):
    """docs/openapi.yaml (the vendor's contract, docs/vendor.md) and the refserver's /api routes are the same calls."""
    import re

    import yaml

    documented = set()
    for path, operations in yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))["paths"].items():
        actions = next((p["schema"]["enum"] for op in operations.values() for p in op.get("parameters", ())
                        if p["name"] == "action"), [None])
        for action in actions:
            documented |= {(path.replace("{action}", action or ""), method.upper()) for method in operations}
    served = {(re.sub(r"<(?:\w+:)?\w+>", "{contract_number}", rule.rule), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def _plan(*only: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "e2e.kit", "--plan", *(("--only", ",".join(only)) if only else ())],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_plan_lists_every_case_with_the_manuals_words_and_needs_no_server():
    plan = _plan()
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    steps = [line.split("\t")[0] for line in lines if line.startswith(("I-", "II-"))]
    assert len(steps) == 37
    assert any(line.startswith("I-2.3\tご契約先暗証番号、ご契約先確認暗証番号") for line in lines)
    assert any(line.startswith("rule:イ:max+1\t") for line in lines)
    assert any(line.startswith("cert:expired@session\t") for line in lines)
    assert any(line.startswith("FAQ-12\t") and "needs: contracts, back_office" in line for line in lines)


def test_only_takes_a_section_without_its_namesakes_and_refuses_what_names_nothing():
    plan = _plan("I-2")
    steps = {line.split("\t")[0] for line in plan.stdout.splitlines() if line.startswith(("I-", "II-"))}
    assert steps and all(step.startswith("I-2.") for step in steps)  # never II-2
    refused = _plan("I-9")
    assert refused.returncode == 2 and "--only: no step, FAQ item or case family is called I-9" in refused.stdout + refused.stderr
