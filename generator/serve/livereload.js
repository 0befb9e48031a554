// The live-reload client `blog serve` injects into every HTML response (never into files on disk).
// It listens to the server's Server-Sent Events: "reload" refreshes the page when its own HTML or
// an asset changed (in place, patching only the nodes that changed, when only its HTML changed, it
// has no scripts of its own and its <head> names the same styles; else a real reload keeping the
// scroll position), "css" swaps stylesheets in place, "error" shows the failed build's messages in
// an overlay, "ok" clears it. "preview" carries an edited page before its build is committed
// (serve/preview.py): shown in place, and taken back (the last good build's page again) when that
// build fails or changes nothing after all. EventSource reconnects by itself after the server restarts, and the
// server answers every (re)connection with "hello", the current state.
(() => {
  "use strict";
  const script = document.currentScript;
  const events = script ? script.dataset.events : "/__blog/events";
  let build = script ? script.dataset.build : "";
  const scrollKey = "blog-livereload:scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Images and fonts can still change the layout after this script runs.
    window.addEventListener("load", restore, { once: true });
  }

  // The body as served, before any script of the page changed it: taken when parsing ends
  // (readyState "interactive"), before deferred scripts and DOMContentLoaded handlers run. In-place
  // refreshes diff the served HTML, old against new, so what scripts did to the nodes an edit
  // leaves alone (an opened table of contents, a pressed toggle) stays. It lives in an inert
  // document: its images are never loaded.
  const inert = document.implementation.createHTMLDocument("");
  let served = null;
  // The last good build's body and title: what a preview goes back to when its build fails.
  let good = null, goodTitle = document.title, previewing = false;
  const keepServed = () => { served = good = inert.importNode(document.body, true); goodTitle = document.title; };
  if (document.readyState === "loading") {
    document.addEventListener("readystatechange", keepServed, { once: true });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  // Pages without scripts of their own (most posts) are refreshed in place: take the new HTML (from
  // the event, else fetch it) and patch the body. That skips re-loading styles and re-laying-out from scratch, so an edit shows up
  // sooner and the scroll position simply stays. Pages with scripts (demos) need a real load, and
  // so does a page whose <head> now names other styles or scripts (a layout change).
  const isClient = (node) => node.nodeType === 1 && node.matches("script[data-events]");
  const ownScripts = (doc) => [...doc.querySelectorAll("body script")].filter((s) => !isClient(s));
  const withoutReload = (href) => {
    const url = new URL(href, location.href);
    url.searchParams.delete("blog-reload"); // (added by swapStylesheets below)
    return url.href;
  };
  const headAssets = (doc) => [...doc.head.querySelectorAll("link, style, script, base")]
    .filter((node) => !isClient(node) && !(node.matches("link") && !/stylesheet|modulepreload/i.test(node.rel)))
    .map((node) => (node.matches("link") ? `${node.rel} ${withoutReload(node.href)}` : node.outerHTML))
    .join("\n");
  // Attributes the server sent on <html>: a script may add its own (the theme's data-theme), never
  // remove or change these.
  const rootMatches = (fresh) => [...fresh.documentElement.attributes]
    .every((a) => document.documentElement.getAttribute(a.name) === a.value);

  // This page's output path, as events name outputs (not URL-encoded).
  function herePath() {
    const path = decodeURI(location.pathname);
    return path.endsWith("/") ? path + "index.html" : path;
  }

  async function refreshInPlace(change, preview = false) {
    // (marks for bench/serve_bench.py; a preview's have their own names)
    const mark = (name) => performance.mark(`blog-livereload:${preview ? "preview-" : ""}${name}`);
    mark("event");
    // The event carries the page's new HTML when few pages changed (one post edited); else fetch.
    const pages = change.pages || {};
    const here = herePath();
    let text = Object.hasOwn(pages, here) ? pages[here] : pages[here + ".html"];
    if (typeof text !== "string") {
      const response = await fetch(location.href, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    }
    mark("received");
    const fresh = new DOMParser().parseFromString(text, "text/html");
    mark("fetched");
    if (ownScripts(document).length || ownScripts(fresh).length) throw new Error("page has scripts");
    if (headAssets(document) !== headAssets(fresh) || !rootMatches(fresh)) throw new Error("styles changed");
    show(fresh.title, fresh.body);
    previewing = preview;
    if (!preview) {
      build = change.build;
      good = served;
      goodTitle = document.title;
    }
    mark("patched");
  }

  // Make the page show `body` (a parsed document's, whose nodes move into this page) and `title`.
  function show(title, body) {
    document.title = title;
    const next = inert.importNode(body, true); // (before its nodes move into this page)
    syncAttributes(document.body, served, body);
    patch(document.body, served, body, 0);
    served = next;
  }

  // After a preview whose build failed or wrote nothing: the last good build's page again.
  function takeBack() {
    if (!previewing) return;
    previewing = false;
    if (!good) throw new Error("no page to go back to");
    show(goodTitle, inert.importNode(good, true));
  }

  // Attributes that changed from `old` to `fresh` change on `live`; those a script set stay. With no
  // `old` (the page's nodes no longer match what was served), `live` gets exactly `fresh`'s.
  function syncAttributes(live, old, fresh) {
    for (const { name } of [...(old || live).attributes]) if (!fresh.hasAttribute(name)) live.removeAttribute(name);
    for (const { name, value } of [...fresh.attributes]) {
      if (old ? old.getAttribute(name) !== value : live.getAttribute(name) !== value) live.setAttribute(name, value);
    }
  }

  const children = (node) => [...node.childNodes].filter((n) => !isClient(n));
  const sameKind = (x, y) => x.nodeType === y.nodeType && x.nodeName === y.nodeName;

  // Make `live`'s children those of `fresh`. `old` is what was served for `live` (null when unknown):
  // the runs at both ends where old and fresh are equal stay as they are (their images, formulas,
  // layout and any state a script gave them), the differing middle is replaced; a middle of one
  // element on each side with the same tag is patched the same way one level down. The client's
  // own <script> stays where it is. Nodes the edit reaches are `fresh`'s, as a reload would make them.
  function patch(live, old, fresh, depth) {
    const l = children(live), b = children(fresh);
    let a = old ? children(old) : l; // (no `old`: the page was not parsed from HTML we saw)
    if (a.length !== l.length || a.some((node, i) => !sameKind(node, l[i]))) a = l; // a script moved nodes
    const known = a !== l;
    let start = 0;
    while (start < a.length && start < b.length && a[start].isEqualNode(b[start])) start++;
    let endA = a.length, endB = b.length;
    while (endA > start && endB > start && a[endA - 1].isEqualNode(b[endB - 1])) { endA--; endB--; }
    const one = endA - start === 1 && endB - start === 1 ? [l[start], b[start]] : null;
    if (one && depth < 12 && one[0].nodeType === 1 && sameKind(one[0], one[1])
        && !/^(SCRIPT|STYLE|TEMPLATE|IFRAME|OBJECT|EMBED|VIDEO|AUDIO|PICTURE|math)$/i.test(one[0].nodeName)) {
      syncAttributes(one[0], known ? a[start] : null, one[1]);
      patch(one[0], known ? a[start] : null, one[1], depth + 1);
      return;
    }
    const anchor = endA < l.length ? l[endA] : null;
    for (let i = start; i < endA; i++) l[i].remove();
    const adopted = b.slice(start, endB).map((node) => document.adoptNode(node));
    for (const node of adopted) live.insertBefore(node, anchor);
  }

  function onlyThisPage(paths) {
    const here = herePath();
    return paths.every((p) => /\.(html?|xml|txt)$/i.test(p) && !p.endsWith("/404.html"))
      && paths.some((p) => p === here || p === here + ".html");
  }

  function swapStylesheets(paths) {
    const links = [...document.querySelectorAll('link[rel~="stylesheet"]')];
    const wanted = links.filter((link) => paths.includes(new URL(link.href, location.href).pathname));
    // A changed file no <link> names (e.g. one pulled in by @import): refresh them all.
    for (const link of wanted.length ? wanted : links) {
      const url = new URL(link.href, location.href);
      url.searchParams.set("blog-reload", String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      // Remove the old sheet only once the new one applies, so the page never flashes unstyled.
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => fresh.remove(), { once: true });
      link.after(fresh);
    }
  }

  // Reload only when this page's own HTML changed, the 404 page changed, or a file a page may
  // load did (scripts, styles, data, images). Feeds, sitemaps and other pages' HTML do not count,
  // so editing one post does not reload every open tab.
  function affectsThisPage(paths) {
    const here = herePath(); // the server sends output paths, not URL-encoded
    return paths.some((path) => path === here || path === here + ".html" || path.endsWith("/404.html")
      || !/\.(html?|xml|txt)$/i.test(path));
  }

  let overlay = null;

  function showErrors(lines) {
    hideErrors();
    overlay = document.createElement("blog-build-error");
    const root = overlay.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      :host { position: fixed; inset: 0; z-index: 2147483647; background: rgba(20, 20, 24, .88);
              color: #f5f5f5; font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
              overflow: auto; padding: 2rem; box-sizing: border-box; }
      h2 { color: #ff8a80; font-size: 1.1rem; margin: 0 0 1rem; }
      li { white-space: pre-wrap; margin: .4rem 0; }
      p { color: #bbb; }`;
    const title = document.createElement("h2");
    title.textContent = "Build failed — still showing the last good site";
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line; // textContent: messages are shown as text, never parsed as HTML
      list.append(item);
    }
    const hint = document.createElement("p");
    hint.textContent = "Fix the file and save: this message disappears with the next good build.";
    root.append(style, title, list, hint);
    document.documentElement.append(overlay);
  }

  function hideErrors() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  let refreshing = Promise.resolve(); // one refresh at a time, in the order of the events
  const source = new EventSource(events);
  const on = (name, handle) => source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  on("hello", (state) => {
    if (state.errors) {
      showErrors(state.errors);
    } else {
      hideErrors();
      // A build finished while we were disconnected (or before we connected): catch up.
      if (build && state.build && state.build !== build) reload();
    }
    build = state.build;
  });
  const then = (step) => { refreshing = refreshing.then(step).catch(reload); };
  on("preview", (change) => {
    // Only this page's own HTML, and only in place: anything else waits for the build's event.
    if (!onlyThisPage(change.paths)) return;
    refreshing = refreshing.then(() => refreshInPlace(change, true)).catch(() => {});
  });
  on("reload", (change) => {
    hideErrors();
    if (!affectsThisPage(change.paths)) {
      build = change.build; // this page's HTML is already current (and what was previewed is not)
      then(takeBack);
    }
    else if (onlyThisPage(change.paths)) refreshing = refreshing.then(() => refreshInPlace(change)).catch(reload);
    else reload();
  });
  on("css", (change) => {
    hideErrors();
    build = change.build;
    then(takeBack); // (a preview's page was not written after all)
    swapStylesheets(change.paths);
  });
  on("error", (state) => {
    then(takeBack);
    showErrors(state.errors);
  });
  on("ok", (state) => {
    hideErrors();
    build = state.build;
    then(takeBack);
  });
})();
