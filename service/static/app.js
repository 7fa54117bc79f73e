// The clause-search page: plain DOM code, no framework. Data from the API is only ever
// placed with textContent / text nodes, never parsed as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const KEY_STORAGE = "policy-search.api-key";
  const TOP_K = 10;
  const STATUS_HINTS = {
    401: "需要有效的 API 密钥（在右上角“API 密钥”中填写）",
    403: "当前密钥没有此操作的权限",
    404: "未找到",
    422: "检索条件有误",
    500: "服务器内部错误",
    503: "索引暂不可用，请稍后再试",
  };

  const form = $("search-form");
  const query = $("q");
  const docType = $("doc-type");
  const region = $("region");
  const dateFrom = $("date-from");
  const dateTo = $("date-to");
  const includeSuperseded = $("include-superseded");
  const apiKey = $("api-key");
  const keyBox = $("key-box");
  const statusLine = $("status");
  const errorBox = $("error");
  const resultList = $("results");
  const noticeLine = $("notice");
  const template = $("result-template");
  const context = $("context");
  const contextHeading = $("context-heading");
  const contextTitle = $("context-title");
  const contextError = $("context-error");
  const outlineList = $("outline");
  const unitList = $("units");

  let searchSeq = 0;
  let contextSeq = 0;
  let contextOpener = null;
  let indexSummary = "";

  class ApiFailure extends Error {
    constructor(message, status = 0, code = null, requestId = null) {
      super(message);
      this.status = status;
      this.code = code;
      this.requestId = requestId;
    }
  }

  // Relative URLs throughout, so the page works when the service sits behind a path prefix.
  // Every tool on the page fetches through here: it sends the API key and turns the error shape into ApiFailure.
  async function request(path, { params = null, method = "GET", json, accept = "application/json" } = {}) {
    const headers = { Accept: accept };
    const key = apiKey.value.trim();
    if (key) headers["X-API-Key"] = key;
    const init = { method, headers };
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    let response;
    try {
      response = await fetch(params ? `${path}?${params}` : path, init);
    } catch {
      throw new ApiFailure("无法连接检索服务，请检查网络后重试。");
    }
    if (!response.ok) {
      let error = {};
      try {
        error = (await response.json()).error || {};
      } catch {
        error = {};
      }
      throw new ApiFailure(error.message || `HTTP ${response.status}`, response.status, error.code, error.request_id);
    }
    return response;
  }

  async function api(path, params, options = {}) {
    const response = await request(path, { ...options, params });
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showError(box, failure) {
    const hint = STATUS_HINTS[failure.status] || (failure.status ? "请求失败" : "连接失败");
    box.replaceChildren(el("strong", null, `${hint}：`), document.createTextNode(failure.message));
    const extra = [failure.code, failure.requestId && `请求编号 ${failure.requestId}`].filter(Boolean).join(" · ");
    if (extra) box.append(el("span", "error-extra", extra));
    box.hidden = false;
  }

  // Highlights are code-point offsets (Python); Array.from splits by code point, not UTF-16 unit.
  function highlighted(text, spans) {
    const chars = Array.from(text);
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const [start, end] of spans || []) {
      if (start < at || end <= start || end > chars.length) continue;
      if (start > at) fragment.append(chars.slice(at, start).join(""));
      fragment.append(el("mark", null, chars.slice(start, end).join("")));
      at = end;
    }
    if (at < chars.length) fragment.append(chars.slice(at).join(""));
    return fragment;
  }

  function metaLine(documentMeta) {
    const line = document.createDocumentFragment();
    const parts = [documentMeta.doc_type, documentMeta.issuer, documentMeta.region, documentMeta.date, documentMeta.doc_number].filter(Boolean);
    line.append(parts.join(" · "));
    if (documentMeta.superseded) line.append(el("span", "badge", documentMeta.status || "已被新版本取代"));
    else if (documentMeta.status && documentMeta.status !== "现行有效") line.append(el("span", "badge", documentMeta.status));
    return line;
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // permission refused: fall through to the textarea route
      }
    }
    const focused = document.activeElement;
    const area = el("textarea", "offscreen");
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    if (focused && focused.focus) focused.focus();
    return copied;
  }

  function renderResult(result) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".citation").textContent = result.citation;
    item.querySelector(".meta").append(metaLine(result.document));
    const path = item.querySelector(".path");
    if (result.location.path.length) path.textContent = result.location.path.join(" › ");
    else path.remove();
    item.querySelector(".text").append(highlighted(result.text, result.highlights));

    const copy = item.querySelector(".copy");
    const feedback = item.querySelector(".copied");
    copy.setAttribute("aria-label", `复制引用：${result.citation}`);
    copy.addEventListener("click", async () => {
      const ok = await copyText(result.citation);
      feedback.textContent = ok ? "已复制" : "复制失败，请手动选择引用";
      feedback.classList.toggle("failed", !ok);
      clearTimeout(feedback.timer);
      feedback.timer = setTimeout(() => { feedback.textContent = ""; }, 2500);
    });

    const open = item.querySelector(".open-context");
    open.setAttribute("aria-label", `查看上下文：${result.citation}`);
    open.addEventListener("click", () => openContext(result.clause_id, result, open));
    return item;
  }

  function searchParams() {
    const params = new URLSearchParams({ q: query.value.trim() });
    if (docType.value) params.set("doc_type", docType.value);
    if (region.value) params.set("region", region.value);
    if (dateFrom.value) params.set("date_from", dateFrom.value);
    if (dateTo.value) params.set("date_to", dateTo.value);
    if (includeSuperseded.checked) params.set("include_superseded", "true");
    return params;
  }

  async function runSearch() {
    const q = query.value.trim();
    if (!q) {
      query.focus();
      return;
    }
    const params = searchParams();
    history.replaceState(null, "", `?${params}${location.hash}`);
    const seq = ++searchSeq;
    errorBox.hidden = true;
    resultList.setAttribute("aria-busy", "true");
    statusLine.textContent = "正在检索…";
    statusLine.classList.remove("empty");
    statusLine.classList.add("loading");
    params.set("top_k", String(TOP_K));
    try {
      const body = await api("search", params);
      if (seq !== searchSeq) return;
      noticeLine.textContent = body.notice || "";
      noticeLine.hidden = !body.notice;
      resultList.replaceChildren(...body.results.map(renderResult));
      statusLine.classList.toggle("empty", !body.results.length);
      statusLine.textContent = body.results.length
        ? `共 ${body.results.length} 条结果 · 用时 ${body.took_ms} 毫秒`
        : `没有找到与“${q}”匹配的条款。可换用其他关键词，或放宽筛选条件（如勾选“包含已废止/旧版本”）。`;
    } catch (failure) {
      if (seq !== searchSeq) return;
      resultList.replaceChildren();
      noticeLine.hidden = true;
      statusLine.textContent = "";
      showError(errorBox, failure);
    } finally {
      if (seq === searchSeq) {
        resultList.removeAttribute("aria-busy");
        statusLine.classList.remove("loading");
      }
    }
  }

  function renderUnit(unit, current, fromResult) {
    const item = el("li", current ? "unit current" : "unit");
    // The clause itself shows its full citation (the search result's, which names the matching 款/项).
    const label = current
      ? (fromResult || unit).citation
      : unit.location.article || unit.location.path[unit.location.path.length - 1] || "";
    const head = el("p", "unit-label", label);
    if (current) {
      item.setAttribute("aria-current", "true");
      head.append(el("span", "badge current-badge", "当前条文"));
    }
    const spans = current && fromResult ? fromResult.highlights : [];
    const text = el("p", "unit-text");
    text.append(highlighted(unit.text, spans));
    item.append(head, text);
    return item;
  }

  function renderOutline(entries) {
    outlineList.replaceChildren(...entries.map((entry) => {
      const item = el("li", entry.current ? "current" : "");
      item.style.setProperty("--depth", String(entry.depth));
      const jump = el("button", "outline-link", entry.heading);
      jump.type = "button";
      if (entry.article_range) jump.append(el("span", "range", entry.article_range));
      if (entry.current) jump.setAttribute("aria-current", "location");
      jump.addEventListener("click", () => openContext(entry.first_clause_id, null, contextOpener));
      item.append(jump);
      return item;
    }));
  }

  async function openContext(clauseId, fromResult, opener) {
    const seq = ++contextSeq;
    contextOpener = opener || contextOpener;
    context.hidden = false;
    document.body.classList.add("context-open");
    contextError.hidden = true;
    contextTitle.textContent = "正在加载…";
    unitList.setAttribute("aria-busy", "true");
    contextHeading.focus();
    try {
      const body = await api(`clauses/${encodeURIComponent(clauseId)}`, "neighbours=2");
      if (seq !== contextSeq) return;
      const documentMeta = body.clause.document;
      contextTitle.replaceChildren(el("span", "context-doc", `《${documentMeta.title}》`), metaLine(documentMeta));
      renderOutline(body.outline);
      unitList.replaceChildren(
        ...body.previous.map((unit) => renderUnit(unit, false)),
        renderUnit(body.clause, true, fromResult && fromResult.clause_id === clauseId ? fromResult : null),
        ...body.next.map((unit) => renderUnit(unit, false)),
      );
      const current = unitList.querySelector(".current");
      if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
    } catch (failure) {
      if (seq !== contextSeq) return;
      contextTitle.textContent = "";
      outlineList.replaceChildren();
      unitList.replaceChildren();
      showError(contextError, failure);
    } finally {
      if (seq === contextSeq) unitList.removeAttribute("aria-busy");
    }
  }

  function closeContext() {
    context.hidden = true;
    document.body.classList.remove("context-open");
    if (contextOpener && contextOpener.isConnected) contextOpener.focus();
  }

  // Tabs follow the WAI-ARIA pattern: one tab stop, arrow keys move between tabs, each tab shows its panel.
  const tabs = [...document.querySelectorAll('.tabs [role="tab"]')];

  function selectTab(tab, focus = false) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    const hash = tab.dataset.hash ? `#${tab.dataset.hash}` : "";
    if (location.hash !== hash) history.replaceState(null, "", `${location.pathname}${location.search}${hash}`);
  }

  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(tab);
      const next = {
        ArrowRight: tabs[(at + 1) % tabs.length],
        ArrowLeft: tabs[(at - 1 + tabs.length) % tabs.length],
        Home: tabs[0],
        End: tabs[tabs.length - 1],
      }[event.key];
      if (!next) return;
      event.preventDefault();
      selectTab(next, true);
    });
  }

  // `rank` orders the options (document types by authority, 法律 first); the rest sort as Chinese text.
  function fillSelect(select, values, rank = new Map()) {
    const chosen = select.value;
    const all = new Set(values);
    if (chosen) all.add(chosen);
    const order = (value) => (rank.has(value) ? rank.get(value) : Infinity);
    const options = [...all].sort((a, b) => order(a) - order(b) || a.localeCompare(b, "zh-CN")).map((value) => {
      const option = el("option", null, value);
      option.value = value;
      return option;
    });
    select.replaceChildren(select.options[0], ...options);
    select.value = chosen;
  }

  async function loadFilters() {
    const types = new Set();
    const authority = new Map();
    const regions = new Set();
    let offset = 0;
    let total = 1;
    for (let page = 0; offset < total && page < 20; page += 1) {
      const body = await api("documents", new URLSearchParams({ limit: "100", offset: String(offset) }));
      total = body.total;
      offset += body.documents.length;
      for (const documentMeta of body.documents) {
        if (documentMeta.doc_type) {
          types.add(documentMeta.doc_type);
          authority.set(documentMeta.doc_type, documentMeta.authority);
        }
        if (documentMeta.region) regions.add(documentMeta.region);
      }
      if (!body.documents.length) break;
    }
    fillSelect(docType, types, authority);
    fillSelect(region, regions);
  }

  async function loadReadiness() {
    try {
      const ready = await api("readyz");
      indexSummary = `索引收录 ${ready.documents} 份文件、${ready.clauses} 个条款。`;
      if (!statusLine.textContent) statusLine.textContent = indexSummary;
    } catch (failure) {
      showError(errorBox, failure);
    }
  }

  function restoreFromUrl() {
    const params = new URLSearchParams(location.search);
    query.value = params.get("q") || "";
    for (const [select, name] of [[docType, "doc_type"], [region, "region"]]) {
      const value = params.get(name);
      if (!value) continue;
      if (![...select.options].some((option) => option.value === value)) select.append(el("option", null, value));
      select.value = value;
    }
    dateFrom.value = params.get("date_from") || "";
    dateTo.value = params.get("date_to") || "";
    includeSuperseded.checked = params.get("include_superseded") === "true";
  }

  function storedKey() {
    try {
      return localStorage.getItem(KEY_STORAGE) || "";
    } catch {
      return "";
    }
  }

  function storeKey(value) {
    try {
      if (value) localStorage.setItem(KEY_STORAGE, value);
      else localStorage.removeItem(KEY_STORAGE);
    } catch {
      // storage disabled: the key lasts for this page only
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });
  for (const control of [docType, region, dateFrom, dateTo, includeSuperseded]) {
    control.addEventListener("change", () => { if (query.value.trim()) runSearch(); });
  }
  function keyChanged() {
    const key = apiKey.value.trim();
    if (key === storedKey()) return;
    storeKey(key);
    errorBox.hidden = true;
    loadFilters().catch((failure) => showError(errorBox, failure));
    if (query.value.trim()) runSearch();
  }
  apiKey.addEventListener("change", keyChanged);
  apiKey.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    keyBox.open = false;
    keyChanged();
    query.focus();
  });
  document.addEventListener("pointerdown", (event) => {
    if (keyBox.open && !keyBox.contains(event.target)) keyBox.open = false;
  });
  $("context-close").addEventListener("click", closeContext);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (keyBox.open) keyBox.open = false;
    else if (!context.hidden) closeContext();
  });

  // The helpers other tools on this page (draft.js) build on; loaded after this file.
  window.PolicyPage = Object.freeze({ api, request, el, showError, metaLine });

  apiKey.value = storedKey();
  selectTab(tabs.find((tab) => tab.dataset.hash && `#${tab.dataset.hash}` === location.hash) || tabs[0]);
  restoreFromUrl();
  loadReadiness();
  loadFilters()
    .catch((failure) => showError(errorBox, failure))
    .finally(() => {
      if (query.value.trim()) runSearch();
      else if (!$("panel-search").hidden) query.focus();
    });
})();
