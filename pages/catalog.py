"""The Locators of what each of the manual's steps acts on (the steps themselves are spec/steps.toml, see spec)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from spec import Step, Target, Wording


def _container(page: Page, wording: Wording, key: str) -> Locator:
    """The dialog (a prompt) or region (電子証明書方式) named by wording `key`."""
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
    if target.role == "row":  # a table's data rows, `name` the header of one of its columns (証明書の選択's row)
        header = root.get_by_role("columnheader", name=name, exact=True)
        return root.get_by_role("row").filter(has=page.get_by_role("cell")).filter(has_not=header)
    return root.get_by_role(target.role, name=name, exact=True)


def resolve(step: Step, page: Page, wording: Wording | None = None) -> list[Locator]:
    """The Locators of everything `step` acts on, on `page` (e.g. to outline them in the step's screenshot)."""
    wording = wording or Wording.load()
    return [locate(t, page, wording) for t in step.acts_on]
