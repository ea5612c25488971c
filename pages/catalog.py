"""The Locators of what each of the manual's steps acts on (the steps themselves are spec/steps.toml, see spec)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from spec import Step, Target, Wording

from .base import action, part


def locate(target: Target, page: Page, wording: Wording) -> Locator:
    """The Locator of one element a step acts on. As the page objects do, an action (role link or button) is found
    as either, and the part it is `within` (a prompt, 電子証明書方式) as a named dialog or region or the box under
    its heading (pages.base.part)."""
    name = wording[target.name]
    is_action = target.role in ("link", "button")
    root = part(page, wording[target.within], action(page, name) if is_action else None) if target.within else page
    if is_action:
        return action(root, name)
    if target.role == "label":  # with {placeholders} (確認用パスワード（{cell}）): every field of that form
        return root.get_by_label(wording.pattern(target.name)) if "{" in name else root.get_by_label(name, exact=True)
    if target.role == "heading":
        return root.get_by_role("heading", name=name, exact=True, level=1)
    if target.role == "row":  # a table's data rows, `name` the header of one of its columns (証明書の選択's row)
        header = root.get_by_role("columnheader", name=name, exact=True)
        return root.get_by_role("row").filter(has=page.get_by_role("cell")).filter(has_not=header)
    return root.get_by_role(target.role, name=name, exact=True)


def resolve(step: Step, page: Page, wording: Wording | None = None) -> list[Locator]:
    """The Locators of everything `step` acts on, on `page` (e.g. to outline them in the step's screenshot)."""
    wording = wording or Wording.load()
    return [locate(t, page, wording) for t in step.acts_on]
