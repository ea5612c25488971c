"""What every screen shares: CSRF on every form, cookie flags, no caching, titles, Japanese error pages."""

import re

import pytest

from conftest import h1


def test_every_form_carries_a_csrf_token(web, walk):
    walk.user_enrolled()
    for path in ("/ib/admin/logon", "/ib/admin/activation", "/ib/admin/certificate", "/ib/user/certificate", "/ib/user/logon"):
        web.get(path)
        forms = re.findall(r"<form [^>]*method=\"post\".*?</form>", web.html, re.S)
        assert forms and all('name="csrf_token"' in form for form in forms), path


def test_a_post_without_csrf_token_is_refused_in_japanese(web, provision):
    contract = provision()
    response = web.client.post("/ib/admin/activation", base_url="https://localhost",
                               data={"contract_number": contract.contract_number, "registration_pin": contract.registration_pin})
    assert response.status_code == 400
    assert "画面の有効期限が切れたか、正しくない画面から送信されました。" in response.get_data(as_text=True)


def test_session_cookie_is_secure_httponly_samesite(web, provision):
    contract = provision()
    response = web.submit("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                    "registration_pin": contract.registration_pin})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # __Host- (ASVS 3.4.4): only for this host, the whole path, over HTTPS
    assert cookie.startswith("__Host-ibcert_session=") and "Path=/;" in cookie and "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/", "/ib/", "/ib/admin/logon", "/ib/admin/activation"])
def test_screens_are_not_cached_and_name_themselves(web, path):
    response = web.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none': no scripts at all
    assert f"<title>{h1(web.html)} | めぐるビジネス・インターネットバンキングサービス</title>" in web.html
    assert web.html.count("<h1>") == 1
    assert '<html lang="ja">' in web.html and "<main>" in web.html and '<header class="banner">' in web.html


def test_unknown_page_is_a_japanese_404(web):
    response = web.get("/ib/nowhere")
    assert response.status_code == 404 and "お探しのページは見つかりませんでした。" in web.html


def test_wrong_method_is_a_japanese_405(web):
    response = web.client.get("/ib/logoff", base_url="https://localhost")
    assert response.status_code == 405 and "画面のボタンから操作してください" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/ib/admin/activation", "/ib/admin/certificate", "/ib/user/certificate"])
@pytest.mark.parametrize("value", ["", "\x00", "あ" * 2000, "'; DROP TABLE contract; --"])
def test_odd_input_never_breaks_a_screen(web, path, value):
    web.get(path)
    data = {name: value for name in ("contract_number", "registration_pin", "user_id", "logon_pin", "confirmation_pin", "email")}
    response = web.post(path, data)
    assert response.status_code in (200, 302)


def test_secret_key_is_shared_through_the_instance_folder(tmp_path):
    from refserver.config import instance_secret_key

    first, second = instance_secret_key(str(tmp_path)), instance_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    assert not [p for p in tmp_path.iterdir() if p.name != "secret_key"]


@pytest.mark.parametrize("value", ["\x00", "あ" * 2000, "<script>alert(1)</script>"])
def test_odd_input_never_breaks_a_logged_on_screen(web, walk, value):
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    web.get("/ib/admin/users/new")
    data = {name: value for name in ("user_id", "user_name", "temp_pin", "temp_confirmation_pin", "confirmation_pin")}
    response = web.post("/ib/admin/users/new", {**data, "permissions": [value]})
    assert response.status_code == 200
    assert "<script>" not in web.html


def test_the_stylesheet_is_linked_by_its_digest_and_kept_by_caches(web):
    web.get("/")
    link = re.search(r'<link rel="stylesheet" href="([^"]+)">', web.html).group(1)
    assert re.fullmatch(r"/static/style\.css\?v=[0-9a-f]{12}", link), link
    response = web.client.get(link, base_url="https://localhost")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]


def test_a_huge_form_is_refused_in_japanese_before_it_is_read(web, provision):
    contract = provision()
    web.get("/ib/admin/activation")
    response = web.post("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                  "registration_pin": "1" * (16 * 1024 * 1024)})
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.get_data(as_text=True)


def test_a_pin_longer_than_any_pin_is_refused_before_it_is_hashed(app, web, walk, monkeypatch):
    from refserver import auth

    contract, pem = walk.admin_ready()
    hashed = []
    monkeypatch.setattr(auth, "pin_matches", lambda stored, pin: hashed.append(pin) or False)
    response = walk.certificate_logon("admin", pem, "x" * 50_000)
    assert response.status_code == 200 and "12桁以内" in web.html
    assert hashed == []
