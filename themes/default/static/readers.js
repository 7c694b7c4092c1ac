// Paperboy, for one reader: stars, "new since your last visit" marks, read papers (with a
// toggle that hides them) and the "For you" ranking: a logistic regression trained in this
// browser on the starred papers' compact TF-IDF vectors (generator/ranking). Everything is kept
// in localStorage and never sent anywhere. Pages work without this file. Text is inserted as
// text nodes only.

const script = document.currentScript || document.querySelector("script[data-base][src*='readers']");
const BASE = script ? script.dataset.base : "/";
const RANKING = script ? script.dataset.ranking : undefined;
const KEY = (name) => `paperboy:${BASE}:${name}`;
const SLUG = /^[a-z0-9][a-z0-9.-]{0,199}$/;
const MAX_READ = 5000;
const RECENT_PAPERS = 1000; // the newest months are ranked until they hold this many papers
const SHOWN = 50;
export const TRAINING = { iterations: 200, rate: 0.5, l2: 0.01 };

function load(name, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(KEY(name)));
    return value ?? fallback;
  } catch {
    return fallback;
  }
}

function save(name, value) {
  try {
    localStorage.setItem(KEY(name), JSON.stringify(value));
  } catch {
    // storage full or disabled: the page still works, it only forgets
  }
}

export function stars() {
  const value = load("stars", {});
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

function slugOf(article) {
  const link = article.matches(".paper") ? location : article.querySelector(".card-title a");
  const path = link ? new URL(link.href, location.href).pathname : "";
  const match = path.match(/\/papers\/([^/]+)\/$/);
  return match && SLUG.test(match[1]) ? match[1] : null;
}

function paperInfo(article) {
  const title = article.querySelector(".card-title, h1");
  const time = article.querySelector("time[datetime]");
  return { title: (title ? title.textContent : "").trim().slice(0, 500),
    date: time ? time.getAttribute("datetime").slice(0, 10) : "" };
}

function setStar(button, on, title) {
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "★ Starred" : "☆ Star";
  button.setAttribute("aria-label", `${on ? "Starred" : "Star"}: ${title}`);
}

function addStarButtons() {
  for (const article of document.querySelectorAll("main article[data-pid]")) {
    const slug = slugOf(article);
    if (!slug || article.querySelector("button.star")) continue;
    const info = paperInfo(article);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "star";
    setStar(button, slug in stars(), info.title);
    button.addEventListener("click", () => {
      const all = stars();
      if (slug in all) delete all[slug];
      else all[slug] = info;
      save("stars", all);
      setStar(button, slug in all, info.title);
      document.dispatchEvent(new CustomEvent("paperboy:stars"));
    });
    const place = article.querySelector(".meta") || article.firstElementChild;
    place.after(button);
  }
}

// "New" marks: papers dated after the newest paper seen in an earlier visit. The mark stays
// for the whole visit (a browser session), so reloading does not clear it.
function markNew(cards) {
  let base = sessionStorage.getItem(KEY("seen-before"));
  if (base === null) {
    base = load("seen", "");
    sessionStorage.setItem(KEY("seen-before"), base);
  }
  let newest = load("seen", "");
  for (const { article, date } of cards) {
    if (date > newest) newest = date;
    if (base && date > base && !article.querySelector(".new-badge")) {
      const badge = document.createElement("span");
      badge.className = "new-badge";
      badge.textContent = "New";
      badge.title = "New since your last visit";
      (article.querySelector(".card-title") || article).append(" ", badge);
    }
  }
  save("seen", newest);
}

function readSet() {
  const value = load("read", []);
  return new Set(Array.isArray(value) ? value.filter((s) => typeof s === "string") : []);
}

function markRead(slug) {
  const read = [...readSet()].filter((s) => s !== slug);
  read.push(slug);
  save("read", read.slice(-MAX_READ));
}

function readToggle(cards) {
  if (!cards.length) return;
  const read = readSet();
  for (const { article, slug } of cards) article.classList.toggle("is-read", read.has(slug));
  const button = document.createElement("button");
  button.type = "button";
  button.className = "hide-read";
  const apply = () => {
    const on = load("hide-read", false) === true;
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Show read papers" : "Hide read papers";
    for (const { article, slug } of cards) {
      article.classList.toggle("read-hidden", on && read.has(slug));
    }
  };
  button.addEventListener("click", () => { save("hide-read", !(load("hide-read", false) === true)); apply(); });
  const first = cards[0].article.closest(".topic-group") || cards[0].article;
  const anchor = document.querySelector("main details.filters") || first;
  anchor.before(button);
  apply();
}

// ---- the ranking ----

export function features(pairs) {
  // (term, weight 1..255) pairs -> Map term -> weight, L2-normalised
  const vector = new Map();
  let norm = 0;
  for (const [term, level] of pairs) {
    if (typeof term !== "string" || !Number.isFinite(level)) continue;
    const w = level / 255;
    vector.set(term, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of vector) vector.set(t, w / norm);
  return vector;
}

// Weighted logistic regression by full-batch gradient descent: deterministic, and small
// enough (a few thousand papers x 16 terms) to train in milliseconds.
export function train(examples, { iterations, rate, l2 } = TRAINING) {
  const positives = examples.filter((e) => e.label).length;
  const negatives = examples.length - positives;
  const weight = { true: examples.length / (2 * positives), false: examples.length / (2 * negatives) };
  const model = new Map();
  let bias = 0;
  for (let step = 0; step < iterations; step += 1) {
    const gradient = new Map();
    let gradientBias = 0;
    for (const { vector, label } of examples) {
      let z = bias;
      for (const [t, x] of vector) z += (model.get(t) || 0) * x;
      const error = (1 / (1 + Math.exp(-z)) - (label ? 1 : 0)) * weight[label];
      for (const [t, x] of vector) gradient.set(t, (gradient.get(t) || 0) + error * x);
      gradientBias += error;
    }
    for (const [t, g] of gradient) {
      const w = model.get(t) || 0;
      model.set(t, w - rate * (g / examples.length + l2 * w));
    }
    bias -= rate * gradientBias / examples.length;
  }
  return { model, bias };
}

export function score({ model, bias }, vector) {
  let z = bias;
  const parts = [];
  for (const [t, x] of vector) {
    const c = (model.get(t) || 0) * x;
    z += c;
    if (c > 0) parts.push([c, t]);
  }
  parts.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1));
  return { score: z, why: parts.slice(0, 3).map(([, t]) => t) };
}

async function json(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return response.json();
}

// The papers to rank (the newest months), and the starred papers with their vectors. A starred
// paper's vector is kept with its star, so its month is fetched once, not at every visit.
export async function loadPapers(root, starred) {
  const index = await json(new URL("index.json", root));
  const months = [];
  let count = 0;
  for (const [month, papers] of index.months) {
    if (count >= RECENT_PAPERS) break;
    months.push(month);
    count += papers;
  }
  const known = new Set(index.months.map(([m]) => m));
  const missing = Object.entries(starred).filter(([, info]) => !Array.isArray(info.v));
  const extra = new Set(missing.map(([, info]) => String(info.date || "").slice(0, 7))
    .filter((m) => known.has(m) && !months.includes(m)));
  const shards = await Promise.all([...months, ...extra].map(async (month) => [month,
    await json(new URL(`${month}.json`, root))]));
  const papers = [];
  const found = new Map();
  for (const [month, shard] of shards) {
    for (const [slug, pid, title, date, flat] of shard.papers) {
      const pairs = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([shard.terms[flat[i]], flat[i + 1]]);
      if (slug in starred) found.set(slug, pairs);
      if (months.includes(month)) papers.push({ slug, pid, title, date, recent: true, pairs });
    }
  }
  if (missing.some(([slug]) => found.has(slug))) {
    const all = stars();
    for (const [slug, pairs] of found) if (all[slug]) all[slug].v = pairs;
    save("stars", all);
  }
  for (const [slug, info] of Object.entries(starred)) {
    const pairs = found.get(slug) || (Array.isArray(info.v) ? info.v : null);
    if (pairs && !papers.some((p) => p.slug === slug)) {
      papers.push({ slug, title: info.title, date: info.date, recent: false, pairs });
    }
  }
  for (const paper of papers) paper.vector = features(paper.pairs);
  return papers;
}

export function rank(papers, starred) {
  const examples = papers.map((p) => ({ vector: p.vector, label: p.slug in starred }));
  if (!examples.some((e) => e.label) || examples.every((e) => e.label)) return null;
  const fitted = train(examples);
  return papers.filter((p) => p.recent && !(p.slug in starred))
    .map((p) => ({ ...p, ...score(fitted, p.vector) }))
    .sort((a, b) => b.score - a.score || (a.slug < b.slug ? -1 : 1));
}

function item(paper, why) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = `${BASE}papers/${paper.slug}/`;
  link.textContent = paper.title;
  li.append(link);
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = ` ${paper.date}`;
  li.append(meta);
  if (why && why.length) {
    const reason = document.createElement("p");
    reason.className = "why";
    reason.textContent = `Shares with your stars: ${why.join(", ")}`;
    li.append(reason);
  }
  return li;
}

function profileExport() {
  const profile = { format: "paperboy-profile", version: 1, site: BASE, stars: stars(),
    read: [...readSet()] };
  const blob = new Blob([JSON.stringify(profile, null, 1)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "paperboy-profile.json";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function mergeProfile(text) {
  const profile = JSON.parse(text);
  if (!profile || profile.format !== "paperboy-profile" || typeof profile.stars !== "object") {
    throw new Error("not a Paperboy profile");
  }
  const all = stars();
  let added = 0;
  for (const [slug, info] of Object.entries(profile.stars || {})) {
    if (!SLUG.test(slug) || !info || typeof info !== "object") continue;
    if (!(slug in all)) added += 1;
    all[slug] = { title: String(info.title || slug).slice(0, 500),
      date: /^\d{4}-\d{2}-\d{2}$/.test(info.date) ? info.date : "" };
    if (Array.isArray(info.v)) {
      all[slug].v = info.v.slice(0, 64).filter((p) => Array.isArray(p) && typeof p[0] === "string"
        && Number.isFinite(p[1])).map(([t, w]) => [t.slice(0, 100), Math.max(0, Math.min(255, w))]);
    }
  }
  save("stars", all);
  return added;
}

async function forYou(section) {
  section.hidden = false;
  const status = section.querySelector(".for-you-status");
  const list = section.querySelector(".for-you-list");
  const starredList = section.querySelector(".starred-list");
  const root = new URL(RANKING, location.href);

  async function render() {
    const starred = stars();
    starredList.replaceChildren(...Object.entries(starred)
      .sort((a, b) => (b[1].date || "").localeCompare(a[1].date || "") || (a[0] < b[0] ? -1 : 1))
      .map(([slug, info]) => item({ slug, title: info.title || slug, date: info.date || "" })));
    if (!Object.keys(starred).length) {
      list.replaceChildren();
      status.textContent = "Star a few papers you like, and this page ranks recent papers for you.";
      return;
    }
    status.textContent = "Ranking recent papers…";
    const papers = await loadPapers(root, starred);
    const ranked = rank(papers, starred);
    if (!ranked) {
      list.replaceChildren();
      status.textContent = "None of your starred papers is on this site any more.";
      return;
    }
    list.replaceChildren(...ranked.slice(0, SHOWN).map((p) => item(p, p.why)));
    const used = papers.filter((p) => p.slug in starred).length;
    status.textContent = `${Math.min(SHOWN, ranked.length)} of ${ranked.length} recent papers, ranked by a model trained on your ${used} starred paper${used === 1 ? "" : "s"}.`;
  }

  section.querySelector("[data-profile-export]").addEventListener("click", profileExport);
  section.querySelector("[data-profile-import]").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (!file) return;
    try {
      const added = mergeProfile(await file.text());
      status.textContent = `Imported ${added} new star${added === 1 ? "" : "s"}.`;
      await render();
    } catch (error) {
      status.textContent = `That file is not a Paperboy profile (${error.message}).`;
    }
    event.target.value = "";
  });
  section.querySelector("[data-profile-clear]").addEventListener("click", () => {
    save("stars", {});
    render();
  });
  document.addEventListener("paperboy:stars", render);
  await render();
}

function setUp() {
  addStarButtons();
  const cards = [...document.querySelectorAll("main article.card[data-pid]")]
    .map((article) => ({ article, slug: slugOf(article),
      date: (article.querySelector("time[datetime]")?.getAttribute("datetime") || "").slice(0, 10) }))
    .filter((c) => c.slug);
  markNew(cards);
  readToggle(cards);
  const paper = document.querySelector("main article.paper[data-pid]");
  if (paper) {
    const slug = slugOf(paper);
    if (slug) markRead(slug);
  }
  const section = document.querySelector("[data-for-you]");
  if (section && RANKING) forYou(section);
}

setUp();
