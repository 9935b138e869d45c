"""The staff search page and the chat widget, driven in headless Chromium with Playwright.

Needs Debian's chromium (`apt-get install chromium fonts-noto-cjk`; `.ci/run` installs both);
skipped with that reason when /usr/bin/chromium is absent. Screenshots of the search, provision
and compare views land in docs/screenshots/, which the README shows.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from qa.service import PolicyService
from tests.api.conftest import free_port, make_app
from tests.conftest import DATA

WORD = DATA / "fixtures" / "gz-jujia-shequ-yanglao-banfa-2022.docx"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"),
]


def _serve(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def _portal(folder: Path, port: int, api_base: str) -> Iterator[str]:
    """A portal page of its own origin that embeds the chat bubble served at ``api_base``; its URL."""
    (folder / "index.html").write_text(
        "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><h1>某市政府门户</h1>"
        f'<script src="{api_base}/static/widget.js" data-jurisdiction="如皋市" defer></script>'
        "</body></html>", encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    portal = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        portal.shutdown()
        portal.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(app: FastAPI) -> Iterator[str]:
    yield from _serve(app)


def _snapshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot without focus rings, so that runs give the same picture."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_search_provision_and_compare(browser, site: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page.goto(site + "/")
    page.wait_for_selector("#place option[value='如皋市']", state="attached")
    page.fill("#question", "托育服务用房每百户配建标准是多少")
    page.select_option("#place", "如皋市")
    page.click("#search")
    first = page.locator(".hit").first
    first.wait_for()
    citation = "《如皋市“一老一小”整体解决方案》（皋政发〔2023〕4号）四（二）3"
    assert first.locator(".citation").inner_text() == citation
    assert first.locator(".badge").inner_text() == "本级"
    # The answer is the nursery standard's clause, its figure marked (not the 30㎡ elderly-care one).
    assert first.locator("mark").all_inner_texts() == ["不少于20平方米"]
    assert first.locator(".answer").inner_text() == "不少于20平方米的标准配建普惠性托育服务用房"
    _snapshot(page, "search.png")

    first.locator("a.more").click()
    page.wait_for_selector("#current")
    assert "每百户不少于30平方米" in page.inner_text("#current")
    assert page.locator(".outline li.current").count() >= 2  # 四、 and （二） on the path
    _snapshot(page, "provision.png")

    page.go_back()
    page.wait_for_selector(".hit")
    page.click("#compare")
    page.wait_for_selector("table.compare")
    rows = page.locator("table.compare tbody tr")
    assert rows.count() == 5
    places = [rows.nth(i).locator("th").inner_text() for i in range(5)]
    assert places[:2] == ["江苏省", "随州市"]  # province, prefecture, then the counties
    # One figure per place: 如皋's nursery standard (not its 30㎡ elderly-care one); 江苏 sets none.
    rugao = rows.nth(places.index("如皋市"))
    assert rugao.locator("td.figure summary strong").inner_text() == "不少于20平方米"
    rugao.locator("td.figure summary").click()  # the provision it comes from, the figure marked
    assert rugao.locator("td.figure details p mark").inner_text() == "不少于20平方米"
    assert "普惠性托育服务用房" in rugao.locator("td.figure details p").inner_text()
    assert rows.nth(places.index("江苏省")).locator("td.none").count() == 1

    # Yearly targets get a year selector; a year asked changes every cell.
    page.fill("#question", "每千人口托位数")
    page.click("#compare")
    page.wait_for_selector("#compare-year")
    # The page's CSP forbids eval, hence locators rather than wait_for_function.
    page.locator("table.compare td.figure").nth(4).wait_for()
    page.select_option("#compare-year", "2023")
    page.locator("#status", has_text="2023年").wait_for()
    rows = page.locator("table.compare tbody tr")
    cells = {rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").first.inner_text()
             for i in range(rows.count())}
    assert cells["宿城区"].startswith("3.3") and cells["涟水县"].startswith("2.2")
    assert cells["如皋市"].startswith("—") and "2025" in cells["如皋市"]
    page.select_option("#compare-year", "")
    page.locator("#status", has_text="2023年").wait_for(state="detached")
    page.locator("table.compare td.figure").nth(4).wait_for()
    _snapshot(page, "compare.png")

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(site + "/#/search?q=" + "宿城区已建成小区托育设施每百户标准")
    phone.wait_for_selector(".hit")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
    _snapshot(phone, "phone.png")


def test_uncovered_place_warns(browser, site: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(site + "/#/search?q=" + "北京市托育服务用房标准")
    page.wait_for_selector(".notice")
    assert "北京市" in page.inner_text(".notice")
    assert set(page.locator(".badge").all_inner_texts()) == {"其他地区"}


def test_widget_on_a_portal_of_another_origin(browser, service: PolicyService, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    portal_port = free_port()
    portal_origin = f"http://127.0.0.1:{portal_port}"
    for allowed, expect_answer in ((portal_origin, True), ("https://elsewhere.example.gov.cn", False)):
        for api_base in _serve(make_app(service, cors_origins=[allowed])):
            with _portal(tmp_path, portal_port, api_base) as portal_page:
                page = browser.new_page()
                page.goto(portal_page)
                page.click("#policy-qa-widget >> .bubble")
                page.fill("#policy-qa-widget >> input", "托育服务用房每百户配建标准是多少")
                page.click("#policy-qa-widget >> .send")
                reply = page.locator("#policy-qa-widget >> .assistant").last
                page.wait_for_function(
                    "() => !document.querySelector('#policy-qa-widget').shadowRoot"
                    ".querySelector('.assistant:last-child').textContent.includes('正在查询')")
                text = reply.inner_text()
                if expect_answer:
                    assert "《如皋市“一老一小”整体解决方案》" in text and "来源：" in text
                    page.screenshot(path=str(SCREENSHOTS / "widget.png"))
                else:
                    assert text.startswith("暂时无法回答")  # the browser enforced CORS


def test_documents_view_uploads_and_removes(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The corpus as a list; an upload followed until it is live, then removed after a
    confirmation; the page asks for the admin key when the service needs one."""
    from corpus import CorpusFolder
    from corpus.gazetteer import default_gazetteer
    from index.analysis import Analyzer
    from index.store import PolicyIndex
    from index.versions import IndexRoot
    from qa.search import Searcher
    from tests.index.fakes import HashEncoder

    corpus = CorpusFolder.working(tmp_path / "corpus")
    analyzer = Analyzer(tmp_path / "cache" / "jieba")
    PolicyIndex.build(corpus.path, tmp_path / "index", HashEncoder(), analyzer, tmp_path / "cache")
    settings = Settings(index=tmp_path / "index", corpus=corpus.path, cache=tmp_path / "cache",
                        work=tmp_path / "work", admin_key="admin-secret", watch_seconds=0.2)

    def load(settings: Settings, previous: PolicyService | None) -> PolicyService:
        encoder = previous.index.encoder if previous else HashEncoder()
        index = PolicyIndex.load(settings.index, encoder, analyzer)
        return PolicyService(Searcher(index, default_gazetteer()))

    app = create_app(settings, load=load, published=IndexRoot(settings.index).current_id)
    dialogs: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.type)
        dialog.accept("admin-secret" if dialog.type == "prompt" else None)

    for site in _serve(app):
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
        page.on("dialog", answer)
        page.goto(site + "/#/documents")
        rows = page.locator("#documents tbody tr")
        rows.first.wait_for()
        assert rows.count() == 5
        page.set_input_files("#file", str(WORD))
        page.click("#send")
        page.wait_for_function(
            "() => document.querySelector('#upload-status').textContent.includes('已上线')", timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('#documents tbody tr').length === 6")
        added = page.locator("#documents tbody tr", has_text="广州市居家社区养老服务管理办法")
        assert "穗府办规〔2022〕13号" in added.inner_text() and "广州市" in added.inner_text()
        assert dialogs == ["prompt"]  # the admin key, asked once
        _snapshot(page, "documents.png")
        added.locator("button.remove").click()
        page.wait_for_function(
            "() => document.querySelector('#upload-status').textContent.includes('已删除')", timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('#documents tbody tr').length === 5")
        assert dialogs == ["prompt", "confirm"]


def test_the_chat_bubble_holds_a_long_conversation(browser, service: PolicyService, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Thirty exchanges in one bubble: the widget sends a bounded window of the conversation,
    so question 26 and every later one are answered like the first."""
    portal_port = free_port()
    portal_origin = f"http://127.0.0.1:{portal_port}"
    sent: list[int] = []  # messages in each request the widget sends

    def record(request) -> None:  # type: ignore[no-untyped-def]
        if request.url.endswith("/v1/chat/completions") and request.method == "POST":
            sent.append(len(json.loads(request.post_data)["messages"]))

    for api_base in _serve(make_app(service, cors_origins=[portal_origin])):
        with _portal(tmp_path, portal_port, api_base) as portal_page:
            page = browser.new_page()
            page.on("request", record)
            page.goto(portal_page)
            page.click("#policy-qa-widget >> .bubble")
            questions = ["托育服务用房每百户配建标准是多少", "养老服务用房每百户配建标准是多少",
                         "每千人口托位数目标是多少"]
            for turn in range(30):
                page.fill("#policy-qa-widget >> input", questions[turn % len(questions)])
                page.click("#policy-qa-widget >> .send")
                page.wait_for_function(
                    "(n) => { const root = document.querySelector('#policy-qa-widget').shadowRoot;"
                    " const replies = root.querySelectorAll('.assistant');"
                    " return replies.length >= n"
                    " && !replies[replies.length - 1].textContent.includes('正在查询'); }",
                    arg=turn + 1)
                reply = page.locator("#policy-qa-widget >> .assistant").last.inner_text()
                assert "来源：" in reply and not reply.startswith("暂时无法回答"), (turn, reply)
            assert len(sent) == 30 and max(sent) <= 8  # a bounded window, however long it runs
