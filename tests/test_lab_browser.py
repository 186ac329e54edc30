"""01-quickstart.ipynb and 03's what-if widgets in a real JupyterLab, run from a real browser.

The test starts JupyterLab on loopback (a free port, a random token, ``--no-browser``, the root
folder a temporary copy of notebooks/ with ``../scenarios`` beside it, and its own settings,
workspace and runtime folders, so nothing of the user's is read or changed), opens the notebook
in headless Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright; Playwright's own
browsers are never downloaded), runs *Run → Run All Cells* from the menu, and waits until the
plot (an ``<img>`` output, decoded) and the summary table (a rendered DataFrame ``<table>``)
appear, every code cell has run, and no cell shows an error. The server (and its kernels) are
shut down at the end, whatever happens.

Without /usr/bin/chromium the test skips; install it with
``apt-get update -qq && apt-get install -y -qq chromium``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "01-quickstart.ipynb"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
START_TIMEOUT_S = 90
RUN_TIMEOUT_S = 180

pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason="no /usr/bin/chromium: install Debian's chromium (apt-get update -qq && "
           "apt-get install -y -qq chromium) to run the JupyterLab browser test")

# JupyterLab settings for the test: every cell in the DOM (no windowing, so outputs far down
# the notebook exist to be found), no news or update checks (no network), no toasts.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    process: subprocess.Popen
    log: Path
    root: Path  # the folder JupyterLab serves (a copy of notebooks/)

    def api(self, path: str, method: str = "GET") -> bytes:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def wait_until_up(lab: Lab) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            json.loads(lab.api("/api/status"))
            return
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{lab.log_tail()}")


def shut_down(lab: Lab) -> None:
    """Ask the server to stop (it shuts its kernels down), then make sure it has."""
    if lab.process.poll() is None:
        with contextlib.suppress(OSError, urllib.error.URLError):
            lab.api("/api/shutdown", method="POST")
        try:
            lab.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGTERM)
            try:
                lab.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(lab.process.pid, signal.SIGKILL)
                lab.process.wait(timeout=10)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    root = tmp_path / "work"
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "runs"))
    (root / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    settings = tmp_path / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
    }
    port, token = free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses that by default
        command.append("--allow-root")
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=root / "notebooks", start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, process, log, root / "notebooks")
    try:
        wait_until_up(server)
        yield server
    finally:
        shut_down(server)


@contextlib.contextmanager
def browser_page(lab: Lab, tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium page; on any failure a screenshot and the server log are kept."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright's Python package (dev extra) is missing")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        page = None
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(START_TIMEOUT_S * 1000)
            yield page
        except BaseException:  # pytest.fail included: keep a picture of the page
            if page is not None:
                shot = tmp_path / "jupyterlab.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}\nserver log:\n{lab.log_tail()}")
            raise
        finally:
            browser.close()


def run_all_cells(page: Any, lab: Lab, name: str, cells: list[dict]) -> Any:
    """Open notebook ``name`` (with ``cells``) and run all its cells from the menu, until the
    run is over; fails naming the cell that raised. Returns the notebook panel."""
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
    panel = page.locator(".jp-NotebookPanel")
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    # the whole notebook is loaded (not the placeholder cell shown while it loads)
    page.wait_for_function(
        "(n) => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
        arg=len(cells))
    # the kernel of the notebook's kernelspec (python3) has started and is idle
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle")).first.wait_for()

    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel:text-is('Run All Cells')").click()

    # until the run is over: some prompt shows a number and none shows "*" (queued or
    # running). After an error JupyterLab stops and clears the prompts below it.
    prompts = panel.locator(".jp-CodeCell .jp-InputArea-prompt")
    page.wait_for_function(
        """(n) => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')];
            const text = prompts.map(p => p.textContent);
            return text.length === n && text.some(t => /\\[\\d+\\]/.test(t))
                && !text.some(t => t.includes('*'));
        }""", arg=code_cells, timeout=RUN_TIMEOUT_S * 1000)
    shown = prompts.all_inner_texts()
    ran = [bool(re.search(r"\[\d+\]", t)) for t in shown]
    if not all(ran):
        last = max(i for i, done in enumerate(ran) if done)
        output = panel.locator(".jp-CodeCell").nth(last).locator(".jp-OutputArea")
        pytest.fail(f"code cell {last + 1} of {code_cells} failed, the cells below it did "
                    f"not run:\n{output.inner_text()[-3000:]}")
    return panel


def test_quickstart_runs_in_jupyterlab_in_chromium(lab: Lab, tmp_path: Path) -> None:
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    with browser_page(lab, tmp_path) as page:
        panel = run_all_cells(page, lab, NOTEBOOK, cells)
        plot = panel.locator(".jp-OutputArea-output img").first
        plot.wait_for(state="attached", timeout=10_000)
        table = panel.locator(".jp-OutputArea-output table.dataframe").first
        table.wait_for(state="attached", timeout=10_000)
        plot.scroll_into_view_if_needed()
        size = plot.evaluate("img => img.complete ? [img.naturalWidth, img.naturalHeight]"
                             " : [0, 0]")
        assert size[0] > 300 and size[1] > 200, f"the plot did not decode: {size}"
        assert plot.get_attribute("src").startswith("data:image/png")
        table.scroll_into_view_if_needed()
        assert "dongguan" in table.inner_text() and "households" in table.inner_text()


WHAT_IF = "03-staffing.ipynb"


def test_what_if_slider_changes_the_plot(lab: Lab, tmp_path: Path) -> None:
    """Notebook 03's what-if: after *Run All Cells*, the sliders are live widgets (the widget
    manager of JupyterLab), and moving one (the demand, by the keyboard) redraws the plot:
    the picture in the widget's output changes. The recommendation the sliders start from is
    cut to the first three communities and 21 days for the test (the notebook test runs the
    notebook as it is)."""
    path = lab.root / WHAT_IF
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]).replace(
                '{"horizon.days": 90}',
                '{"horizon.days": 21, "communities": baseline.data["communities"][:3]}')
            cell["source"] = source
    path.write_text(json.dumps(nb), encoding="utf-8")
    with browser_page(lab, tmp_path) as page:
        panel = run_all_cells(page, lab, WHAT_IF, nb["cells"])
        picture = panel.locator(".widget-output img").first
        picture.wait_for(state="attached", timeout=30_000)
        picture.scroll_into_view_if_needed()
        before = picture.get_attribute("src")
        assert before.startswith("data:image/png")
        sliders = panel.locator(".widget-slider")
        assert sliders.count() == 4  # three communities and the demand
        demand = sliders.filter(has_text="demand").locator(".noUi-handle").first
        demand.focus()
        page.keyboard.press("ArrowRight")  # x 1.0 -> x 1.1
        page.wait_for_function(
            """(old) => {
                const img = document.querySelector('.jp-NotebookPanel .widget-output img');
                return img && img.src !== old && img.complete && img.naturalWidth > 300;
            }""", arg=before, timeout=60_000)
        assert "1.1" in sliders.filter(has_text="demand").inner_text()
