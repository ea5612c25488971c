"""The input rules of the manual's legend (A, C, イ…チ, ハ), each returning a Japanese message or None.

What each value accepts (length, characters, letter and digit, 全角 handling, guessable values) is data:
spec/rules.toml, which the suites read too. This module only turns a rule into a judgement and its message.

Full-width (全角) input is decided per rule: the digits of the 利用者番号 and of the card's 確認用パスワード are
normalised to half-width (they are copied from paper, and an IME left on must not make them fail); PINs and IDs are
refused with a message saying why, because silently changing a secret would leave its owner not knowing what it is.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

import spec

RULES = spec.rules()

FULL_WIDTH_MESSAGE = "全角文字は使用できません。半角英数字で入力してください。"
GUESSABLE_MESSAGE = "推測されやすい暗証番号は使用できません。"
COMBINATION_MESSAGE = "英字と数字を組み合わせてください。"

_CHARS = {spec.DIGITS: re.compile(r"[0-9]+"), spec.ALNUM: re.compile(r"[A-Za-z0-9]+")}
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _has_full_width(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("F", "W") for ch in text)


def half_width_digits(raw: str) -> str:
    """Full-width digits made half-width, surrounding blanks (also the full-width space) dropped."""
    return raw.strip().translate(_FULL_WIDTH_DIGITS)  # str.strip() drops the full-width space too


def _length(rule: spec.Rule) -> str:
    return f"{rule.min}桁" if rule.min == rule.max else f"{rule.min}～{rule.max}桁"


def _form_problem(rule: spec.Rule, value: str, label: str) -> str | None:
    """*value* against *rule*'s characters, length and letter+digit combination."""
    if not value:
        return f"{label}を入力してください。"
    if rule.full_width == spec.REFUSE and _has_full_width(value):
        if rule.chars == spec.DIGITS:
            return f"全角文字は使用できません。{label}は半角数字{_length(rule)}で入力してください。"
        return FULL_WIDTH_MESSAGE
    if rule.chars == spec.DIGITS:
        if not (_CHARS[spec.DIGITS].fullmatch(value) and rule.min <= len(value) <= rule.max):
            note = "（全角数字は半角として扱います）" if rule.full_width == spec.HALF_WIDTH else ""
            return f"{label}は{_length(rule)}の数字で入力してください{note}。"
        return None
    if not _CHARS[spec.ALNUM].fullmatch(value):
        return f"{label}は半角英数字で入力してください（記号・空白は使用できません）。"
    if not rule.min <= len(value) <= rule.max:
        return f"{label}は{_length(rule)}の半角英数字で入力してください。"
    if rule.letter_and_digit and not (re.search(r"[A-Za-z]", value) and re.search(r"[0-9]", value)):
        return COMBINATION_MESSAGE
    return None


def contract_number(raw: str) -> tuple[str, str | None]:
    """利用者番号 (A); full-width digits are accepted as half-width. Returns (normalised, message)."""
    value = half_width_digits(raw)
    problem = _form_problem(RULES["A"], value, RULES["A"].name)
    return (raw.strip() if problem and value else value), problem


def registration_pin(raw: str) -> str | None:
    """ご契約先登録用暗証番号 (C): the digits written on the application form."""
    return _form_problem(RULES["C"], raw, RULES["C"].name)


def user_id(raw: str) -> str | None:
    """利用者ID (ニ): half-width letters and digits."""
    return _form_problem(RULES["ニ"], raw, RULES["ニ"].name)


def user_name(raw: str) -> str | None:
    """利用者名: free text (full-width welcome: it is a person's name), at most 30 characters."""
    if not raw.strip():
        return "利用者名を入力してください。"
    if len(raw) > 30:
        return "利用者名は30文字以内で入力してください。"
    if any(unicodedata.category(ch).startswith("C") for ch in raw):
        return "利用者名に使用できない文字が含まれています。"
    return None


def email(raw: str, label: str = RULES["ハ"].name, *, required: bool = True) -> tuple[str, str | None]:
    """ご契約先Eメールアドレス (ハ): required (FAQ 16: no e-mail address, no service) and well-formed. A user's (*label*)
    is optional unless the bank requires it (*required*); given, it is well-formed too."""
    value = raw.strip()
    if not value:
        return value, f"{label}を入力してください。" if required else None
    if _has_full_width(value):
        return value, "全角文字は使用できません。Eメールアドレスは半角で入力してください。"
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return value, "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"
    return checked.normalized, None


def _weak_run(run: str) -> bool:
    """One character repeated (aaaa, 1111) or a plain ascending or descending sequence (123456, abcdef, 9876)."""
    steps = {ord(b) - ord(a) for a, b in zip(run, run[1:])}
    return len(run) >= 2 and len(steps) == 1 and steps <= {-1, 0, 1}


def guessable(pin: str, contract_number: str = "", user_id: str = "") -> bool:
    """A PIN the manual warns about (連続番号 and the like, or one's own numbers).

    The PIN is split into its runs of letters and of digits; it is guessable when it has at most two runs and each
    is repeated or a sequence (123456, abcdef, abc123, aaa111), or when it contains the 利用者番号 or the 利用者ID.
    IDs shorter than 4 characters are not looked for: forbidding every PIN with the letter "a" in it protects nothing.
    """
    lowered = pin.lower()
    runs = re.findall(r"[a-z]+|[0-9]+", lowered)
    if 1 <= len(runs) <= 2 and all(_weak_run(run) for run in runs):
        return True
    if contract_number and contract_number in pin:
        return True
    return len(user_id) >= 4 and user_id.lower() in lowered


def new_pin(raw: str, label: str, *, rule: str, contract_number: str = "", user_id: str = "") -> str | None:
    """A PIN being set, judged by the legend's *rule* (イ, ロ, ト, チ; the 仮 ones ホ, ヘ)."""
    the_rule = RULES[rule]
    problem = _form_problem(the_rule, raw, label)
    if problem is None and the_rule.guessable and guessable(raw, contract_number, user_id):
        return GUESSABLE_MESSAGE
    return problem


def reentered(pin: str, again: str, label: str, again_label: str) -> str | None:
    """A new PIN typed again (確認のため再入力) must be the same: a typo in a masked field would otherwise lock the ID
    at its first use."""
    if pin and again != pin:
        return f"{again_label}が{label}と一致しません。同じ暗証番号を入力してください。"
    return None


def different_pins(first: str, second: str, first_label: str, second_label: str) -> str | None:
    """The same person's two PINs must differ (compared case-sensitively, as the PINs themselves are)."""
    if first and first == second:
        return f"{second_label}は{first_label}と異なるものを設定してください。"
    return None


# No PIN of the legend is longer: a longer one can never match, and is refused before it costs a hash
LONGEST_PIN = max(rule.max for rule in RULES.values() if rule.chars == spec.ALNUM and rule.letter != "ニ")


def entered_pin(raw: str, label: str) -> str | None:
    """A PIN typed to be checked against the stored one: only what can never match is refused before the check."""
    if not raw:
        return f"{label}を入力してください。"
    if _has_full_width(raw):
        return FULL_WIDTH_MESSAGE
    if len(raw) > LONGEST_PIN:
        return f"{label}は{LONGEST_PIN}桁以内の半角英数字です。"
    return None


def permissions(selected: list[str], allowed: list[str]) -> str | None:
    if not selected:
        return "権限を1つ以上選択してください。"
    if any(name not in allowed for name in selected):
        return "選択できない権限が含まれています。"
    return None
