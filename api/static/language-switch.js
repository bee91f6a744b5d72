// The FR/EN switch keeps the page as it is now: every parameter of the URL (also those a
// page's script changed after it loaded) and the fragment; only "lang" changes.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("nav.lang a[hreflang]") : null;
  if (!link) return;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", link.getAttribute("hreflang"));
  link.setAttribute("href", url.pathname + url.search + url.hash);
});
