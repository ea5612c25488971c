"""The manual as a document: the 37 steps of spec/steps.toml plus the printed rest of spec/document.toml, and the
付録 of spec/appendix.toml (the screens of the FAQ's answers) as a last part.

Both files quote the manual for its default bank; a `Branding` swaps the bank's name and contact block everywhere,
so a documentation team of another bank rebuilds the same manual under its own name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spec
from spec import Step, load_steps


APPENDIX = "A"  # the part id of the 付録


@dataclass(frozen=True)
class Branding:
    """What a bank changes in the manual; None keeps the manual's default."""

    bank_name: str | None = None
    homepage: str | None = None  # the bank's home page address, printed at I-1.1
    departments: tuple[str, ...] | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Section:
    part: str
    number: int
    title: str
    steps: tuple[Step, ...]  # spec.Step, the walkthrough's own
    intro: dict | None = None
    notes_after: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    note: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Manual:
    doc: dict[str, Any]
    parts: tuple[Part, ...]
    steps: tuple[Step, ...] = field(repr=False)  # the 37 steps
    step_notes: dict[str, list[dict]] = field(repr=False, default_factory=dict)  # step ID -> notes under its shot
    appendix: tuple[Step, ...] = field(repr=False, default=())  # the 付録's shots (the last part's one section)

    @property
    def shots(self) -> tuple[Step, ...]:
        """Everything the documentation mode shoots: the steps (each followed by its further shots), then the 付録."""
        return tuple(shot for step in self.steps for shot in step.shots) + self.appendix

    @property
    def bank_name(self) -> str:
        return self.doc["bank"]["name"]


def _rebrand(value: Any, replacements: dict[str, str]) -> Any:
    """Apply the text replacements to every string of a parsed TOML tree."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _rebrand(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebrand(v, replacements) for v in value]
    return value


def noted_steps(note: dict) -> list[str]:
    """The step IDs a [[step_note]] is printed under: its `step`, one ID or several."""
    return [note["step"]] if isinstance(note["step"], str) else list(note["step"])


def load(branding: Branding = Branding(), *, steps_toml: Path = spec.STEPS_PATH,
         document_toml: Path = spec.DOCUMENT_PATH) -> Manual:
    doc = spec.read(document_toml)
    replacements = {}
    if branding.bank_name:
        replacements[doc["bank"]["name"]] = branding.bank_name
    if branding.homepage:
        replacements[doc["bank"]["homepage"]] = branding.homepage
    doc = _rebrand(doc, replacements)
    if branding.departments is not None:
        doc["contact"]["departments"] = list(branding.departments)
    if branding.phone:
        doc["contact"]["phone"] = branding.phone

    steps = tuple(dataclasses.replace(s, instruction=_rebrand(s.instruction, replacements),
                                      section_title=_rebrand(s.section_title, replacements))
                  for s in load_steps(steps_toml))
    # The part headings live in the catalog too (its [[section]] tables), the only part pages.catalog leaves out.
    catalog_parts = _rebrand(spec.read(steps_toml)["section"], replacements)
    parts = []
    for raw_part in catalog_parts:
        # The catalog lists the steps in manual order, so grouping keeps that order.
        in_part = [s for s in steps if s.part == raw_part["part"]]
        sections = []
        for number in dict.fromkeys(s.section for s in in_part):
            members = tuple(shot for s in in_part if s.section == number for shot in s.shots)
            key = [raw_part["part"], number]
            sections.append(Section(
                part=raw_part["part"], number=number, title=members[0].section_title, steps=members,
                intro=next((i for i in doc.get("intro", []) if i["section"] == key), None),
                notes_after=tuple(n for n in doc.get("note", []) if n["after_section"] == key),
            ))
        parts.append(Part(id=raw_part["part"], title=raw_part["title"], note=raw_part["note"],
                          sections=tuple(sections)))
    appendix = tuple(dataclasses.replace(s, instruction=_rebrand(s.instruction, replacements))
                     for s in spec.load_appendix())
    raw_appendix = spec.read(spec.APPENDIX_PATH)
    parts.append(Part(id=APPENDIX, title=raw_appendix["title"], note=_rebrand(raw_appendix["lead"], replacements),
                      sections=(Section(part=APPENDIX, number=1, title="よくあるご質問と画面", steps=appendix),)))
    manual = Manual(doc=doc, parts=tuple(parts), steps=steps, appendix=appendix)
    manual.step_notes.update({s.id: [n for n in doc.get("step_note", []) if s.id in noted_steps(n)]
                              for s in manual.shots})
    return manual
