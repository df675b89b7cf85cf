"""Page loads over an emulated mobile network in Chromium (issue 17): used by the 3G tests and
`bench/mobile_network.py`.

Throttling is Chromium's own (CDP `Network.emulateNetworkConditions`), bytes are what crossed
the wire (CDP `Network.loadingFinished.encodedDataLength`: compressed bodies plus headers), and
times are taken inside the page (`performance.now()`, from navigation start) by a
MutationObserver the moment each milestone appears, so polling adds nothing to them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

# Chromium's throughput is in bytes per second. 3G is the definition; "4G" is
# DevTools' "Fast 4G" preset, for reference only.
NETWORKS = {
    "3G": {"latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
    "4G": {"latency": 60, "downloadThroughput": 9_000_000 / 8, "uploadThroughput": 1_500_000 / 8},
}

# Milestones: a name and a JS expression that becomes truthy once, when the thing is on screen.
# The name and KPIs count from whichever shows them first: the server-rendered first view
# (layouts/first_view.py, painted before the JS arrives) or the Dash page; the front page's KPIs
# likewise.
INSTITUTION_MARKS = {
    "name_kpis": "(() => { const n = document.querySelector('#inst-title, #first-view [data-first-view=name]'), "
                 "k = document.querySelector('#inst-kpi-budget, #first-view [data-kpi=budget]'); "
                 "return n && n.textContent.trim() && k && k.textContent.trim(); })()",
    "chart": "document.querySelector('#inst-monthly .cartesianlayer .trace .point')",
}
FRONT_MARKS = {
    "kpis": "(() => { const k = document.querySelector('#kpi-planned, #first-view [data-kpi=planned]'); "
            "return k && k.textContent.trim(); })()",
}

_MARKS_SCRIPT = """
(() => {
  const checks = %s;
  const marks = window.__loadMarks = {}, seen = {};
  // A node in the DOM is not yet on screen: the first paint waits for the stylesheets. A mark
  // counts from when it is in the DOM, and never before the first contentful paint.
  let painted = null;
  const settle = () => {
    if (painted === null) return;
    for (const [name, at] of Object.entries(seen)) if (!(name in marks)) marks[name] = Math.max(at, painted);
  };
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.name === 'first-contentful-paint') { painted = entry.startTime; settle(); }
    }
  }).observe({type: 'paint', buffered: true});
  const tick = () => {
    for (const [name, check] of Object.entries(checks)) {
      if (!(name in seen) && check()) { seen[name] = performance.now(); settle(); }
    }
  };
  new MutationObserver(tick).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def marks_script(marks: dict[str, str]) -> str:
    checks = "{" + ", ".join(f"{name!r}: () => {expr}" for name, expr in marks.items()) + "}"
    return _MARKS_SCRIPT % checks


@dataclass
class Load:
    """One page load: milestone times in seconds and bytes transferred from the app's origin."""
    seconds: dict[str, float]
    bytes: int
    resources: list[tuple[int, str]] = field(default_factory=list)  # (bytes, url), largest first
    timeline: list[tuple[float, float, int, str]] = field(default_factory=list)  # (start s, end s, bytes, url)


class ThrottledPage:
    """A page in its own browser context (empty cache) with the network throttled; `load()`
    navigates (or reloads, for a warm load) and measures."""

    def __init__(self, browser, base: str, network: str | None, marks: dict[str, str], viewport=(390, 844)):
        self.base = base
        self.marks = marks
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           locale="ru-RU")
        self.context.add_init_script(marks_script(marks))
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        if network:  # None: unthrottled
            self.cdp.send("Network.emulateNetworkConditions", {"offline": False, **NETWORKS[network]})
        self._urls: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._times: dict[str, list[float]] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event) -> None:
        self._urls[event["requestId"]] = event["request"]["url"]
        self._times[event["requestId"]] = [event["timestamp"], event["timestamp"]]

    def _finished(self, event) -> None:
        self._sizes[event["requestId"]] = int(event["encodedDataLength"])
        self._times.setdefault(event["requestId"], [event["timestamp"]] * 2)[1] = event["timestamp"]

    def load(self, path: str | None, timeout: float = 90) -> Load:
        """Open `path` (None: reload the current page) and wait for every milestone and for the
        network to fall quiet; bytes count only requests to the app itself (no map tiles)."""
        self._urls.clear()
        self._sizes.clear()
        self._times.clear()
        if path is None:
            self.page.reload(wait_until="commit")
        else:
            self.page.goto(self.base + path, wait_until="commit")
        self.page.wait_for_function(
            "names => names.every(n => window.__loadMarks && n in window.__loadMarks)",
            arg=list(self.marks), timeout=timeout * 1000, polling=100)
        self._settle(timeout)
        seconds = {k: v / 1000 for k, v in self.page.evaluate("window.__loadMarks").items()}
        ours = [(size, self._urls.get(rid, "?")) for rid, size in self._sizes.items()
                if self._urls.get(rid, "").startswith(self.base)]
        first = min((t[0] for t in self._times.values()), default=0)
        timeline = sorted((t[0] - first, t[1] - first, self._sizes.get(rid, 0), self._urls.get(rid, "?"))
                          for rid, t in self._times.items())
        return Load(seconds, sum(size for size, _ in ours), sorted(ours, reverse=True), timeline)

    def _settle(self, timeout: float) -> None:
        """Wait until Dash is idle and no response has finished for a second (late chunks count)."""
        self.page.wait_for_function(
            "() => window.store && window.store.getState().isLoading === false && "
            "(window.store.getState().pendingCallbacks || []).length === 0", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        seen = -1
        while len(self._sizes) != seen and time.monotonic() < deadline:
            seen = len(self._sizes)
            self.page.wait_for_timeout(1000)

    def close(self) -> None:
        self.context.close()
