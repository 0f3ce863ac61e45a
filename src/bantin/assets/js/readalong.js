/* bantin read-along: highlight the transcript's sentence being read, driven by the reading's WebVTT cues.
 *
 * Each cue is one spoken chunk whose text is in the transcript.  Once the
 * <track> has loaded, every cue's text is found in the transcript (in order)
 * and wrapped in a <span>; while the <audio> plays, the span of the current cue
 * gets the class "readalong-current" and is scrolled into view (instantly
 * under prefers-reduced-motion; not for 4 s after the reader scrolled by hand).  Nothing is announced: the highlight is
 * visual only; the checkbox that switches it off says its own state.  The
 * choice is remembered in localStorage.  No framework, no network.
 */
(function () {
  "use strict";
  var KEY = "bantin.readalong";
  var audio = document.querySelector("audio[data-readalong]");
  var box = document.getElementById("readalong-text");
  var toggle = document.getElementById("readalong-toggle");
  var control = document.getElementById("readalong-control");
  if (!audio || !box || !toggle || !control) { return; }
  var trackEl = audio.querySelector("track");
  if (!trackEl) { return; }
  var spans = [];  // cue index -> span, or null when its text was not found
  var current = -1;
  var userScrolled = 0;  // when the reader last scrolled by hand (wheel or touch)
  var reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: not remembered */ }
  }

  function squash(s) { return s.replace(/\s+/g, " ").trim(); }

  // Wrap the text of each cue in a span, searching forward through the transcript's text nodes.
  function wrapCues(cues) {
    var nodes = [];
    var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    var n = 0, at = 0;
    for (var i = 0; i < cues.length; i++) {
      // The cue's text with WebVTT's escapes (&amp;) decoded and its tags dropped.
      var raw = cues[i].getCueAsHTML ? cues[i].getCueAsHTML().textContent : cues[i].text.replace(/<[^>]*>/g, "");
      var want = squash(raw || "");
      spans.push(null);
      if (!want) { continue; }
      for (var k = n; k < nodes.length; k++) {
        var text = nodes[k].data;
        var from = k === n ? at : 0;
        var idx = text.indexOf(want, from);
        if (idx < 0) {  // the transcript may break lines differently: compare with spaces squashed
          var flat = text.replace(/\s/g, " ");
          idx = flat.indexOf(want, from);
        }
        if (idx < 0) { continue; }
        var range = document.createRange();
        range.setStart(nodes[k], idx);
        range.setEnd(nodes[k], idx + want.length);
        var span = document.createElement("span");
        span.className = "readalong-cue";
        span.setAttribute("data-cue", String(i));
        range.surroundContents(span);
        // The rest of the node is now a new text node after the span.
        var rest = span.nextSibling;
        nodes.splice(k, 1, span.firstChild);
        if (rest && rest.nodeType === 3) { nodes.splice(k + 1, 0, rest); n = k + 1; at = 0; } else { n = k + 1; at = 0; }
        spans[i] = span;
        break;
      }
    }
  }

  function mark(index) {
    if (index === current) { return; }
    if (current >= 0 && spans[current]) { spans[current].classList.remove("readalong-current"); }
    current = index;
    if (!toggle.checked || index < 0 || !spans[index]) { return; }
    var span = spans[index];
    span.classList.add("readalong-current");
    if (Date.now() - userScrolled < 4000) { return; }  // the reader scrolled away just now: do not pull them back
    var r = span.getBoundingClientRect();
    var h = window.innerHeight || document.documentElement.clientHeight;
    if (r.top < 0 || r.bottom > h) {
      span.scrollIntoView({ block: "center", behavior: reduced && reduced.matches ? "auto" : "smooth" });
    }
  }

  function activeIndex() {
    var track = trackEl.track, cues = track && track.cues;
    if (!cues || (audio.paused && audio.currentTime === 0)) { return -1; }  // not started: nothing is being read
    var t = audio.currentTime, found = -1;
    for (var i = 0; i < cues.length; i++) {
      if (cues[i].startTime <= t && t < cues[i].endTime) { found = i; }
    }
    return found;
  }

  function update() { mark(toggle.checked ? activeIndex() : -1); }

  function ready() {
    var track = trackEl.track;
    if (!track || !track.cues || spans.length) { return; }
    if (track.mode === "disabled") { track.mode = "hidden"; }
    wrapCues(Array.prototype.slice.call(track.cues));
    box.classList.add("readalong-ready");
    track.addEventListener("cuechange", update);
    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);
    update();
  }

  function scrolled() { userScrolled = Date.now(); }
  window.addEventListener("wheel", scrolled, { passive: true });
  window.addEventListener("touchmove", scrolled, { passive: true });

  toggle.checked = stored() !== "off";
  control.hidden = false;
  toggle.addEventListener("change", function () {
    store(toggle.checked);
    current = -2;  // force a redraw
    Array.prototype.forEach.call(box.querySelectorAll(".readalong-current"), function (s) { s.classList.remove("readalong-current"); });
    update();
  });
  if (trackEl.track && trackEl.track.mode === "disabled") { trackEl.track.mode = "hidden"; }
  if (trackEl.readyState === 2) { ready(); } else { trackEl.addEventListener("load", ready); }
})();
