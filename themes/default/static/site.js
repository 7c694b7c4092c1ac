// Paperboy: search as you type (Pagefind, loaded on first use) and the BibTeX copy button.
// Pages work without this file; it only adds behaviour. Result text is inserted as text nodes.

const loaded = new Map();
const FILTER_SCAN = 300; // search results checked against a filter (filters.js)

function pagefindFor(form) {
  const src = form.dataset.search;
  if (!loaded.has(src)) {
    loaded.set(src, import(src).then(async (pagefind) => {
      await pagefind.options({ baseUrl: form.dataset.base });
      // A large site is indexed in shards: shards.json lists the bundles beside the main one.
      const manifest = new URL("shards.json", new URL(src, location.href));
      const shards = await fetch(manifest).then((r) => (r.ok ? r.json() : []), () => []);
      for (const shard of shards) {
        await pagefind.mergeIndex(new URL(shard, manifest).pathname, { baseUrl: form.dataset.base });
      }
      await pagefind.init();
      return pagefind;
    }));
  }
  return loaded.get(src);
}

// Pagefind excerpts are HTML with <mark>; keep only text and marks, parsed inertly.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const nodes = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.className = "search-title";
  link.textContent = data.meta.title || data.url;
  item.append(link);
  const about = [data.meta.authors, data.meta.date].filter(Boolean).join(" · ");
  if (about) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = about;
    item.append(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.append(excerpt);
  return item;
}

function setUp(form) {
  const input = form.querySelector("input[type=search]");
  const box = form.querySelector(".search-results");
  const status = box.querySelector(".search-status");
  const list = box.querySelector(".search-list");
  const more = box.querySelector(".search-more");
  const limit = Number(form.dataset.limit || 10);
  let latest = 0;

  async function run() {
    const query = input.value.trim();
    const ticket = ++latest;
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      if (form.dataset.fromUrl === undefined) box.hidden = true;
      return;
    }
    const pagefind = await pagefindFor(form);
    const search = await pagefind.debouncedSearch(query, {}, 150);
    if (search === null || ticket !== latest) return;
    const filter = form.dataset.fromUrl !== undefined ? document.paperboyFilter : null;
    let shown;
    let count = search.results.length;
    if (filter) {
      // filters.js: keep the results whose paper number passes the page's filter
      const scanned = await Promise.all(search.results.slice(0, FILTER_SCAN).map((r) => r.data()));
      const kept = scanned.filter((data) => filter(Number(data.meta.pid)));
      count = kept.length;
      shown = kept.slice(0, limit);
    } else {
      shown = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
    }
    if (ticket !== latest) return;
    const filtered = filter ? " and the filter" : "";
    status.textContent = count === 0 ? `No papers match “${query}”${filtered}.`
      : `${count} paper${count === 1 ? " matches" : "s match"} “${query}”${filtered}.`;
    list.replaceChildren(...shown.map(resultItem));
    if (more) {
      more.hidden = count <= limit;
      more.querySelector("a").href = `${form.action}?q=${encodeURIComponent(query)}`;
    }
    box.hidden = false;
  }

  input.addEventListener("input", () => { run(); });
  input.addEventListener("focus", () => { pagefindFor(form); }, { once: true });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && form.dataset.fromUrl === undefined) {
      box.hidden = true;
      input.focus();
    }
  });
  if (form.dataset.fromUrl !== undefined) {
    input.value = new URLSearchParams(location.search).get("q") || "";
    form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
    document.addEventListener("paperboy:filter", () => { run(); });
    run();
  }
}

function setUpCopy(button) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent);
      status.textContent = "Copied.";
    } catch {
      window.getSelection().selectAllChildren(source);
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
}

document.querySelectorAll("form[data-search]").forEach(setUp);
document.querySelectorAll("button[data-copy]").forEach(setUpCopy);
