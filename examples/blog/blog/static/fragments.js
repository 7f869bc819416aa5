// Swap part of a page for the same part of another page, without a reload.
//
// A link marked data-fragment="posts" is fetched with the request header
// "X-Fragment: posts"; the server answers the template's "posts" block only,
// with the same header back, and it replaces the content of the element whose
// id is "posts". The address bar follows (history.pushState), and Back and
// Forward swap the part again. Anything else (an error, a redirect to the
// login page, no network) falls back to loading the link as a page, which is
// also what happens without this script: the links are plain links.
"use strict";

(() => {
  const HEADER = "X-Fragment";

  async function swap(name, url, addToHistory) {
    const target = document.getElementById(name);
    if (!target) {
      window.location.assign(url);
      return;
    }
    target.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        headers: { [HEADER]: name },
        credentials: "same-origin",
      });
      if (!response.ok || response.headers.get(HEADER) !== name) {
        window.location.assign(url);
        return;
      }
      target.innerHTML = await response.text();
      if (addToHistory) {
        window.history.pushState({ fragment: name }, "", url);
      }
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "nearest" });
    } catch (error) {
      window.location.assign(url);
    } finally {
      target.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[data-fragment]");
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (!link || event.button !== 0 || modified || link.origin !== window.location.origin) {
      return; // a new tab, a download or another site: the browser's business
    }
    event.preventDefault();
    swap(link.dataset.fragment, link.href, true);
  });

  // The page as first loaded gets a history entry that names its part, so
  // Back from a swapped page swaps it back.
  const root = document.querySelector("[data-fragment-root]");
  if (root && root.id) {
    window.history.replaceState({ fragment: root.id }, "", window.location.href);
  }

  window.addEventListener("popstate", (event) => {
    if (event.state && event.state.fragment) {
      swap(event.state.fragment, window.location.href, false);
    }
  });
})();
