/* Page views (issue 14): one beacon per page opened, also when Dash's router changes the path
   without a reload. The server counts a visitor once per page and half hour (dashboard/web/
   visitor_views.py); the page HTML stays cookie-free and cacheable. Embeds are not counted. */
(function () {
    var last = null;
    function count() {
        var path = window.location.pathname;
        if (path === last || path.indexOf("/embed") === 0) { return; }
        last = path;
        try {
            if (navigator.sendBeacon) {
                navigator.sendBeacon("/views", new Blob([path], {type: "text/plain"}));
            } else {
                fetch("/views", {method: "POST", body: path, credentials: "same-origin", keepalive: true});
            }
        } catch (e) { /* a counter must never break the page */ }
    }
    var push = window.history.pushState;
    window.history.pushState = function () {
        var result = push.apply(this, arguments);
        count();
        return result;
    };
    window.addEventListener("popstate", count);
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", count);
    } else {
        count();
    }
})();
