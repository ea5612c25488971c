"""Counters and one-time values hold under concurrent requests: the refserver under gunicorn (two workers, four threads
each) answered by many clients at once, as an attacker racing the lockout would; one-time passwords answered by
several threads at once on the shared database. Each on SQLite and on PostgreSQL (where the gunicorn workers also
make the schema of a fresh database together)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
import requests

from conftest import OPERATOR_TOKEN
from refserver import clock, otp
from refserver.backoffice import create_contract
from refserver.embedded import EmbeddedServer
from refserver.models import Contract, OtpChallenge, db

pytestmark = pytest.mark.databases

GUESSES = 32
THRESHOLD = 6


@pytest.fixture(scope="module")
def server(request, pki, database):
    """The refserver under gunicorn on a fresh database: its own SQLite file, or a new database on the PostgreSQL
    server of this test process."""
    url = request.getfixturevalue("postgresql").create_database() if database.startswith("postgresql") else None
    with EmbeddedServer(pki=pki, env={"IBCERT_OPERATOR_TOKEN": OPERATOR_TOKEN, "IBCERT_PIN_KDF_COST": "10"},
                        database_url=url) as server:
        yield server


def _guess(server: EmbeddedServer, number: str, pin: str) -> str:
    """One customer's browser at 開通確認 (I-2.2): what the bank answered to `pin`."""
    with requests.Session() as browser:
        url = server.base_url + "/ib/admin/activation"
        page = browser.get(url, verify=str(server.ca_cert), timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = browser.post(url, data={"csrf_token": token, "contract_number": number, "registration_pin": pin},
                              headers={"Referer": url}, verify=str(server.ca_cert), timeout=30, allow_redirects=False)
    if answer.status_code == 302:
        return "right"
    if "ご利用を停止しています" in answer.text:
        return "not judged: locked"
    return "wrong"


def test_parallel_guesses_never_outrun_the_lockout(server):
    """32 registration PINs posted at once (31 wrong, the right one among them): at most N misses are ever judged.
    The right one, judged, is no miss (its attempt is given back), so it may let one more wrong one be judged."""
    operator = requests.post(server.base_url + "/api/contracts", json={"registration_pin": "2580"},
                             headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, verify=str(server.ca_cert))
    number = operator.json()["contract_number"]
    guesses = [f"{n:04d}" for n in range(1000, 1000 + GUESSES - 1)] + ["2580"]
    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        answers = list(pool.map(lambda pin: _guess(server, number, pin), guesses))
    judged = [a for a in answers if a != "not judged: locked"]
    print(f"\n{GUESSES} concurrent guesses: {len(judged)} judged ({answers.count('right')} right), "
          f"{answers.count('not judged: locked')} refused unjudged")
    assert answers.count("wrong") <= THRESHOLD, answers
    assert len(judged) <= THRESHOLD + answers.count("right"), answers
    assert "not judged: locked" in answers  # the lock was reached, and everything after it was refused unjudged


def test_one_totp_code_opens_one_logon_however_many_race(app):
    """Six requests bearing the same fresh code at once (RFC 6238 §5.2): exactly one is accepted."""
    with app.app_context():
        contract, _ = create_contract(otp_kind=otp.TOTP)
        contract_id, code = contract.id, pyotp.TOTP(contract.totp_secret).at(clock.now())
    start = threading.Barrier(6)

    def answer() -> bool:
        with app.app_context():
            mine = db.session.get(Contract, contract_id)
            start.wait()
            return otp.answer_token(mine, code)

    with ThreadPoolExecutor(max_workers=6) as pool:
        accepted = list(pool.map(lambda _: answer(), range(6)))
    assert accepted.count(True) == 1, accepted


def test_one_card_challenge_is_judged_once_however_many_race(app):
    """Six answers to the same お客様カード challenge at once: only one is judged (the right one, here)."""
    with app.app_context():
        contract, _ = create_contract()
        challenge = otp.new_challenge(contract)
        contract_id, challenge_id = contract.id, challenge.id
        right = [contract.card[cell] for cell in challenge.cells]
    start = threading.Barrier(6)

    def answer() -> bool:
        with app.app_context():
            mine = db.session.get(Contract, contract_id)
            start.wait()
            return otp.answer_card(mine, db.session.get(OtpChallenge, challenge_id), right)

    with ThreadPoolExecutor(max_workers=6) as pool:
        accepted = list(pool.map(lambda _: answer(), range(6)))
    assert accepted.count(True) == 1, accepted


def test_one_client_guessing_across_contracts_is_held_back(app, web, provision):
    """Issue 12: wrong registration PINs spread over many contracts (locking none) are stopped per client: past the
    limit nothing more is judged in the window, with a Japanese 429; after the window the client may try again, and
    the next window is as long (its start kept in UTC, whatever the database server's time zone)."""
    app.config["CLIENT_MISS_LIMIT"] = 5
    contracts = [provision(registration_pin="2580") for _ in range(4)]

    def wrong_answers(count: int) -> list[int]:
        return [web.submit("/ib/admin/activation", {"contract_number": contracts[n % 4].contract_number,
                                                    "registration_pin": "0852"}).status_code for n in range(count)]

    assert wrong_answers(8) == [200] * 5 + [429] * 3
    assert "しばらくご利用いただけません" in web.html
    with app.app_context():
        assert max(c.admin.failed_attempts for c in db.session.scalars(db.select(Contract))) == 2  # none locked
        clock.advance(11 / (24 * 60))
    assert web.submit("/ib/admin/activation", {"contract_number": contracts[0].contract_number,
                                               "registration_pin": "2580"}).status_code == 302
    assert wrong_answers(6) == [200] * 5 + [429]
    with app.app_context():
        clock.advance(11 / (24 * 60))
    assert wrong_answers(1) == [200]


def test_judged_answers_never_exceed_the_lockout_however_many_race(app):
    """12 threads answering wrongly for one ID at once (twice the lockout's 6; SQLAlchemy's pool lends 15
    connections): exactly N are judged, that ID alone is locked."""
    from refserver import auth
    from refserver.models import Principal

    with app.app_context():
        target, _ = create_contract()
        bystander, _ = create_contract()
        target_id, bystander_id, n = target.admin.id, bystander.admin.id, auth.threshold()
    start, judged = threading.Barrier(12), []

    def answer() -> None:
        with app.app_context():
            principal = db.session.get(Principal, target_id)
            start.wait()
            auth.judge(principal, lambda: judged.append(1) or False)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda _: answer(), range(12)))
    assert len(judged) == n
    with app.app_context():
        assert db.session.get(Principal, target_id).locked_at is not None
        assert db.session.get(Principal, bystander_id).locked_at is None
