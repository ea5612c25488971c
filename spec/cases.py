"""The boundary cases of the legend's rules, generated from spec/rules.toml: what a server that follows the manual
must accept and refuse, each named by rule and case (rule:イ:max+1).

For every rule that has them: min−1 refused, min accepted, max accepted, max+1 refused, a symbol refused, 全角
refused (or taken as half-width where the rule says so), letters only and digits only refused where a letter and a
digit are required, a guessable value refused. A rule typed to be checked (A, C: the customer's own numbers) gets its
cases from the right value (`right`): the accepted cases are that value, the refused ones are it made malformed — a
well-formed wrong value would count towards the lockout and prove nothing about the rule.

The suites (tests/ against refserver.rules, e2e/ against the screens) run these; the refserver reads the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ALNUM, DIGITS, EMAIL, HALF_WIDTH, Rule

# letters and digits in no order a person would guess: any prefix of it is neither a sequence nor a repetition
_MIXED = "k7Rm2Qw9Tz4Xb8Nc3Vd6Hf5Jg1Lp"
_FULL_WIDTH = str.maketrans({**{chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}})

# why a value is refused: what the server's message is about
LENGTH, CHARS, FULL_WIDTH, COMBINATION, GUESSABLE, REQUIRED, FORMAT = (
    "length", "chars", "full_width", "combination", "guessable", "required", "format")


@dataclass(frozen=True)
class Case:
    rule: Rule
    name: str  # min-1, min, max, max+1, symbol, full-width, letters-only, digits-only, guessable, …
    value: str
    refused_for: str | None  # None: accepted; else why it is refused (LENGTH, CHARS, …)

    @property
    def id(self) -> str:
        return f"rule:{self.rule.letter}:{self.name}"

    @property
    def accepted(self) -> bool:
        return self.refused_for is None


def full_width(value: str) -> str:
    return value.translate(_FULL_WIDTH)


def mixed(length: int, offset: int = 0) -> str:
    """`length` letters and digits, never guessable; `offset` gives another value of the same length."""
    pool = _MIXED[offset:] + _MIXED[:offset]
    return (pool * (length // len(pool) + 1))[:length]


def _sequence(length: int) -> str:
    """A guessable value of `length`: ascending letters then ascending digits (abc123, ab12)."""
    letters = (length + 1) // 2
    return "abcdefghijkl"[:letters] + "123456789"[:length - letters]


def _set_cases(rule: Rule) -> list[Case]:
    """A value the owner chooses (イ, ロ, ニ, ホ, ヘ, ト, チ)."""
    cases = [
        Case(rule, "min-1", mixed(rule.min - 1), REQUIRED if rule.min == 1 else LENGTH),
        Case(rule, "min", mixed(rule.min), None),
        Case(rule, "max", mixed(rule.max), None),
        Case(rule, "max+1", mixed(rule.max + 1), LENGTH),
        Case(rule, "symbol", mixed(rule.min)[:-1] + "-", CHARS),
        Case(rule, "full-width", full_width(mixed(rule.min)), FULL_WIDTH),
    ]
    if rule.letter_and_digit:
        cases += [Case(rule, "letters-only", "".join(c for c in _MIXED if c.isalpha())[:rule.min], COMBINATION),
                  Case(rule, "digits-only", "".join(c for c in _MIXED if c.isdigit())[:rule.min], COMBINATION)]
    if rule.guessable:
        cases.append(Case(rule, "guessable", _sequence(rule.min), GUESSABLE))
    return cases


def _entered_cases(rule: Rule, right: str) -> list[Case]:
    """A value given to the customer (A, C), typed to be checked: `right` is the customer's own."""
    assert rule.chars == DIGITS and len(right) == rule.min == rule.max, (rule, right)
    width = FULL_WIDTH if rule.full_width != HALF_WIDTH else None
    return [
        Case(rule, "min-1", right[:-1], LENGTH),
        Case(rule, "exact", right, None),
        Case(rule, "max+1", right + right[0], LENGTH),
        Case(rule, "letter", right[:-1] + "a", CHARS),
        Case(rule, "full-width", full_width(right), width),
    ]


def _email_cases(rule: Rule) -> list[Case]:
    return [
        Case(rule, "valid", "keiri@example.co.jp", None),
        Case(rule, "empty", "", REQUIRED),
        Case(rule, "no-at", "keiri.example.co.jp", FORMAT),
        Case(rule, "no-domain", "keiri@", FORMAT),
        Case(rule, "full-width", full_width("keiri@example.co.jp"), FULL_WIDTH),
    ]


def cases(rule: Rule, right: str | None = None) -> list[Case]:
    """Every boundary case of `rule`; `right` is the customer's own value of a rule typed to be checked."""
    if rule.chars == EMAIL:
        return _email_cases(rule)
    if right is not None:
        return _entered_cases(rule, right)
    assert rule.chars == ALNUM, rule
    return _set_cases(rule)


def case_changed(pin: str) -> str:
    """The PIN with the case of its letters swapped: refused wherever the rule is case-sensitive."""
    return pin.swapcase()
