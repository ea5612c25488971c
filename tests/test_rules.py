"""The legend's rules (A, C, イ…チ): formats, full-width input, guessable PINs, a PIN equal to the other one."""

import pytest

from refserver import rules


@pytest.mark.parametrize("raw, expected", [
    ("12345678901", "12345678901"),
    ("１２３４５６７８９０１", "12345678901"),  # full-width digits are normalised: they are copied from a card
    (" 12345678901\u3000", "12345678901"),
])
def test_contract_number_accepts_eleven_digits_full_width_normalised(raw, expected):
    assert rules.contract_number(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["1234567890", "123456789012", "1234567890a", "１２３４５"])
def test_contract_number_refuses_other_than_eleven_digits(raw):
    value, message = rules.contract_number(raw)
    assert message == "利用者番号は11桁の数字で入力してください（全角数字は半角として扱います）。"


def test_contract_number_required():
    assert rules.contract_number("")[1] == "利用者番号を入力してください。"


@pytest.mark.parametrize("raw, message", [
    ("1234", None),
    ("", "ご契約先登録用暗証番号を入力してください。"),
    ("123", "ご契約先登録用暗証番号は4桁の数字で入力してください。"),
    ("12a4", "ご契約先登録用暗証番号は4桁の数字で入力してください。"),
    ("１２３４", "全角文字は使用できません。ご契約先登録用暗証番号は半角数字4桁で入力してください。"),
])
def test_registration_pin_is_four_half_width_digits(raw, message):
    assert rules.registration_pin(raw) == message


@pytest.mark.parametrize("raw, message", [
    ("a", None),
    ("Keiri01", None),
    ("x" * 30, None),
    ("x" * 31, "利用者IDは1～30桁の半角英数字で入力してください。"),
    ("keiri-01", "利用者IDは1～30桁の半角英数字で入力してください。"),
    ("ｋｅｉｒｉ", rules.FULL_WIDTH_MESSAGE),
    ("", "利用者IDを入力してください。"),
])
def test_user_id_is_1_to_30_half_width_alphanumerics(raw, message):
    assert rules.user_id(raw) == message


@pytest.mark.parametrize("pin", ["Abc1x9", "a1b2c3d4e5f6", "Kanri2024x"])
def test_pin_with_letter_and_digit_of_6_to_12_is_accepted(pin):
    assert rules.new_pin(pin, "ご契約先暗証番号") is None


@pytest.mark.parametrize("pin, message", [
    ("", "ご契約先暗証番号を入力してください。"),
    ("Ab1x9", "ご契約先暗証番号は6～12桁の半角英数字で入力してください。"),
    ("Ab1x9Ab1x9Ab1", "ご契約先暗証番号は6～12桁の半角英数字で入力してください。"),
    ("Ab1-x9z", "ご契約先暗証番号は半角英数字で入力してください（記号・空白は使用できません）。"),
    ("Ab1 x9z", "ご契約先暗証番号は半角英数字で入力してください（記号・空白は使用できません）。"),
    ("Ａｂ１ｘ９ｚ", rules.FULL_WIDTH_MESSAGE),
    ("Abc1x９", rules.FULL_WIDTH_MESSAGE),
    ("abcxyzq", rules.COMBINATION_MESSAGE),
    ("19283746", rules.COMBINATION_MESSAGE),
])
def test_pin_rules_of_i_ro_to_chi(pin, message):
    assert rules.new_pin(pin, "ご契約先暗証番号") == message


@pytest.mark.parametrize("pin", ["abc123", "ABC123", "aaa111", "111aaa", "abcd4321", "zyx987", "aa1111"])
def test_guessable_pins_are_refused(pin):
    assert rules.new_pin(pin, "ご契約先暗証番号") == rules.GUESSABLE_MESSAGE


@pytest.mark.parametrize("pin", ["1111", "1234", "abcd", "9876", "zzzzzz", "123456", "abcdef"])
def test_guessable_provisional_pins_are_refused(pin):
    assert rules.new_pin(pin, "利用者暗証番号(仮)", provisional=True) == rules.GUESSABLE_MESSAGE


def test_pin_containing_the_contract_number_is_refused():
    assert rules.new_pin("a12345678901", "ご契約先暗証番号", contract_number="12345678901") == rules.GUESSABLE_MESSAGE
    assert rules.new_pin("a12345678901", "ご契約先暗証番号", contract_number="99999999999") is None


def test_pin_containing_the_user_id_is_refused_whatever_the_case():
    assert rules.new_pin("Keiri01x", "利用者暗証番号", user_id="keiri01") == rules.GUESSABLE_MESSAGE
    assert rules.new_pin("Keiri01x", "利用者暗証番号", user_id="soumu02") is None


def test_short_user_ids_are_not_looked_for_in_pins():
    assert rules.new_pin("Kanri2024x", "利用者暗証番号", user_id="a") is None


@pytest.mark.parametrize("pin, message", [
    ("k4r1", None),
    ("k4r1k4r1k4r1", None),
    ("k4r", "利用者暗証番号(仮)は4～12桁の半角英数字で入力してください。"),
    ("ｋ４ｒ１", rules.FULL_WIDTH_MESSAGE),
    ("kari", None),  # a 仮 PIN need not mix letters and digits
])
def test_provisional_pins_are_4_to_12_half_width_alphanumerics(pin, message):
    assert rules.new_pin(pin, "利用者暗証番号(仮)", provisional=True) == message


def test_a_pin_equal_to_the_other_pin_is_refused_case_sensitively():
    assert rules.different_pins("Kanri2024x", "Kanri2024x", "イ", "ロ") == "ロはイと異なるものを設定してください。"
    assert rules.different_pins("Kanri2024x", "kanri2024x", "イ", "ロ") is None


@pytest.mark.parametrize("raw, message", [
    ("keiri@example.co.jp", None),
    ("", "ご契約先Eメールアドレスを入力してください。"),
    ("keiri@", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("keiri example.co.jp", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("ｋｅｉｒｉ＠example.co.jp", "全角文字は使用できません。Eメールアドレスは半角で入力してください。"),
])
def test_email_is_required_and_valid(raw, message):
    assert rules.email(raw)[1] == message


def test_entered_pin_refuses_only_what_can_never_match():
    assert rules.entered_pin("", "ご契約先暗証番号") == "ご契約先暗証番号を入力してください。"
    assert rules.entered_pin("Ｋａｎｒｉ", "ご契約先暗証番号") == rules.FULL_WIDTH_MESSAGE
    assert rules.entered_pin("x", "ご契約先暗証番号") is None


def test_permissions_at_least_one_of_the_allowed():
    allowed = ["残高照会", "入出金明細照会", "振込・振替"]
    assert rules.permissions([], allowed) == "権限を1つ以上選択してください。"
    assert rules.permissions(["外為"], allowed) == "選択できない権限が含まれています。"
    assert rules.permissions(["残高照会"], allowed) is None


def test_user_name_required_and_short():
    assert rules.user_name("経理 花子") is None
    assert rules.user_name("  ") == "利用者名を入力してください。"
    assert rules.user_name("あ" * 31) == "利用者名は30文字以内で入力してください。"
