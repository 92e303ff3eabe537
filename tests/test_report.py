"""Tests of the class report: grader._render.class_report, its plots, and ``mlday report``."""

from __future__ import annotations

import base64
import html
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from grader import _results
from grader._outcomes import Status
from grader._store import write_result
from grader.catalogue import load_mistakes
from grader.cli import _status, main

ROOT = Path(__file__).resolve().parents[1]
EX = "01_morning_review"
XSS = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def workbook_root(monkeypatch):
    # The catalogue of mistakes is read from the workbook: this repository's.
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    monkeypatch.delenv("MLDAY_DEBUG", raising=False)


@pytest.fixture(scope="module")
def mistake():
    """The first catalogued mistake of exercise 01, read from the real catalogue."""
    return load_mistakes(ROOT / "solutions" / "mistakes" / f"{EX}.py")[0]


def result(learner, *tests):
    return _results.ExerciseResult(learner, EX, f"{learner}.ipynb", tests=tuple(
        _results.TestResult(f"exercises/tests/test_{EX}.py::{name}", question, name, False, status,
                            1.0 if status is Status.PASSED else 0.0, 1.0, message)
        for question, name, status, message in tests
    ))


def write_class(out: Path, mistake) -> Path:
    """A grading folder of four learners: one passes, two show the catalogued mistake
    (one of them with a message that holds HTML), one has not attempted anything."""
    shown = f"{mistake.name}(example): {mistake.message} differs"
    q, name = mistake.name, mistake.test
    for r in (
        result("ada", (q, name, Status.PASSED, ""), ("other", "test_other", Status.PASSED, "")),
        result("ben", (q, name, Status.FAILED, shown), ("other", "test_other", Status.ERROR, f"other raised ValueError: {XSS}")),
        result("cleo", (q, name, Status.FAILED, shown + "\nHint: count the alerts"), ("other", "test_other", Status.PASSED, "")),
        result("dan", (q, name, Status.NOT_ATTEMPTED, "still the stub"), ("other", "test_other", Status.NOT_ATTEMPTED, "still the stub")),
    ):
        write_result(out, r)
    return out


@pytest.fixture
def grading(tmp_path, mistake) -> Path:
    return write_class(tmp_path / "grades", mistake)


@pytest.fixture(scope="module")
def report(tmp_path_factory, mistake) -> Path:
    """The report of the class, written once by ``mlday report`` for the tests that read it."""
    folder = write_class(tmp_path_factory.mktemp("report") / "grades", mistake)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLDAY_ROOT", str(ROOT))
        assert main(["report", str(folder)]) == _status.SUCCESS
    return folder / "report.html"


def run(capsys, *argv):
    code = main(["report", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


class _Rows(HTMLParser):
    """The text of each table row's cells."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


@pytest.fixture(scope="module")
def page(report) -> str:
    return report.read_text()


# -- the command --------------------------------------------------------------------


def test_report_writes_dir_report_html_and_names_it(capsys, grading):
    code, out, err = run(capsys, grading)
    assert code == _status.SUCCESS and err == ""
    target = grading / "report.html"
    assert target.is_file()
    assert out == f"wrote {target}: 4 learner(s), 1 exercise(s)\n"


def test_report_out_writes_where_asked_and_leaves_no_temporary_file(capsys, grading, tmp_path):
    target = tmp_path / "elsewhere" / "class.html"
    code, out, _ = run(capsys, grading, "--out", target)
    assert code == _status.SUCCESS
    assert target.read_text().startswith("<!doctype html>")
    assert not (grading / "report.html").exists()
    assert [p.name for p in target.parent.iterdir()] == ["class.html"]
    assert str(target) in out


def test_report_is_listed_in_the_command_table(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == _status.SUCCESS and "--out FILE" in out and "DIR" in out


def _garbage(tmp_path: Path) -> Path:
    (tmp_path / "g" / "ada" / EX).mkdir(parents=True)
    (tmp_path / "g" / "ada" / EX / "results.json").write_text("{not json")
    return tmp_path / "g"


@pytest.mark.parametrize("make, extra, expected", [
    (lambda tmp: tmp / "missing", [], r"DIR must be a grading folder; '.*missing' is not a folder"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", [], r"DIR '.*empty' is not a grading folder: it holds no <learner>/<exercise>/results\.json"),
    (_garbage, [], r"DIR '.*g' is not a grading folder: none of its 1 results\.json files can be read"),
])
def test_a_folder_without_results_is_a_one_line_error(capsys, tmp_path, make, extra, expected):
    folder = make(tmp_path)
    code, out, err = run(capsys, folder, *extra)
    assert code == _status.BAD_INPUT
    assert re.fullmatch(rf"mlday report: error: {expected}\n", err), err
    assert "Traceback" not in err + out
    assert not (folder / "report.html").exists()


def test_out_that_is_a_folder_is_a_one_line_error(capsys, grading, tmp_path):
    code, _, err = run(capsys, grading, "--out", tmp_path)
    assert code == _status.BAD_INPUT
    assert err == f"mlday report: error: --out must be a file; {str(tmp_path)!r} is a folder\n"


def test_top_must_be_positive(capsys, grading):
    code, _, err = run(capsys, grading, "--top", "0")
    assert code == _status.BAD_INPUT
    assert err == "mlday report: error: --top must be a positive integer; got 0\n"
    assert not (grading / "report.html").exists()


# -- the page -----------------------------------------------------------------------


def test_page_is_self_contained(page):
    lowered = page.lower()
    for banned in ('src="http', "src='http", "<link", "<script", "url(", "@import"):
        assert banned not in lowered
    # Every src and href is an embedded PNG, and each one decodes to a PNG.
    refs = re.findall(r"""\b(?:src|href)\s*=\s*['"]([^'"]*)['"]""", page)
    assert len(refs) == 3  # score distribution, pass rates, mistakes
    for ref in refs:
        assert ref.startswith("data:image/png;base64,")
        data = base64.b64decode(ref.split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # raises on a truncated or corrupt PNG
            assert min(image.size) > 100


def test_learner_text_is_escaped(page):
    assert html.escape(XSS) in page
    assert XSS not in page


def test_page_shows_pass_rates_and_status_counts(page, mistake):
    # The pass-rate table's rows: exercise, question, learners, passed, pass rate, statuses...
    rows = {tuple(r[:2]): r for r in table_rows(page) if len(r) > 5 and r[0] == EX and r[4].endswith("%")}
    # mistake's question: ada passed; ben and cleo failed; dan did not attempt.
    assert rows[EX, mistake.name][2:5] == ["4", "1", "25%"]
    # "other": ada and cleo passed; ben's raised; dan did not attempt.
    assert rows[EX, "other"][2:5] == ["4", "2", "50%"]


def test_page_counts_the_failure_messages_per_learner(page, mistake):
    rows = table_rows(page)
    # ben and cleo saw the same first line; cleo's hint is not part of it.
    assert ["2", "failed", f"{mistake.name}(example): {mistake.message} differs"] in rows
    assert ["1", "error", f"other raised ValueError: {XSS}"] in rows


def test_page_counts_the_catalogued_mistake(page, mistake):
    assert [EX, mistake.name, mistake.title, mistake.test, "2"] in table_rows(page)


def test_page_never_shows_hidden_test_source_or_catalogued_code(page):
    hidden = (ROOT / "solutions" / "tests" / f"test_{EX}_hidden.py").read_text()
    catalogue = "\n".join(m.code for m in load_mistakes(ROOT / "solutions" / "mistakes" / f"{EX}.py"))
    text = html.unescape(page)
    for source in (hidden, catalogue):
        lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 25}
        assert lines and not any(line in text for line in lines)


def test_score_table_matches_the_results(page):
    total = next(r for r in table_rows(page) if r and r[0] == "total")
    # ada 2, ben 0, cleo 1, dan 0 out of 2.
    assert total[1:7] == ["4", "2", "0.75", "0.5", "0", "2"]


# -- in a browser -------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian's chromium) is not installed")

# Injected into a copy of a page: reports each image that did not load, then that it ran.
PROBE = (
    "<script>window.addEventListener('load',()=>{for(const img of document.images){"
    "if(!img.complete||img.naturalWidth===0)console.error('mlday-probe: broken image '+img.alt)}"
    "console.log('mlday-probe: done '+document.images.length)})</script>"
)


def open_in_chromium(page: Path, scratch: Path) -> tuple[Path, list[str]]:
    """Screenshot ``page`` in headless Chromium; return the PNG and the console messages."""
    scratch.mkdir(parents=True, exist_ok=True)
    shot = scratch / "shot.png"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing the page or the browser asks for leaves the machine
        f"--user-data-dir={scratch / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2400",
        "--enable-logging=stderr", "--v=0", page.as_uri(),
    ]
    try:
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60, cwd=scratch)
    except subprocess.TimeoutExpired:
        # A page that opens a dialog (alert) never finishes loading in headless mode.
        pytest.fail(f"headless Chromium did not finish with {page.name} (a dialog or a hang)")
    # Chromium logs every console message of the page as "...:CONSOLE:<line>] "<text>", source: ...".
    console = [line for line in done.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    return shot, console


def with_probe(page: Path, to: Path) -> Path:
    to.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    return to


@needs_chromium
def test_the_browser_check_catches_console_errors_and_broken_images(tmp_path):
    canary = tmp_path / "canary.html"
    canary.write_text("<!doctype html><html><body><p>canary</p><img alt='gone' src='missing.png'>"
                      "<img alt='corrupt' src='data:image/png;base64,iVBORw0KGgoAAAA='>"
                      "<script>console.error('deliberate canary error')</script></body></html>")
    _, console = open_in_chromium(with_probe(canary, tmp_path / "probed.html"), tmp_path / "chromium")
    assert any("deliberate canary error" in line for line in console), console
    assert any("mlday-probe: broken image gone" in line for line in console), console
    assert any("mlday-probe: broken image corrupt" in line for line in console), console


@needs_chromium
def test_the_report_renders_in_headless_chromium(report, tmp_path):
    shot, console = open_in_chromium(report, tmp_path / "plain")
    assert console == []
    with Image.open(shot) as image:
        assert image.format == "PNG"
        assert image.size == (1280, 2400)
        extrema = image.convert("RGB").getextrema()
    assert any(low != high for low, high in extrema), "the screenshot is one colour"
    _, probed = open_in_chromium(with_probe(report, tmp_path / "probed.html"), tmp_path / "probe")
    assert len(probed) == 1 and "mlday-probe: done 3" in probed[0], probed
