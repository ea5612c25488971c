"""Drift check: compare a fresh set of step screenshots with the previous one, pixel by pixel.

Pixels, not bytes, decide: a PNG whose encoder or metadata changed but that shows the same picture is no drift and
is not rewritten. A changed step gets a diff image: the new screen faded, with every changed pixel in solid red, so
a reviewer sees at a glance where the screen moved.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops

DIFF_COLOUR = (255, 0, 0, 255)
FADE = 0.75  # how far the unchanged pixels are blended towards white in a diff image


@dataclass
class Drift:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def as_dict(self) -> dict[str, list[str]]:
        return {"changed": self.changed, "added": self.added, "removed": self.removed, "unchanged": self.unchanged}


def _pad(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    # Transparent padding: a grown or shrunk screen differs from it in the alpha band, so the area counts as changed.
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    canvas.paste(image.convert("RGBA"), (0, 0))
    return canvas


def diff_image(old_png: Path, new_png: Path) -> Image.Image | None:
    """The diff picture of two screenshots, or None when they show the same pixels."""
    with Image.open(old_png) as old, Image.open(new_png) as new:
        size = (max(old.width, new.width), max(old.height, new.height))
        old_rgba, new_rgba = _pad(old, size), _pad(new, size)
    delta = ImageChops.difference(old_rgba, new_rgba)
    changed = delta.split()[0]
    for band in delta.split()[1:]:
        changed = ImageChops.lighter(changed, band)
    mask = changed.point(lambda v: 255 if v else 0)
    if mask.getbbox() is None:
        return None
    picture = Image.blend(new_rgba, Image.new("RGBA", size, (255, 255, 255, 255)), FADE)
    picture.paste(Image.new("RGBA", size, DIFF_COLOUR), mask=mask)
    return picture


def compare(new_dir: Path, old_dir: Path, diff_dir: Path) -> Drift:
    """Compare new_dir/*.png with old_dir/*.png (step ID = file stem); write diff_dir/<ID>.png per changed step."""
    new = {p.stem: p for p in new_dir.glob("*.png")}
    old = {p.stem: p for p in old_dir.glob("*.png")} if old_dir.is_dir() else {}
    drift = Drift(added=sorted(new.keys() - old.keys()), removed=sorted(old.keys() - new.keys()))
    for step_id in sorted(new.keys() & old.keys()):
        if new[step_id].read_bytes() == old[step_id].read_bytes():
            drift.unchanged.append(step_id)
            continue
        picture = diff_image(old[step_id], new[step_id])
        if picture is None:
            drift.unchanged.append(step_id)
            continue
        diff_dir.mkdir(parents=True, exist_ok=True)
        picture.save(diff_dir / f"{step_id}.png")
        drift.changed.append(step_id)
    return drift


def apply(drift: Drift, new_dir: Path, old_dir: Path) -> None:
    """Bring old_dir up to new_dir, touching only the files of drifted steps."""
    old_dir.mkdir(parents=True, exist_ok=True)
    for step_id in drift.changed + drift.added:
        shutil.copy2(new_dir / f"{step_id}.png", old_dir / f"{step_id}.png")
    for step_id in drift.removed:
        (old_dir / f"{step_id}.png").unlink()


def sync(new_root: Path, old_root: Path, steps_dir: str, html: str, pdf: str) -> Drift:
    """The drift check of a whole output folder: compare the step shots, write old_root/diff/<ID>.png for each
    changed step (stale diffs of an earlier check removed) and bring the changed shots over. The manual follows
    when it changed: the HTML when its text did, the PDF (never byte-identical: it is dated) when either did."""
    diff_dir = old_root / "diff"
    shutil.rmtree(diff_dir, ignore_errors=True)
    drift = compare(new_root / steps_dir, old_root / steps_dir, diff_dir)
    apply(drift, new_root / steps_dir, old_root / steps_dir)
    old_html = old_root / html
    html_changed = not old_html.exists() or old_html.read_bytes() != (new_root / html).read_bytes()
    if html_changed:
        shutil.copy2(new_root / html, old_html)
    if html_changed or drift.drifted or not (old_root / pdf).exists():
        shutil.copy2(new_root / pdf, old_root / pdf)
    return drift
