"""The dbt docs site of the built sample, as an analyst sees it: opened in headless Chromium.

``make test`` installs Debian's ``chromium`` first when it runs as root (``make chromium``); Playwright drives
that browser (``playwright install`` is never run: it would download a browser of its own). Screenshots of the
pages the test looked at are left in ``reports/docs/``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dbt_project import PROJECT_ROOT, DbtProject

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "reports" / "docs"
MODEL = "fct_order_items"
MODEL_ID = f"model.orders_warehouse.{MODEL}"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def docs_url(sample_docs: DbtProject) -> Iterator[str]:
    """The docs site (the target folder of ``dbt docs generate``) served on a free port of 127.0.0.1."""
    handler = partial(QuietHandler, directory=str(sample_docs.work_dir / "target"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def manifest(project: DbtProject) -> dict:
    return json.loads((project.work_dir / "target" / "manifest.json").read_text())


def test_overview_and_every_semantic_node_are_documented(sample_docs: DbtProject) -> None:
    """Models, columns, sources, seeds, macros and exposures are checked by the quality gate; this adds the
    overview page and the semantic layer's nodes, which the gate does not look at."""
    docs = manifest(sample_docs)
    assert "doc.orders_warehouse.__overview__" in docs["docs"]
    assert "How to query it" in docs["docs"]["doc.orders_warehouse.__overview__"]["block_contents"]
    semantic = {**docs["semantic_models"], **docs["metrics"], **docs["saved_queries"], **docs["exposures"]}
    assert len(docs["metrics"]) >= 8
    undocumented = [unique_id for unique_id, node in semantic.items() if not (node.get("description") or "").strip()]
    assert not undocumented, f"without a description: {undocumented}"


def test_docs_site_shows_the_lineage_graph_and_a_model_page(sample_docs: DbtProject, docs_url: str) -> None:
    if not CHROMIUM.exists():
        if os.geteuid() == 0:
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs it as root (`make chromium`)")
        pytest.skip(f"{CHROMIUM} is missing and this is not root: install Debian's chromium package to run it")
    from playwright.sync_api import sync_playwright

    columns = manifest(sample_docs)["nodes"][MODEL_ID]["columns"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)

            # The overview page explains the layers and how to query them.
            page.goto(docs_url)
            page.get_by_role("heading", name="How to query it").wait_for()
            page.screenshot(path=SCREENSHOTS / "overview.png")

            # A model page lists every column with its description.
            page.goto(f"{docs_url}#!/model/{MODEL_ID}")
            page.get_by_role("heading", name=MODEL).first.wait_for()
            page.get_by_text("order_item_key", exact=True).first.wait_for()
            text = page.locator("body").inner_text()
            assert "Columns" in text
            missing = [name for name in columns if name not in text]
            assert not missing, f"columns not shown on the {MODEL} page: {missing}"
            assert "MD5 surrogate key of (order_id, line_number)." in text
            assert "The line's 1-based position in the order." in text
            page.screenshot(path=SCREENSHOTS / f"{MODEL}.png")

            # The lineage graph opens and renders the model with its parents and children.
            page.locator(".launcher-btn").click()
            page.wait_for_function(
                "() => { const el = document.getElementById('cy');"
                " return el && el._cyreg && el._cyreg.cy && el._cyreg.cy.nodes(':visible').length > 1; }"
            )
            graph = page.evaluate(
                """() => {
                    const cy = document.getElementById('cy')._cyreg.cy;
                    const box = cy.container().getBoundingClientRect();
                    return {
                        labels: cy.nodes(':visible').map(node => node.data('label')),
                        edges: cy.edges(':visible').length,
                        width: box.width,
                        height: box.height,
                        image: cy.png({output: 'base64', full: true}).length,
                    };
                }"""
            )
            page.screenshot(path=SCREENSHOTS / "lineage.png")
        finally:
            browser.close()

    assert {MODEL, "int_order_items_priced", "dim_customers", "dim_date"} <= set(graph["labels"])
    assert graph["edges"] >= len(graph["labels"]) - 1
    assert graph["width"] > 100 and graph["height"] > 100
    assert graph["image"] > 1000, "the graph's canvas rendered nothing"
    for name in ("overview.png", f"{MODEL}.png", "lineage.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000
