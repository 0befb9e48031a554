// Click-to-load videos: a page shows a local poster inside a plain link to the video (which works
// without JavaScript). Only when the reader clicks does this swap in the player's iframe, so no
// request goes to the video site before that. Markup (any page can use it):
//   <a class="video-embed" href="https://www.youtube.com/watch?v=ID"
//      data-embed="https://www.youtube-nocookie.com/embed/ID?autoplay=1"><img src="poster" alt="Play video: …"></a>

/** Build the iframe that replaces one `.video-embed` link. Exported for tests. */
export function playerFor(link, doc = document) {
  const frame = doc.createElement("iframe");
  frame.src = link.dataset.embed;
  frame.title = (link.querySelector("img")?.alt || "Video").replace(/^Play video: /, "");
  frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
  frame.allowFullscreen = true;
  frame.className = "video-player";
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  return frame;
}

export function enhance(root = document) {
  for (const link of root.querySelectorAll("a.video-embed[data-embed]")) {
    link.addEventListener("click", (event) => {
      // Let modified clicks (new tab, new window) follow the plain link.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const frame = playerFor(link, link.ownerDocument);
      link.replaceWith(frame);
      frame.focus();
    });
  }
}

if (typeof document !== "undefined") enhance();
