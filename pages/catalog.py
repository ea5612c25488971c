"""The manual's 37 steps (manual/steps.toml) as Step objects, and the Locators of what each step acts on."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from playwright.sync_api import Locator, Page

from .wording import Wording

STEPS_PATH = Path(__file__).resolve().parent.parent / "manual" / "steps.toml"


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

    def __str__(self) -> str:
        return f"{self.id} {self.instruction}"


@lru_cache(maxsize=None)
def load_steps(path: str | Path = STEPS_PATH) -> tuple[Step, ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    steps = []
    for raw in data["step"]:
        targets = tuple(Target(t["role"], t["name"], t.get("within")) for t in raw.get("acts_on", []))
        steps.append(Step(raw["id"], raw["part"], raw["section"], raw["section_title"], raw["number"],
                          raw["instruction"], raw["screen"], targets))
    return tuple(steps)


def step(step_id: str) -> Step:
    for s in load_steps():
        if s.id == step_id:
            return s
    raise KeyError(f"no step {step_id!r} in {STEPS_PATH}")


STEP_IDS = tuple(s.id for s in load_steps())

# roles a `within` key may name: dialogs (the prompts) and regions (電子証明書方式)
_CONTAINER_ROLES = ("dialog", "region")


def _container(page: Page, wording: Wording, key: str) -> Locator:
    name = wording[key]
    dialog = page.get_by_role("dialog", name=name, exact=True)
    region = page.get_by_role("region", name=name, exact=True)
    return dialog.or_(region).first


def locate(target: Target, page: Page, wording: Wording) -> Locator:
    """The Locator of one element a step acts on."""
    root = _container(page, wording, target.within) if target.within else page
    name = wording[target.name]
    if target.role == "label":
        return root.get_by_label(name, exact=True)
    if target.role == "heading":
        return root.get_by_role("heading", name=name, exact=True, level=1)
    return root.get_by_role(target.role, name=name, exact=True)


def resolve(step: Step, page: Page, wording: Wording | None = None) -> list[Locator]:
    """The Locators of everything `step` acts on, on `page` (e.g. to outline them in the step's screenshot)."""
    wording = wording or Wording.load()
    return [locate(t, page, wording) for t in step.acts_on]
