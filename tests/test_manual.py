"""Documentation mode without the service: the catalog, the manual's data, rendering, the PDF plan and the drift check.

The screenshots here are synthetic (Pillow); e2e/test_walkthrough.py runs the real walk, shots and PDF.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw

from certs.pki import DevPKI
from manual import build, document, drift, render
from manual.report import FAILED, PASSED, Report
from spec import Wording

SECTION_SIZES = {("I", 1): 2, ("I", 2): 5, ("I", 3): 8, ("I", 4): 8, ("II", 1): 8, ("II", 2): 6}
EXPECTED_IDS = [f"{part}-{section}.{n}" for (part, section), size in SECTION_SIZES.items() for n in range(1, size + 1)]
APPENDIX_IDS = ["A-1", "A-2", "A-3", "A-4"]  # the 付録 (spec/appendix.toml)
# every shot, in the manual's order: I-4.6's three clicks are shot on their three screens
SHOT_IDS = [shot for step in EXPECTED_IDS for shot in ([step, "I-4.6-2", "I-4.6-3"] if step == "I-4.6" else [step])]
SHOT_IDS += APPENDIX_IDS


@pytest.fixture(scope="module")
def manual():
    return document.load()


def fake_shot(path, step_id, size=(320, 200), colour=(255, 255, 255)):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).text((40, 40), step_id, fill=(0, 0, 0))
    image.save(path)
    return path


def fake_set(root, ids=tuple(SHOT_IDS)):
    for step_id in ids:
        fake_shot(root / render.STEPS_DIR / f"{step_id}.png", step_id)
    return root


# -- the catalog -----------------------------------------------------------------------------------------------------

def test_catalog_covers_exactly_the_37_steps_in_manual_order(manual):
    assert len(EXPECTED_IDS) == 37
    assert [s.id for s in manual.steps] == EXPECTED_IDS
    for step in manual.steps:
        assert step.id == f"{step.part}-{step.section}.{step.number}"
        assert step.instruction.endswith(("。", "す")), step.id


def test_catalog_wording_keys_resolve(manual):
    wording = Wording.load()
    for step in manual.shots:
        assert step.acts_on, step.id
        keys = [step.screen] + [k for target in step.acts_on for k in (target.name, target.within) if k]
        for key in keys:
            assert isinstance(wording[key], str), (step.id, key)


def test_document_quotes_the_legend_and_anchors_exist(manual):
    assert [pin["letter"] for pin in manual.doc["legend"]["pin"]] == list("ABCイロハニホヘトチ")
    step_ids = {s.id for s in manual.steps}
    sections = {(s.part, s.section) for s in manual.steps}
    assert {step for n in manual.doc["step_note"] for step in document.noted_steps(n)} <= step_ids
    assert {tuple(i["section"]) for i in manual.doc["intro"]} <= sections
    assert {tuple(n["after_section"]) for n in manual.doc["note"]} <= sections
    card = manual.doc["materials"]["card"]
    assert card["contract_number"] == "12345678901"
    assert dict(zip(card["grid_cells"], card["grid_values"])) == {
        "ア": "11", "イ": "22", "ウ": "33", "エ": "44", "オ": "55", "カ": "66", "キ": "77", "ク": "88"}


@pytest.mark.parametrize("step_id", ["I-3.8", "II-1.8"])
def test_the_import_is_in_the_manual_for_both_sides(manual, step_id):
    """A customer following the paper alone takes the certificate in at .8 (the download, the password shown once),
    or has none at the logon; the shot outlines the download link."""
    step = next(s for s in manual.steps if s.id == step_id)
    assert "「電子証明書をダウンロード」をクリック" in step.instruction and "インポート用パスワード" in step.instruction
    assert [(t.role, t.name) for t in step.acts_on] == [("link", "enrollment.download_link")]
    [note] = manual.step_notes[step_id]
    assert "取り込み" in note["heading"] and any("一度だけ" in line for line in note["lines"])


def printed_letters(text: str) -> set[str]:
    """The legend letters a printed line names: ・Aは…, ※ハも…, イとロについて, イ・ロ."""
    return set(re.findall(r"(?:^|[・※「（\s])([A-Zイロハニホヘトチ])(?=[はもとを・、）」]|について)", text))


def test_every_letter_the_manual_prints_is_defined_in_its_legend(manual):
    """A note or step naming a field by letter names one the legend defines (ハ at I-2.3 was not; II-1.3 named
    fields A–D of its own, B and C clashing with the legend's)."""
    defined = {pin["letter"] for pin in manual.doc["legend"]["pin"]}
    lines = [step.instruction for step in manual.steps]
    for block in (*manual.doc["step_note"], *manual.doc["intro"], *manual.doc["note"]):
        lines += [block.get("heading", ""), *block["lines"]]
    named = {letter: line for line in lines for letter in printed_letters(line)}
    assert {"ハ", "ニ", "ホ", "ヘ", "イ", "ロ", "A"} <= set(named)  # the notes that name letters are read
    assert set(named) <= defined, {letter: named[letter] for letter in set(named) - defined}
    ii_1_3 = next(n for n in manual.doc["step_note"] if n["step"] == "II-1.3")
    assert [sorted(printed_letters(line)) for line in ii_1_3["lines"]] == [["A"], ["ニ"], ["ホ"], ["ヘ"]]


def test_a_note_naming_fields_by_letter_has_the_letters_on_its_shot(manual):
    """Where a note under a step names a field by letter (・Aは…, ※ハも…), the step's shot prints that letter
    beside the field (spec/steps.toml letters): II-1.3's A ニ ホ ヘ, I-2.3's イ ロ ハ."""
    for step in manual.steps:
        named = {letter for note in manual.step_notes[step.id] for line in note["lines"]
                 for letter in printed_letters(line)}
        marked = dict(step.letters)
        assert named <= set(marked), (step.id, named - set(marked))
        assert all(isinstance(Wording.load()[key], str) for key in marked.values()), step.id
    assert {step.id for step in manual.steps if step.letters} == {"I-2.3", "II-1.3"}


# -- the rendered manual ---------------------------------------------------------------------------------------------

def test_html_has_every_step_in_order_with_its_image(manual, tmp_path):
    html = render.render_html(manual, fake_set(tmp_path) / "manual.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="step" id="([^"]+)".*?<img src="([^"]+)"', html, re.S)
    assert [step_id for step_id, _ in figures] == SHOT_IDS
    assert all(src == f"steps/{step_id}.png" for step_id, src in figures)
    for text in ("I. 管理者編", "II. 利用者編", "付録　電子証明書の更新・再発行、当金庫の手続きとID・パスワード方式", "よくあるご質問 No.15", "使用する暗証番号について", "暗証番号の管理について", "※イとロについて",
                 "【ご注意ください！】", "80 日間", "目黒信用金庫", "総合企画部・総合企画課", "Tel 03(3719)0116"):
        assert text in html, text


def test_bank_name_and_contact_are_configurable(tmp_path):
    branded = document.load(document.Branding(bank_name="テスト信用金庫", homepage="https://www.test-shinkin.example/",
                                              departments=("事務部",), phone="0120-000-000"))
    html = render.render_html(branded, fake_set(tmp_path) / "manual.html").read_text(encoding="utf-8")
    assert "テスト信用金庫のホームページ（https://www.test-shinkin.example/）から" in html
    assert "Tel 0120-000-000" in html and "事務部" in html
    assert "目黒信用金庫" not in html and "総合企画部" not in html and "shinkin.co.jp" not in html


def test_the_manual_names_no_browser_of_the_past(manual, tmp_path):
    """Shots of a current browser under text that names インターネットエクスプローラ would send customers astray."""
    html = render.render_html(manual, fake_set(tmp_path) / "manual.html").read_text(encoding="utf-8")
    assert "インターネットエクスプローラ" not in html and "ブラウザで開いている画面をすべて閉じて" in html
    assert "目黒信用金庫のホームページ（http://www.shinkin.co.jp/megoro/）から" in html


# -- drift -----------------------------------------------------------------------------------------------------------

def test_drift_check_passes_on_identical_sets(tmp_path):
    old, new = fake_set(tmp_path / "old"), fake_set(tmp_path / "new")
    result = drift.compare(new / "steps", old / "steps", tmp_path / "diff")
    assert not result.drifted and result.unchanged == sorted(SHOT_IDS)
    assert not (tmp_path / "diff").exists()


def test_same_pixels_in_other_bytes_is_no_drift(tmp_path):
    old, new = fake_set(tmp_path / "old", ["I-1.1"]), fake_set(tmp_path / "new", ["I-1.1"])
    with Image.open(new / "steps/I-1.1.png") as image:
        image.save(new / "steps/I-1.1.png", compress_level=0)
    assert (old / "steps/I-1.1.png").read_bytes() != (new / "steps/I-1.1.png").read_bytes()
    assert not drift.compare(new / "steps", old / "steps", tmp_path / "diff").drifted


def test_drift_check_fails_on_one_changed_pixel_and_rewrites_only_that_file(tmp_path):
    old, new = fake_set(tmp_path / "old"), fake_set(tmp_path / "new")
    for root in (old, new):
        (root / "manual.html").write_text("<html></html>")
        (root / "manual.pdf").write_bytes(b"%PDF " + root.name.encode())
    changed = new / "steps/I-2.3.png"
    with Image.open(changed) as image:
        image.putpixel((200, 150), (0, 0, 255))
        image.save(changed)
    before = {p.name: p.stat().st_mtime_ns for p in (old / "steps").iterdir()}

    result = drift.sync(new, old, "steps", "manual.html", "manual.pdf")

    assert result.changed == ["I-2.3"] and not result.added and not result.removed and result.drifted
    with Image.open(old / "diff/I-2.3.png") as diff:
        assert diff.getpixel((200, 150))[:3] == (255, 0, 0)
        assert diff.getpixel((10, 10))[:3] != (255, 0, 0)
    assert (old / "steps/I-2.3.png").read_bytes() == changed.read_bytes()
    after = {p.name: p.stat().st_mtime_ns for p in (old / "steps").iterdir()}
    assert [name for name in before if before[name] != after[name]] == ["I-2.3.png"]
    assert (old / "manual.pdf").read_bytes() == b"%PDF new"  # the manual shows the new shot

    again = drift.sync(new, old, "steps", "manual.html", "manual.pdf")
    assert not again.drifted and not (old / "diff").exists()


def test_drift_check_reports_added_removed_and_resized(tmp_path):
    old = fake_set(tmp_path / "old", ["I-1.1", "I-1.2"])
    new = fake_set(tmp_path / "new", ["I-1.1", "I-2.1"])
    fake_shot(new / "steps/I-1.1.png", "I-1.1", size=(320, 240))
    result = drift.compare(new / "steps", old / "steps", tmp_path / "diff")
    assert (result.changed, result.added, result.removed) == (["I-1.1"], ["I-2.1"], ["I-1.2"])
    with Image.open(tmp_path / "diff/I-1.1.png") as diff:
        assert diff.size == (320, 240) and diff.getpixel((160, 220))[:3] == (255, 0, 0)


def test_missing_previous_set_is_all_new(tmp_path):
    new = fake_set(tmp_path / "new", EXPECTED_IDS[:3])
    result = drift.compare(new / "steps", tmp_path / "nothing" / "steps", tmp_path / "diff")
    assert result.added == EXPECTED_IDS[:3] and result.drifted


# -- report ----------------------------------------------------------------------------------------------------------

def test_report_names_the_failed_step(manual, tmp_path):
    """For people: what was built from what, the failed step first with its manual page, its error in the manual's
    words and what the screen showed when it failed; every step with its page."""
    report = Report.for_steps(manual.steps, pages=build.step_pages(manual))
    report.about = build.about(manual, None, None)
    report["I-1.1"].status, report["I-1.1"].screenshot = PASSED, "steps/I-1.1.png"
    report["I-1.2"].status, report["I-1.2"].error = FAILED, "expected the screen 「サービストップ」"
    report["I-1.2"].failed_screenshot = "steps/I-1.2.failed.png"
    report.write(tmp_path)
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert not data["ok"] and data["steps"][1] == {
        "id": "I-1.2", "instruction": manual.steps[1].instruction, "status": FAILED, "screenshot": None,
        "error": "expected the screen 「サービストップ」", "page": 3, "failed_screenshot": "steps/I-1.2.failed.png"}
    assert set(data["about"]) == {"作成日時", "コミット", "金融機関", "対象サーバー", "文言ファイル"}
    assert data["about"]["金融機関"] == "目黒信用金庫" and re.fullmatch(r"[0-9a-f]{7,}", data["about"]["コミット"])
    assert "I-1.2 failed" in report.summary() and "not run: I-2.1" in report.summary()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "FAILED" in html and html.index("失敗した手順") < html.index('<tr id="I-1.1">')
    assert "I-1.2（マニュアル 3 ページ）" in html and 'src="steps/I-1.2.failed.png"' in html


# -- the check command -----------------------------------------------------------------------------------------------

@pytest.fixture
def fake_build(monkeypatch, manual):
    """`python -m manual check` with the walk replaced by a synthetic set; `state` says what the next build shows."""
    state = {"changed": None, "fail": False}

    def fake(out_dir, **options):
        fake_set(out_dir)
        if state["changed"]:
            fake_shot(out_dir / "steps" / f"{state['changed']}.png", state["changed"], colour=(250, 250, 250))
        (out_dir / "manual.html").write_text("<html></html>")
        (out_dir / "manual.pdf").write_bytes(b"%PDF")
        report = Report.for_steps(manual.steps)
        for result in report.results:
            result.status, result.screenshot = PASSED, f"steps/{result.id}.png"
        if state["fail"]:
            report["II-2.5"].status, report["II-2.5"].error = FAILED, "expected the screen 利用者ステータス"
        return report

    monkeypatch.setattr(build, "build", fake)
    return state


def test_check_command_exit_status(fake_build, tmp_path, capsys):
    from manual.__main__ import main

    against = tmp_path / "docs"
    assert main(["check", "--against", str(against)]) == 1  # no previous set: everything new
    assert "added" in capsys.readouterr().out and len(list((against / "steps").glob("*.png"))) == len(SHOT_IDS)
    assert main(["check", "--against", str(against)]) == 0
    assert "no drift" in capsys.readouterr().out

    fake_build["changed"] = "I-3.5"
    assert main(["check", "--against", str(against)]) == 1
    out = capsys.readouterr().out
    assert "drift: changed: I-3.5" in out and (against / "diff/I-3.5.png").exists()
    assert "pages need review: 13 of manual.pdf" in out  # the front page, then a step a page: I-3.5 is the 12th
    assert json.loads((against / "report.json").read_text(encoding="utf-8"))["drift"]["changed"] == ["I-3.5"]
    assert main(["check", "--against", str(against)]) == 0  # the changed shot was taken over

    fake_build["fail"] = True
    kept = {p: p.read_bytes() for p in against.rglob("*") if p.is_file()}
    assert main(["check", "--against", str(against)]) == 3
    assert "II-2.5 failed" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in against.rglob("*") if p.is_file()} == kept  # the kept set, as it was
    assert not json.loads((tmp_path / "docs.failed" / "report.json").read_text(encoding="utf-8"))["ok"]


def test_build_command_reports_a_server_it_cannot_reach(tmp_path):
    """`python -m manual build` (the main job) as its own process: browser launched, the server given tried, and a
    failure is the report's, with exit status 3 — not a traceback. Its real walk is e2e/test_walkthrough.py's."""
    with socket.socket() as unused:  # a port nobody listens on once this closes
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    good = tmp_path / "manual"  # the manual a bank already has: a failed build leaves it byte for byte
    (good / "steps").mkdir(parents=True)
    before = {"manual.pdf": b"%PDF-1.7 good copy", "report.json": b"{}", "steps/I-1.1.png": b"\x89PNG good"}
    for name, data in before.items():
        (good / name).write_bytes(data)
    run = subprocess.run([sys.executable, "-m", "manual", "build", "--out", str(good), "--base-url",
                          f"https://127.0.0.1:{port}", "--operator-token", "t",
                          "--ca-cert", str(DevPKI.default().ensure().root_ca_pem)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stdout + run.stderr
    assert {p.relative_to(good).as_posix(): p.read_bytes() for p in good.rglob("*") if p.is_file()} == before
    report = json.loads((tmp_path / "manual.failed" / "report.json").read_text(encoding="utf-8"))
    assert not report["ok"] and report["error"] and "Traceback" not in run.stderr
    assert {s["status"] for s in report["steps"]} == {"not run"}
    assert "manual.failed/report.html" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manual", "manual.failed"]  # no building folder left
