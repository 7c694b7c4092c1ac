// Paperboy filters: include/exclude words, authors, topics and tags, combined with AND or OR.
// The state is the query string (w, xw, a, xa, g, xg, t, xt, m), so a filtered view can be
// shared. The index (generator/filters/index.py) is split by the hash of each key: a filter
// fetches index.json and one small file per word, author, topic or tag it names. Without
// JavaScript the box stays hidden and every list stays a list. Text is inserted as text nodes.

const WORD = /[a-z][a-z0-9]*(?:-[a-z0-9]+)*/g; // generator/filters/index.py: WORD
const NAME_PART = /[a-z0-9]+/g;
const FIELDS = ["w", "xw", "a", "xa", "g", "xg"];
const PAGE = 50; // results shown at a time on the archive

export function fold(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").replace(/[^\x00-\x7f]/g, "").toLowerCase();
}

export function fnv1a(key) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function wordKeys(text, stop) {
  return [...new Set(fold(text).match(WORD) || [])]
    .filter((w) => w.length > 1 && !stop.has(w)).map((w) => `w:${w}`);
}

export function authorKey(name) {
  let text = name;
  if (text.includes(",")) {
    const [family, ...given] = text.split(",");
    text = `${given.join(",")} ${family}`;
  }
  const parts = fold(text).match(NAME_PART) || [];
  return parts.length ? `a:${parts.join("-")}` : null;
}

export function tagKey(tag) {
  const slug = fold(tag).replace(/[^a-z0-9.]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return slug ? `g:${slug}` : null;
}

function list(value, separator) {
  return (value || "").split(separator).map((s) => s.trim()).filter(Boolean);
}

// One criterion = one key; "w" holds several words, each its own criterion.
export function criteria(params, stop) {
  const include = [];
  const exclude = [];
  const add = (target, keys) => { for (const k of keys) if (k) target.push(k); };
  add(include, wordKeys(params.get("w") || "", stop));
  add(exclude, wordKeys(params.get("xw") || "", stop));
  add(include, list(params.get("a"), /[,;]/).map(authorKey));
  add(exclude, list(params.get("xa"), /[,;]/).map(authorKey));
  add(include, list(params.get("g"), /[,\s]+/).map(tagKey));
  add(exclude, list(params.get("xg"), /[,\s]+/).map(tagKey));
  add(include, params.getAll("t").filter(Boolean).map((t) => `t:${t}`));
  add(exclude, params.getAll("xt").filter(Boolean).map((t) => `t:${t}`));
  return { include, exclude, any: params.get("m") === "any" };
}

export function active(params) {
  return [...FIELDS, "t", "xt"].some((name) => params.getAll(name).some((v) => v.trim()));
}

export class FilterIndex {
  constructor(root) {
    this.root = new URL(root, location.href);
    this.files = new Map();
    this.manifest = this.json("index.json");
  }

  json(path) {
    if (!this.files.has(path)) {
      this.files.set(path, fetch(new URL(path, this.root)).then((r) => {
        if (!r.ok) throw new Error(`${r.status} ${path}`);
        return r.json();
      }));
    }
    return this.files.get(path);
  }

  async postings(key) {
    const { buckets } = await this.manifest;
    const bucket = await this.json(`keys/${fnv1a(key) & (buckets - 1)}.json`);
    const ids = new Set();
    let id = 0;
    for (const delta of bucket[key] || []) {
      id += delta;
      ids.add(id);
    }
    return ids;
  }

  // A predicate on paper numbers for the given criteria (null: no criteria at all).
  async matcher({ include, exclude, any }) {
    if (!include.length && !exclude.length) return null;
    const [inSets, outSets] = await Promise.all([
      Promise.all(include.map((k) => this.postings(k))),
      Promise.all(exclude.map((k) => this.postings(k))),
    ]);
    return (pid) => (!inSets.length
      || (any ? inSets.some((s) => s.has(pid)) : inSets.every((s) => s.has(pid))))
      && !outSets.some((s) => s.has(pid));
  }

  async record(pid) {
    const { papers_per_file: size } = await this.manifest;
    const file = await this.json(`papers/${Math.floor(pid / size)}.json`);
    return file[pid % size];
  }
}

function resultCard(record, base, topics) {
  const [slug, title, date, authors, topic, tags, upvotes] = record;
  const article = document.createElement("article");
  article.className = "card";
  const heading = document.createElement("h3");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.href = `${base}papers/${slug}/`;
  link.textContent = title;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [authors, date, upvotes != null ? `▲ ${upvotes}` : ""].filter(Boolean).join(" · ");
  article.append(heading, meta);
  const chips = document.createElement("ul");
  chips.className = "chips";
  chips.setAttribute("aria-label", "Topic and tags");
  const chip = (text, href, extra) => {
    const item = document.createElement("li");
    const a = document.createElement("a");
    a.className = `chip${extra}`;
    a.href = href;
    a.textContent = text;
    item.append(a);
    chips.append(item);
  };
  if (topic) chip(topics.get(topic) || topic, `${base}topics/${topic}/`, " chip-topic");
  for (const tag of tags) chip(`#${tag}`, `${base}tags/${tag}/`, "");
  if (chips.children.length) article.append(chips);
  return article;
}

function fillForm(form, params) {
  for (const name of FIELDS) form.elements[name].value = params.get(name) || "";
  form.querySelectorAll("input[type=checkbox]").forEach((box) => {
    box.checked = params.getAll(box.name).includes(box.value);
  });
  for (const radio of form.querySelectorAll("input[name=m]")) {
    radio.checked = radio.value === (params.get("m") === "any" ? "any" : "all");
  }
}

function topicBoxes(form, topics) {
  for (const fieldset of form.querySelectorAll(".filter-topic-list")) {
    const name = fieldset.dataset.name;
    for (const [slug, label] of topics) {
      const wrap = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = slug;
      wrap.append(box, ` ${label}`);
      fieldset.append(wrap);
    }
  }
}

// Cards on this page: hide those that do not match, and topic sections left empty.
function filterPage(main, match) {
  const cards = [...main.querySelectorAll("article[data-pid]")];
  let shown = 0;
  for (const card of cards) {
    const keep = !match || match(Number(card.dataset.pid));
    card.hidden = !keep;
    if (keep) shown += 1;
  }
  for (const group of main.querySelectorAll(".topic-group")) {
    group.hidden = !group.querySelector("article[data-pid]:not([hidden])");
  }
  return [shown, cards.length];
}

async function filterArchive(main, index, match, status, base) {
  const box = main.querySelector(".filter-results");
  const listed = main.querySelectorAll("article[data-pid], .pagination");
  if (!match) {
    box.hidden = true;
    box.replaceChildren();
    listed.forEach((node) => { node.hidden = false; });
    return null;
  }
  const manifest = await index.manifest;
  const topics = new Map(manifest.topics);
  const matches = [];
  for (let pid = manifest.papers - 1; pid >= 0; pid -= 1) if (match(pid)) matches.push(pid);
  listed.forEach((node) => { node.hidden = true; });
  box.replaceChildren();
  box.hidden = false;
  const more = document.createElement("button");
  more.type = "button";
  more.className = "filter-more";
  let next = 0;
  async function showMore() {
    const chunk = matches.slice(next, next + PAGE);
    next += chunk.length;
    const records = await Promise.all(chunk.map((pid) => index.record(pid)));
    more.before(...records.map((r) => resultCard(r, base, topics)));
    more.hidden = next >= matches.length;
    more.textContent = `Show ${Math.min(PAGE, matches.length - next)} more`;
  }
  more.addEventListener("click", () => { showMore(); });
  box.append(more);
  await showMore();
  status.textContent = matches.length === 0 ? "No paper matches this filter."
    : `${matches.length} paper${matches.length === 1 ? " matches" : "s match"} this filter.`;
  return matches.length;
}

async function setUp(details) {
  const form = details.querySelector("form");
  const main = details.closest("main") || document.body;
  const status = main.querySelector(".filter-status");
  const index = new FilterIndex(details.dataset.filters);
  const kind = details.dataset.kind;
  const base = new URL("..", index.root).pathname;
  const everywhere = details.querySelector(".filter-everywhere");
  let manifest;
  try {
    manifest = await index.manifest;
  } catch {
    return; // no index (an old build, or filters switched off): the box stays hidden
  }
  topicBoxes(form, manifest.topics);
  details.hidden = false;
  const stop = new Set(manifest.stop_words);

  async function apply(params) {
    fillForm(form, params);
    const on = active(params);
    details.classList.toggle("filter-on", on);
    if (on) details.open = true;
    const query = new URLSearchParams([...params].filter(([k, v]) => k !== "q" && v.trim()));
    if (everywhere) everywhere.href = `${details.dataset.archive}${on ? `?${query}` : ""}`;
    const match = on ? await index.matcher(criteria(params, stop)) : null;
    if (kind === "archive") {
      const count = await filterArchive(main, index, match, status, base);
      if (count === null) status.textContent = "";
    } else if (kind === "search") {
      document.paperboyFilter = match;
      document.dispatchEvent(new CustomEvent("paperboy:filter"));
      status.textContent = on ? "Search results are filtered." : "";
    } else {
      const [shown, total] = filterPage(main, match);
      status.textContent = on ? `${shown} of ${total} papers on this page match this filter.` : "";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams(location.search);
    for (const name of [...FIELDS, "t", "xt", "m"]) params.delete(name);
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim() && !(name === "m" && value === "all")) params.append(name, value);
    }
    const search = params.toString();
    history.pushState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
    apply(params);
  });
  window.addEventListener("popstate", () => apply(new URLSearchParams(location.search)));
  await apply(new URLSearchParams(location.search));
}

document.querySelectorAll("details[data-filters]").forEach(setUp);
