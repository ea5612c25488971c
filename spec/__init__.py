"""The manual as data, in one place: what the refserver serves, what the page objects look for, what the suites check
and what the documentation mode prints.

    spec/steps.toml      the 37 numbered steps: ID, instruction, screen, the elements each acts on
    spec/wording.toml    the words of every screen element (headings, labels, buttons, dialogs)
    spec/rules.toml      the legend's rules (A, B, C, イ … チ, ハ): lengths, characters, case, 全角, guessable values
    spec/document.toml   everything else the manual prints (legend text, cautions, contact block)
    spec/faq.toml        the FAQ's 18 items: question, answer, and whether a server shows the answer as behaviour
    spec/appendix.toml   the manual's 付録: the screens of the FAQ's answers, shot after the 37 steps
    spec/environment.toml the 推奨環境 (FAQ 2, 10): the OS, browsers and settings of a PC the service supports

This module stands below every other part of ibcert and imports none of them.

    spec.step("I-2.3").instruction         spec.rules()["イ"].max        Wording.load()["activation.heading"]
"""

from __future__ import annotations

import difflib
import os
import re
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

HERE = Path(__file__).resolve().parent
STEPS_PATH = HERE / "steps.toml"
WORDING_PATH = HERE / "wording.toml"
RULES_PATH = HERE / "rules.toml"
DOCUMENT_PATH = HERE / "document.toml"
FAQ_PATH = HERE / "faq.toml"
APPENDIX_PATH = HERE / "appendix.toml"
ENVIRONMENT_PATH = HERE / "environment.toml"


@lru_cache(maxsize=None)
def read(path: str | os.PathLike) -> dict[str, Any]:
    """A TOML file of this folder (or a vendor's), parsed once per process."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


# -- the FAQ ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FaqItem:
    number: int
    category: str
    question: str
    answer: str
    information_only: str | None = None  # why no test applies: the answer describes no behaviour of the service

    @property
    def id(self) -> str:
        return f"FAQ-{self.number}"


@lru_cache(maxsize=None)
def faq(path: str | os.PathLike = FAQ_PATH) -> tuple[FaqItem, ...]:
    return tuple(FaqItem(**item) for item in read(path)["item"])


# -- the 推奨環境 -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Environment:
    os: tuple[str, ...]
    browsers: tuple[str, ...]
    settings: tuple[str, ...]  # パソコンの設定


@lru_cache(maxsize=None)
def environment(path: str | os.PathLike = ENVIRONMENT_PATH) -> Environment:
    return Environment(**{key: tuple(values) for key, values in read(path).items()})


# -- the 37 steps -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    role: str  # an ARIA role, or "label" for a field found by its label
    name: str  # wording key of the accessible name
    within: str | None = None  # wording key of the dialog or region holding it


@dataclass(frozen=True)
class Step:
    id: str
    part: str
    section: int
    section_title: str
    number: int
    instruction: str
    screen: str  # wording key of the screen's <h1>
    acts_on: tuple[Target, ...]
    faq: tuple[int, ...] = ()  # the FAQ items an appendix shot shows (none for the 37 steps)
    # (legend letter, wording key of a field's label): the letter the shot prints beside the field, for the notes
    # that name fields by letter
    letters: tuple[tuple[str, str], ...] = ()
    # a step of several clicks on several screens (I-4.6): a shot of each further screen, "<id>-2", "<id>-3", …
    then: tuple["Step", ...] = ()
    parent: str | None = None  # the step a further shot belongs to

    @property
    def shots(self) -> tuple["Step", ...]:
        """What the walk shoots of this step: its screen, then its further screens."""
        return (self, *self.then)

    def __str__(self) -> str:
        return f"{self.id} {self.instruction}"


@lru_cache(maxsize=None)
def load_steps(path: str | os.PathLike = STEPS_PATH) -> tuple[Step, ...]:
    steps = []
    for raw in read(path)["step"]:
        then = tuple(Step(f"{raw['id']}-{n}", raw["part"], raw["section"], raw["section_title"], raw["number"],
                          shot["instruction"], shot["screen"], _targets(shot), parent=raw["id"])
                     for n, shot in enumerate(raw.get("then", []), start=2))
        steps.append(Step(raw["id"], raw["part"], raw["section"], raw["section_title"], raw["number"],
                          raw["instruction"], raw["screen"], _targets(raw),
                          letters=tuple(raw.get("letters", {}).items()), then=then))
    return tuple(steps)


def _targets(raw: dict) -> tuple[Target, ...]:
    return tuple(Target(t["role"], t["name"], t.get("within")) for t in raw.get("acts_on", []))


@lru_cache(maxsize=None)
def load_appendix(path: str | os.PathLike = APPENDIX_PATH) -> tuple[Step, ...]:
    """The 付録's shots, as steps of part "A" (one section), numbered in order."""
    data = read(path)
    return tuple(Step(raw["id"], "A", 1, data["title"], number, raw["instruction"], raw["screen"], _targets(raw),
                      tuple(raw["faq"])) for number, raw in enumerate(data["shot"], start=1))


def step(step_id: str) -> Step:
    for s in load_steps():
        if s.id == step_id:
            return s
    raise KeyError(f"no step {step_id!r} in {STEPS_PATH}")


STEP_IDS = tuple(s.id for s in load_steps())


def all_shots() -> tuple[Step, ...]:
    """Every shot the walk announces: the steps, each followed by its further shots, then the 付録."""
    return tuple(shot for s in load_steps() for shot in s.shots) + load_appendix()


# -- the legend's rules -----------------------------------------------------------------------------------------------
DIGITS, ALNUM, EMAIL = "digits", "alnum", "email"
REFUSE, HALF_WIDTH = "refuse", "half_width"


@dataclass(frozen=True)
class Rule:
    """What one PIN or ID of the legend accepts (see rules.toml for the meaning of each field)."""

    letter: str
    name: str
    chars: str  # DIGITS, ALNUM or EMAIL
    min: int | None = None
    max: int | None = None
    letter_and_digit: bool = False
    case_sensitive: bool = False
    full_width: str = REFUSE  # REFUSE or HALF_WIDTH
    guessable: bool = False  # True: guessable values are refused
    set_at: tuple[str, ...] = ()
    entered_at: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"rule:{self.letter}"


@lru_cache(maxsize=None)
def rules(path: str | os.PathLike = RULES_PATH) -> dict[str, Rule]:
    """The rules by legend letter, in the legend's order."""
    return {letter: Rule(letter=letter, **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
            for letter, raw in read(path).items()}


# -- wording ----------------------------------------------------------------------------------------------------------
WORDING_ENV = "IBCERT_WORDING"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class Wording:
    """The manual's wording (wording.toml), optionally overridden by a vendor's file.

        wording = Wording.load()                 # wording.toml + the file named by IBCERT_WORDING, if set
        wording = Wording.load("vendor.toml")    # wording.toml + vendor.toml
        wording["activation.heading"]            # -> "開通確認"

    The override is deep-merged: a vendor's file names only the keys whose wording differs.
    """

    def __init__(self, data: Mapping[str, Any], sources: tuple[Path, ...] = ()):
        self.data = dict(data)
        self.sources = sources

    @classmethod
    def manual(cls) -> "Wording":
        """The manual's own wording, whatever IBCERT_WORDING says (what the reference server shows)."""
        return cls(read(WORDING_PATH), (WORDING_PATH,))

    @classmethod
    def load(cls, override: str | os.PathLike | None = None) -> "Wording":
        """wording.toml, deep-merged with `override` or else with the file named by IBCERT_WORDING."""
        override = override or os.environ.get(WORDING_ENV) or None
        if not override:
            return cls.manual()
        path = Path(override)
        if not path.is_file():
            raise FileNotFoundError(f"wording override {path} (from --wording / {WORDING_ENV}) does not exist")
        data = deep_merge(read(WORDING_PATH), tomllib.loads(path.read_text(encoding="utf-8")))
        return cls(data, (WORDING_PATH, path))

    def __getitem__(self, key: str) -> Any:
        """A dotted key, e.g. "logon.admin_heading"."""
        node: Any = self.data
        for part in key.split("."):
            try:
                node = node[part]
            except (KeyError, TypeError):
                raise KeyError(f"wording key {key!r} is not defined in {', '.join(map(str, self.sources))}") from None
        return node

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def format(self, key: str, **values: Any) -> str:
        return str(self[key]).format(**values)

    def pattern(self, key: str, **known: Any) -> re.Pattern:
        """The words of `key` as a regular expression: each {placeholder} given in `known` stands for that value,
        each other one for any text — for a message whose blanks a server fills (which field, how many misses left)."""
        parts = []
        for literal, name, _spec, _conversion in string.Formatter().parse(str(self[key])):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(re.escape(str(known[name])) if name in known else ".*?")
        return re.compile("".join(parts))

    def __repr__(self) -> str:
        return f"Wording({', '.join(p.name for p in self.sources)})"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def wording_changes(path: str | os.PathLike) -> dict[str, tuple[Any, Any]]:
    """What a vendor's wording file changes: dotted key → (the manual's words, the vendor's). A file that cannot be
    read or names a key the manual's wording lacks is refused (ValueError naming the closest known key): a misspelt
    key would otherwise be ignored and the vendor's word never used."""
    path = Path(path)
    try:
        vendor = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from None
    manual = _flatten(read(WORDING_PATH))
    for key in vendor:
        if key not in manual:
            closest = difflib.get_close_matches(key, list(manual), n=1)
            raise ValueError(f"{path}: unknown key {key!r}" + (f"; did you mean {closest[0]!r}?" if closest else ""))
    return {key: (manual[key], value) for key, value in vendor.items() if manual[key] != value}


def suite_commit() -> str:
    """The commit of this checkout of ibcert, short ("" where git cannot tell): the reports say which suite made them."""
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parent,
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
