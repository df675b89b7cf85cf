/* Embeds (issue 14): the <iframe> snippet of each panel, written from the page's state.
   Python: layouts/embed.py (buttons, popovers), callbacks/embed.py (wiring), /embed (the panels). */
(function () {
    function escape(text) {
        return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    }
    // A pinned panel (asof) says so above it in two or three lines: its frame asks for room.
    var PINNED_NOTE_PX = 64;
    function snippet(meta, query, pinned) {
        if (!meta) { return ""; }
        var src = window.location.origin + "/embed?panel=" + meta.panel + "&lang=" + meta.lang + (query ? "&" + query : "");
        return '<iframe src="' + escape(src) + '" title="' + escape(meta.title) + '" width="100%" height="' +
            (meta.height + (pinned ? PINNED_NOTE_PX : 0)) + '" style="border:0" loading="lazy"></iframe>';
    }
    // The explorer's state as its URL fragment says it (dashboard/explorer_state.py to_hash),
    // always with the year: an embed keeps showing the year it was made for.
    function explorerQuery(s) {
        if (!s) { return ""; }
        var parts = [];
        if (s.year) { parts.push("year=" + s.year); }
        if (s.months && (s.months[0] !== 1 || s.months[1] !== 12)) { parts.push("months=" + s.months[0] + "-" + s.months[1]); }
        if (s.sectors && s.sectors.length) { parts.push("sectors=" + s.sectors.map(encodeURIComponent).join(",")); }
        if (s.metric && s.metric !== "plan") { parts.push("metric=" + encodeURIComponent(s.metric)); }
        if (s.region) { parts.push("region=" + encodeURIComponent(s.region)); }
        if (s.district) { parts.push("district=" + encodeURIComponent(s.district)); }
        if (s.asof) { parts.push("asof=" + s.asof); }
        return parts.join("&");
    }
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        embed: {
            explorer: function (state) {
                var query = explorerQuery(state);
                var pinned = Boolean(state && state.asof);
                return Array.prototype.slice.call(arguments, 1).map(function (meta) { return snippet(meta, query, pinned); });
            },
            monthly: function (year, store, mode, meta) {
                if (!store || !store.bin) { return ""; }
                var query = "bin=" + encodeURIComponent(store.bin) + (year ? "&year=" + year : "") +
                    (mode === "cumulative" ? "&mode=cumulative" : "") + (store.asof ? "&asof=" + store.asof : "");
                return snippet(meta, query, Boolean(store.asof));
            }
        }
    });
})();
