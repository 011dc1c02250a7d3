/* Site search: Material's header search box, answered by Pagefind's JS API.
 *
 * Pagefind (pagefind/, written by docs/.hooks/pagefind_index.py) loads only when the reader
 * first focuses the box; a query then fetches the index chunks of its words and the excerpts
 * of the results shown (PAGE at a time, more on request). Keyboard: "/", "s" or "f" focus
 * the box, ↓/↑ move through the results, Enter opens the first one, Esc closes the box.
 * A ?q= in the address opens the box with that query.
 */
(() => {
  "use strict";
  const root = document.querySelector("[data-pagefind-search]");
  if (!root) return;
  const form = root.querySelector("form");
  const input = root.querySelector(".md-search__input");
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const toggle = document.getElementById("__search");
  const config = JSON.parse(document.getElementById("__config").textContent);
  const t = config.translations;
  const site = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const PAGE = 5; // results whose excerpts load at once
  // fields of each post (docs/.hooks/pagefind_index.py): what it is about (title words, tags)
  // counts more than what it explains along the way (dictionary terms, headings, definitions)
  const RANKING = { metaWeights: { title: 5, topic: 4, terms: 2 } };

  let loading = null;
  let results = [];
  let shown = 0;
  let latest = 0;

  const load = () => {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", site).href).then(async (pagefind) => {
        // noWorker: for an index this size a search takes milliseconds on the main thread;
        // the worker would cost its own 12 KB script and a start-up on the first search
        await pagefind.options({ baseUrl: site.pathname, excerptLength: 30, ranking: RANKING,
                                 noWorker: true });
        await pagefind.init();
        return pagefind;
      });
    }
    return loading;
  };

  const element = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // Pagefind's excerpt is text with <mark>: keep exactly that, as text and <mark> nodes
  const excerpt = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html || "";
    const p = element("p");
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") p.append(element("mark", null, node.textContent));
      else p.append(document.createTextNode(node.textContent));
    }
    return p;
  };

  const title = (data) => (data.meta.title || data.url).replace(/¶$/, "");

  const render = (data) => {
    const item = element("li", "md-search-result__item");
    const link = element("a", "md-search-result__link");
    link.href = data.url;
    const article = element("article",
      "md-search-result__article md-search-result__article--document md-typeset");
    article.append(element("div", "md-search-result__icon md-icon"), element("h1", null, title(data)));
    article.append(excerpt(data.excerpt));
    link.append(article);
    item.append(link);
    // the sections that match, as Material lists them under their page
    const sections = (data.sub_results || [])
      .filter((s) => s.url.includes("#") && s.title.replace(/¶$/, "") !== title(data))
      .slice(0, 2);
    for (const section of sections) {
      const sub = element("a", "md-search-result__link");
      sub.href = section.url;
      const body = element("article", "md-search-result__article md-typeset");
      body.append(element("h2", null, section.title.replace(/¶$/, "")), excerpt(section.excerpt));
      sub.append(body);
      item.append(sub);
    }
    return item;
  };

  const count = (n) =>
    n === 0 ? t["search.result.none"]
      : n === 1 ? t["search.result.one"] : t["search.result.other"].replace("#", n);

  const showMore = async (query) => {
    const next = results.slice(shown, shown + PAGE);
    shown += next.length;
    const datas = await Promise.all(next.map((r) => r.data()));
    if (query !== latest) return;
    list.querySelector(".search-more")?.remove();
    for (const data of datas) list.append(render(data));
    if (shown < results.length) {
      const more = element("li", "md-search-result__item search-more");
      const button = element("button", null,
        `显示更多结果（还有 ${results.length - shown} 个）`);
      button.type = "button";
      button.addEventListener("click", () => showMore(query));
      more.append(button);
      list.append(more);
    }
  };

  const search = async () => {
    const query = ++latest;
    const text = input.value.trim();
    if (!text) {
      list.replaceChildren();
      meta.textContent = t["search.result.placeholder"];
      return;
    }
    let pagefind;
    try {
      pagefind = await load();
    } catch (error) {
      meta.textContent = `搜索不可用：${error.message}`;
      return;
    }
    const found = await pagefind.search(text);
    if (query !== latest || !found) return;
    results = found.results;
    shown = 0;
    list.replaceChildren();
    meta.textContent = count(results.length);
    await showMore(query);
  };

  const open = () => {
    toggle.checked = true;
    load().catch(() => {}); // the engine and the index's first file, while the reader types
  };

  const close = () => {
    toggle.checked = false;
    input.blur();
  };

  let composing = false;
  input.addEventListener("focus", open);
  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; search(); });
  input.addEventListener("input", () => { if (!composing) search(); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list.querySelector(".md-search-result__link")?.click();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => { search(); input.focus(); });
  });
  toggle.addEventListener("change", () => { if (!toggle.checked) input.blur(); });
  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) toggle.checked = false;
  });

  const focusable = () => [input, ...list.querySelectorAll("a, button")];
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      event.preventDefault();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const items = focusable();
      const at = items.indexOf(document.activeElement);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = items[Math.min(Math.max(at + step, 0), items.length - 1)];
      if (next) {
        next.focus();
        event.preventDefault();
      }
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || toggle.checked) return;
    const target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (["/", "s", "f"].includes(event.key)) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    input.focus();
    search();
  }
})();
