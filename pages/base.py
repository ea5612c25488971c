"""The shared shape of a screen and of an in-page prompt (dialog).

A screen is identified by its <h1> (wording "…heading" key); constructing its object waits until that heading is
shown and checks the screen with axe-core once. Elements are found by role and accessible name only, with names from
the wording (spec/wording.toml, overridable), never by CSS ids or XPath.

Two servers that follow the manual build their screens differently, so what the manual does not fix is matched by
what any such markup has in common: an action is a link or a button (`action`); a part of a screen is a named region
or group, or else the box that holds its heading (`part`); a value shown for a label is a description list's
definition or a table's cell under a column header or beside a row header (`fact`); a screen's <h1> may be one of two
(a logo may be another).

This module stands below every page object and imports none of them: a screen knows its PC only as the `PC` protocol
below (pages.workstation.Workstation is the one implementation).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping, Protocol, TypeVar

from playwright.sync_api import Locator, Page, TimeoutError as PlaywrightTimeoutError, expect

from spec import Wording

S = TypeVar("S", bound="Screen")


class ScreenMismatch(AssertionError):
    pass


class PC(Protocol):
    """What a screen needs of the PC it is shown on."""

    page: Page
    wording: Wording

    def arrived(self, state: str) -> None: ...

    def describe(self) -> str: ...


def screen_heading(page: Page, name: str) -> Locator:
    """The <h1> named `name`: the first, where a logo or banner is an <h1> of the same name too."""
    return page.get_by_role("heading", level=1, name=name, exact=True).first


def any_of(locators: Iterable[Locator]) -> Locator:
    """One Locator matching whatever any of `locators` matches."""
    locators = iter(locators)
    union = next(locators)
    for locator in locators:
        union = union.or_(locator)
    return union


def action(root: Locator | Page, name: str) -> Locator:
    """What the user clicks to do `name`: a link or a button, whichever the screen makes it."""
    return any_of(root.get_by_role(role, name=name, exact=True) for role in ("button", "link"))


def address_of(action: Locator) -> str:
    """Where an action leads: a link's address, or the address a button's form (method GET) goes to."""
    return action.evaluate("element => element.href || element.form.action")


PART_ROLES = ("region", "group", "dialog", "table")


def part(root: Locator | Page, name: str, holding: Locator | None = None) -> Locator:
    """The part of a screen named `name` (that holds `holding`, a page-relative Locator): a region, group, dialog or
    table of that name, or
    else the innermost element holding both a heading of that name and `holding` — a box (a <div>) with a heading
    has no role of its own, yet it is where a reader sees the part."""
    page = root if isinstance(root, Page) else root.page
    # a filter's `has` is looked up inside each candidate, so it is made page-relative (as `holding` must be)
    heading = page.get_by_role("heading", name=name, exact=True)
    boxes = root.locator("*").filter(has=heading)  # any element: the box is known by what it holds alone
    if holding is not None:
        boxes = boxes.filter(has=holding)
    named = any_of(root.get_by_role(role, name=name, exact=True) for role in PART_ROLES)
    return named.or_(boxes.last).first


def expect_screen(pc: PC, *screens: type[S], **state) -> S:
    """Wait until one of `screens` is shown on `pc` (by its <h1>) and return its page object."""
    if not screens:
        raise ValueError("expect_screen needs at least one screen class")
    if len(screens) == 1:  # the screen object waits for its own heading
        return screens[0](pc, **state)
    names = [cls.heading_name(pc.wording) for cls in screens]
    shown = any_of(screen_heading(pc.page, n) for n in names).first
    try:
        expect(shown).to_be_visible()
        name = shown.inner_text().strip()  # which of them: one round trip, not one per screen
    except AssertionError:
        raise ScreenMismatch(f"expected screen {' or '.join(map(repr, names))}; {pc.describe()}") from None
    for cls, screen_name in zip(screens, names):
        if screen_name == name:
            return cls(pc, shown=True, **state)
    raise ScreenMismatch(f"expected screen {' or '.join(map(repr, names))}; {pc.describe()}")


class _Element:
    """Role/name lookups shared by screens and dialogs, relative to `self.root`."""

    pc: PC
    root: Locator | Page

    @property
    def page(self) -> Page:
        return self.pc.page

    @property
    def wording(self):
        return self.pc.wording

    def w(self, key: str) -> str:
        return self.wording[key]

    def field(self, key: str, **values) -> Locator:
        """The input labelled by wording `key`, formatted with `values` (exact name; password inputs have no role,
        hence by label)."""
        return self.root.get_by_label(self.wording.format(key, **values), exact=True)

    def action(self, key: str, **values) -> Locator:
        """The link or button named by wording `key` (formatted with `values`)."""
        return action(self.root, self.wording.format(key, **values))

    def clicking(self, key: str, **values) -> Callable[[], None]:
        """The click on the action of wording `key`: where the screen has no such link or button, it fails saying
        which it expected (the manual's words and their key) and which actions the screen has instead."""
        name = self.wording.format(key, **values)
        target = action(self.root, name)

        def click() -> None:
            try:
                target.click()
            except PlaywrightTimeoutError:
                found = [f"「{text.strip()}」" for role in ("button", "link")
                         for text in self.root.get_by_role(role).all_inner_texts() if text.strip()]
                raise ScreenMismatch(f"expected a link or button 「{name}」 (wording {key}); the actions there: "
                                     f"{'、'.join(found) or 'none'}; {self.pc.describe()}") from None

        return click

    def part(self, key: str, holding: Locator | None = None) -> Locator:
        """The part of the screen named by wording `key` (see `part`)."""
        return part(self.root, self.w(key), holding)

    def fact(self, key: str) -> Locator:
        """The value shown for the label of wording `key`: the definition of that term in a description list, the
        cell beside that row header, or the cell under that column header in the first row of cells."""
        label = self.w(key)
        expect(any_of(self.root.get_by_role(role) for role in ("term", "rowheader", "columnheader")).first) \
            .to_be_visible()
        terms = [t.strip() for t in self.root.get_by_role("term").all_inner_texts()]
        if label in terms:
            return self.root.get_by_role("definition").nth(terms.index(label))
        # (a filter's `has` is looked up inside each candidate: hence page-relative locators there)
        row = self.root.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=label, exact=True))
        if row.count():
            return row.get_by_role("cell")
        headers = [t.strip() for t in self.root.get_by_role("columnheader").all_inner_texts()]
        if label in headers:
            data = self.root.get_by_role("row").filter(has=self.page.get_by_role("cell")).first
            return data.get_by_role("cell").nth(headers.index(label))
        raise AssertionError(f"no {label!r} is shown; the screen says: {self.root.inner_text()!r}")

    def message(self, key: str, **known) -> re.Pattern:
        """The message of wording `key` as a pattern (spec.Wording.pattern), for expect_alert / expect_field_error."""
        return self.wording.pattern(key, **known)

    def again(self, key: str) -> Locator:
        """The field asking for the value of field `key` typed again (確認のため再入力: a new PIN)."""
        return self.root.get_by_label(self.wording.format("common.reentry", label=self.w(key)), exact=True)

    def fill(self, values: Mapping[str, str]) -> None:
        """Fill fields, {wording key: value}; the keys name the fields' labels. Where the screen asks for a value
        typed again (a new PIN), that field gets the same value: a server may ask, the manual does not."""
        for key, value in values.items():
            self.field(key).fill(value)
        if values and any_of(self.again(key) for key in values).count():  # most forms ask for nothing again
            for key, value in values.items():
                again = self.again(key)
                if again.count():
                    again.fill(value)


class Screen(_Element):
    HEADING: str = ""  # wording key of the screen's <h1>

    def __init__(self, pc: PC, *, shown: bool = False, **state):
        """`shown`: the caller has just seen this screen's heading (expect_screen), so it is not waited for again."""
        self.pc = pc
        self.root = pc.page
        self.state = state  # e.g. role="admin" / "user", carried along a flow shared by both
        if shown:
            self.pc.arrived(self.name)
        else:
            self.wait_until_shown()

    # -- identity ---------------------------------------------------------------------------------------------------
    @classmethod
    def heading_name(cls, wording) -> str:
        return wording[cls.HEADING]

    @property
    def name(self) -> str:
        return self.heading_name(self.wording)

    def heading(self) -> Locator:
        return screen_heading(self.page, self.name)

    def wait_until_shown(self) -> None:
        try:
            expect(self.heading()).to_be_visible()
        except AssertionError:
            raise ScreenMismatch(f"expected screen {self.name!r} ({type(self).__name__}); {self.pc.describe()}") from None
        self.pc.arrived(self.name)

    @property
    def role(self) -> str | None:
        return self.state.get("role")

    # -- messages -----------------------------------------------------------------------------------------------------
    def alert(self) -> Locator:
        """The form-wide message (role=alert)."""
        return self.page.get_by_role("alert")

    def expect_alert(self, text: str | re.Pattern | None = None) -> None:
        alert = self.alert()
        expect(alert.first).to_be_visible()
        if text is not None:
            expect(alert.first).to_contain_text(text)
        self.pc.arrived(f"{self.name} +alert")

    def expect_no_alert(self) -> None:
        expect(self.alert()).to_have_count(0)

    def status(self, name: str | None = None) -> Locator:
        """A notice (role=status), optionally the one named `name`."""
        if name is None:
            return self.page.get_by_role("status")
        return self.page.get_by_role("status", name=name, exact=True)

    def expect_field_error(self, key: str, text: str | re.Pattern | None = None) -> None:
        """The field labelled `key` carries an error message as its accessible description."""
        pattern = text if text is not None else re.compile(r"\S")
        if isinstance(pattern, str):
            pattern = re.compile(re.escape(pattern))
        expect(self.field(key)).to_have_accessible_description(pattern)
        self.pc.arrived(f"{self.name} +field error")

    def expect_rejected(self, *keys: str, text: str | re.Pattern | None = None) -> None:
        """The screen refused its input: an error on each field in `keys` (or, with no keys, an alert)."""
        if not keys:
            self.expect_alert(text)
        for key in keys:
            self.expect_field_error(key, text)

    # -- moving on ----------------------------------------------------------------------------------------------------
    def _leave(self, action) -> None:
        """Do `action` (a click that loads a new document) and wait until the browser has committed the new document.

        Needed where the next screen may have this screen's heading (a form shown again with its messages): the
        heading alone cannot tell the new document from the old one. The browser's own navigation event tells, at no
        cost in the page."""
        with self.page.expect_navigation(wait_until="commit"):
            action()

    def _next(self, action, *screens: type[S], **state) -> S:
        """Do `action`, which loads a new document, and return the screen among `screens` that is shown then.

        A click waits for the navigation it starts to commit; when no screen of `screens` has this screen's heading,
        waiting for the next screen's heading is then enough to know the new document is shown."""
        if self.name in (cls.heading_name(self.wording) for cls in screens):
            self._leave(action)
        else:
            action()
        return expect_screen(self.pc, *screens, **{**self.state, **state})

    def _again(self: S, action) -> S:
        """Do `action` that shows this same screen again (e.g. a rejected form) and return the new screen object."""
        self._leave(action)
        return type(self)(self.pc, **self.state)


class Dialog(_Element):
    """An in-page prompt of the manual (role=dialog named by wording `NAME`), shown over `host`."""

    NAME: str = ""

    def __init__(self, host: Screen):
        self.host = host
        self.pc = host.pc
        self.root = self.page.get_by_role("dialog", name=self.w(self.NAME), exact=True)
        try:
            expect(self.root).to_be_visible()
        except AssertionError:
            raise ScreenMismatch(f"expected dialog {self.w(self.NAME)!r} over screen {host.name!r}; "
                                 f"{self.pc.describe()}") from None
        self.pc.arrived(f"{host.name} / {self.w(self.NAME)}")

    @property
    def state(self) -> dict:
        return self.host.state

    def expect_closed(self) -> None:
        expect(self.root).to_be_hidden()
