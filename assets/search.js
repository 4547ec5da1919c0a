// The search page's own script: Pagefind's index, built with the site, searched in the
// reader's browser. Without it (no JavaScript, or a copy opened from disk, where browsers
// refuse to load the index) the page's plain list of everything stays as it is.
const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const type = document.getElementById("search-type");
const year = document.getElementById("search-year");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");

// Pagefind's excerpts mark the words found with <mark>; nothing else of them is taken as HTML.
function excerpt(html) {
  const p = document.createElement("p");
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

async function start() {
  let pagefind;
  try {
    pagefind = await import(new URL(form.dataset.pagefind, document.baseURI).href);
    await pagefind.init();
  } catch {
    return; // the plain list below is the search
  }
  form.hidden = false;
  let shown = 0;
  async function run() {
    const mine = ++shown;
    const query = input.value.trim();
    const filters = {};
    if (type.value) filters.type = type.value;
    if (year.value) filters.year = year.value;
    if (!query && !Object.keys(filters).length) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const search = await pagefind.search(query || null, { filters });
    const found = await Promise.all(search.results.slice(0, 30).map((r) => r.data()));
    if (mine !== shown) return; // a newer query is on its way
    list.replaceChildren(
      ...found.map((data) => {
        const li = document.createElement("li");
        const h = document.createElement("h3");
        const a = document.createElement("a");
        a.href = data.url;
        a.textContent = data.meta.title || data.url;
        h.append(a);
        li.append(h, excerpt(data.excerpt));
        return li;
      }),
    );
    status.textContent = found.length ? "" : form.dataset.noResults;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  for (const field of [input, type, year]) field.addEventListener("input", run);
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    run();
  }
}

start();
