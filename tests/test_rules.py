"""The legend's rules (A, B, C, イ…チ, ハ): every boundary case generated from spec/rules.toml (spec.cases), then the
exact messages, guessable PINs and a PIN equal to the other one."""

import pytest

import spec
from refserver import otp, rules
from spec.cases import CHARS, COMBINATION, FULL_WIDTH, GUESSABLE, LENGTH, REQUIRED, cases

RULES = spec.rules()
# the customer's own value of the rules typed to be checked (A, B, C)
RIGHT = {"A": "12345678901", "B": "37", "C": "2580"}


def _judge(letter: str, value: str) -> str | None:
    """The refserver's judgement of `value` under the legend's rule `letter`: its message, or None."""
    if letter == "A":
        return rules.contract_number(value)[1]
    if letter == "B":
        return otp.card_answer_problem(value, "確認用パスワード（ア）")[1]
    if letter == "C":
        return rules.registration_pin(value)
    if letter == "ニ":
        return rules.user_id(value)
    if letter == "ハ":
        return rules.email(value)[1]
    return rules.new_pin(value, RULES[letter].name, rule=letter)


# what the message says for each reason of refusal (checked where the refserver's wording is fixed)
_SAYS = {LENGTH: "桁", CHARS: "", FULL_WIDTH: "全角", COMBINATION: "組み合わせ", GUESSABLE: "推測", REQUIRED: "入力してください"}


@pytest.mark.parametrize("case", [c for letter, rule in RULES.items() for c in cases(rule, RIGHT.get(letter))],
                         ids=lambda c: c.id)
def test_boundary_case(case):
    message = _judge(case.rule.letter, case.value)
    if case.accepted:
        assert message is None, case
    else:
        assert message, case
        assert _SAYS.get(case.refused_for, "") in message, (case, message)


@pytest.mark.parametrize("raw, expected", [
    ("１２３４５６７８９０１", "12345678901"),  # full-width digits are normalised: they are copied from a card
    (" 12345678901\u3000", "12345678901"),
])
def test_contract_number_is_normalised(raw, expected):
    assert rules.contract_number(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["1234567890", "123456789012", "1234567890a", "１２３４５"])
def test_contract_number_refuses_other_than_eleven_digits(raw):
    value, message = rules.contract_number(raw)
    assert message == "利用者番号は11桁の数字で入力してください（全角数字は半角として扱います）。"


def test_contract_number_required():
    assert rules.contract_number("")[1] == "利用者番号を入力してください。"


@pytest.mark.parametrize("raw, message", [
    ("", "ご契約先登録用暗証番号を入力してください。"),
    ("123", "ご契約先登録用暗証番号は4桁の数字で入力してください。"),
    ("１２３４", "全角文字は使用できません。ご契約先登録用暗証番号は半角数字4桁で入力してください。"),
])
def test_registration_pin_messages(raw, message):
    assert rules.registration_pin(raw) == message


@pytest.mark.parametrize("raw, message", [
    ("x" * 31, "利用者IDは1～30桁の半角英数字で入力してください。"),
    ("keiri-01", "利用者IDは半角英数字で入力してください（記号・空白は使用できません）。"),
    ("ｋｅｉｒｉ", rules.FULL_WIDTH_MESSAGE),
    ("", "利用者IDを入力してください。"),
])
def test_user_id_messages(raw, message):
    assert rules.user_id(raw) == message


@pytest.mark.parametrize("pin, message", [
    ("", "ご契約先暗証番号を入力してください。"),
    ("Ab1x9", "ご契約先暗証番号は6～12桁の半角英数字で入力してください。"),
    ("Ab1 x9z", "ご契約先暗証番号は半角英数字で入力してください（記号・空白は使用できません）。"),
    ("Abc1x９", rules.FULL_WIDTH_MESSAGE),
    ("abcxyzq", rules.COMBINATION_MESSAGE),
])
def test_pin_messages(pin, message):
    assert rules.new_pin(pin, "ご契約先暗証番号", rule="イ") == message


@pytest.mark.parametrize("pin", ["abc123", "ABC123", "aaa111", "111aaa", "abcd4321", "zyx987", "aa1111"])
def test_guessable_pins_are_refused(pin):
    assert rules.new_pin(pin, "ご契約先暗証番号", rule="イ") == rules.GUESSABLE_MESSAGE


@pytest.mark.parametrize("pin", ["1111", "1234", "abcd", "9876", "zzzzzz", "123456", "abcdef"])
def test_guessable_provisional_pins_are_refused(pin):
    assert rules.new_pin(pin, "利用者暗証番号(仮)", rule="ホ") == rules.GUESSABLE_MESSAGE


def test_a_provisional_pin_need_not_mix_letters_and_digits():
    assert rules.new_pin("kari", "利用者暗証番号(仮)", rule="ホ") is None


def test_pin_containing_the_contract_number_is_refused():
    assert rules.new_pin("a12345678901", "ご契約先暗証番号", rule="イ", contract_number="12345678901") == rules.GUESSABLE_MESSAGE
    assert rules.new_pin("a12345678901", "ご契約先暗証番号", rule="イ", contract_number="99999999999") is None


def test_pin_containing_the_user_id_is_refused_whatever_the_case():
    assert rules.new_pin("Keiri01x", "利用者暗証番号", rule="ト", user_id="keiri01") == rules.GUESSABLE_MESSAGE
    assert rules.new_pin("Keiri01x", "利用者暗証番号", rule="ト", user_id="soumu02") is None


def test_short_user_ids_are_not_looked_for_in_pins():
    assert rules.new_pin("Kanri2024x", "利用者暗証番号", rule="ト", user_id="a") is None


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


def test_user_name_is_at_most_30_characters_without_control_characters():
    assert rules.user_name("あ" * 30) is None
    assert rules.user_name("あ" * 31) == "利用者名は30文字以内で入力してください。"
    assert rules.user_name("経理\x07花子") == "利用者名に使用できない文字が含まれています。"


def test_a_typed_pin_of_the_longest_length_is_checked_one_longer_is_not():
    assert rules.entered_pin("x" * rules.LONGEST_PIN, "暗証番号") is None
    assert rules.entered_pin("x" * (rules.LONGEST_PIN + 1), "暗証番号") == f"暗証番号は{rules.LONGEST_PIN}桁以内の半角英数字です。"


def test_a_refused_contract_number_is_shown_again_as_typed():
    assert rules.contract_number("１２３ ")[0] == "１２３"
