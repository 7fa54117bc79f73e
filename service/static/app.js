// The clause-search page: plain DOM code, no framework. Data from the API is only ever
// placed with textContent / text nodes, never parsed as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const KEY_STORAGE = "policy-search.api-key";
  const TOP_K = 10;  // hits per page; 更多 asks for the next ten
  const MAX_TOP_K = 100;  // the API's bound
  // Dates a person means: the year typed in full. A date input reports 0002-…, 0020-…, 0202-… while a year is typed.
  const MIN_YEAR = 1900;
  const MAX_YEAR = 2099;
  const DATE_SETTLE_MS = 700;
  const STATUS_HINTS = {
    401: "需要有效的 API 密钥（在右上角“API 密钥”中填写）",
    403: "当前密钥没有此操作的权限",
    404: "未找到",
    413: "请求内容过大",
    414: "检索内容过长",
    422: "检索条件有误",
    500: "服务器内部错误",
    503: "索引暂不可用，请稍后再试",
  };
  // How a related clause was found (relation.how of GET clauses/{id}/related).
  const HOW_LABELS = { cited: "引用", restates: "转述", document: "文件依据", unresolved: "未收录", penalty: "罚则", duty: "义务" };
  // The verdicts of POST citations/check; `warn` ones are shown orange, other problems red.
  const VERDICT_LABELS = {
    ok: "正确",
    unknown_document: "文件未收录",
    ambiguous: "名称有歧义",
    no_article: "条不存在",
    no_paragraph: "款不存在",
    no_item: "项不存在",
    older_version: "引用旧版本",
    repealed: "已废止",
    not_in_force: "尚未施行",
  };
  const WARN_VERDICTS = new Set(["ambiguous", "older_version", "not_in_force"]);
  const RELATED_SHOWN = 5;
  const QUOTE_CHARS = 80;

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
  const moreButton = $("more-results");
  const template = $("result-template");
  const context = $("context");
  const contextHeading = $("context-heading");
  const contextTitle = $("context-title");
  const contextError = $("context-error");
  const outlineList = $("outline");
  const unitList = $("units");
  const contextBasis = $("context-basis");
  const checkForm = $("check-form");
  const checkInput = $("check-input");
  const checkStatus = $("check-status");
  const checkError = $("check-error");
  const checkResult = $("check-result");
  const checkSummary = $("check-summary");
  const checkText = $("check-text");
  const checkList = $("check-list");

  let searchSeq = 0;
  let contextSeq = 0;
  let contextOpener = null;
  let contextInHistory = false;  // the open panel has a history entry, so the back button closes it
  let searched = null;  // the parameters of the hits on show, for 更多
  let dateTimer = 0;
  let indexSummary = "";
  let checkSeq = 0;
  let basisPanels = 0;

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

  // The service's messages are English (for logs and API clients); the page says what they mean in Chinese.
  const MESSAGES = [
    [/^date_from (\S+) is after date_to (\S+)/, (m) => `起始日期 ${m[1]} 晚于截止日期 ${m[2]}，请调整日期范围。`],
    [/^date_(from|to): expected a date/, (m) => `${m[1] === "from" ? "起始" : "截止"}日期格式有误，应为“年-月-日”，如 2020-01-01。`],
    [/^query is empty/, () => "请输入检索词。"],
    [/^query is (\d+) characters; at most (\d+)/, (m) => `检索词有 ${m[1]} 字，最多 ${m[2]} 字，请精简后再试。`],
    [/^top_k must be/, () => "结果数量超出范围。"],
    [/^an API key is required/, () => "请在右上角“API 密钥”中填写密钥。"],
    [/^the API key is not valid/, () => "所填密钥无效，请核对后重新填写。"],
    [/^internal error/, () => "请稍后再试；如仍出现，请将请求编号告知管理员。"],
    [/^no clause/, () => "该条款已不在索引中（索引可能已更新），请重新检索。"],
    [/^invalid request/, () => "请求内容有误，请检查输入后重试。"],
  ];
  const HAS_CHINESE = /[\u4e00-\u9fff]/;

  // The sentence a person reads; the service's own words stay in its log, found by the request id.
  function errorText(failure) {
    const message = failure.message || "";
    if (HAS_CHINESE.test(message)) return message;
    for (const [pattern, say] of MESSAGES) {
      const match = message.match(pattern);
      if (match) return say(match);
    }
    return failure.status >= 500 ? "请稍后再试。" : failure.status === 404 ? "所请求的内容不存在。" : "请检查输入后重试。";
  }

  function showError(box, failure) {
    const hint = STATUS_HINTS[failure.status] || (failure.status ? "请求失败" : "连接失败");
    delete box.dataset.source;  // not the dates' own message, which a corrected date clears
    box.replaceChildren(el("strong", null, `${hint}：`), document.createTextNode(errorText(failure)));
    if (failure.requestId) box.append(el("span", "error-extra", `请求编号 ${failure.requestId}`));
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
    if (documentMeta.ocr_pages) {
      const ocr = el("span", "badge ocr-badge", "OCR识别");
      const mean = (Math.floor(documentMeta.ocr_confidence * 100) / 100).toFixed(2);
      ocr.title = `本文件有 ${documentMeta.ocr_pages} 页由扫描件或图片经OCR识别（平均置信度 ${mean}），引用前请核对原件`;
      line.append(ocr);
    }
    if (documentMeta.sample) line.append(sampleBadge());
    return line;
  }

  // A unit read by OCR: its lowest line confidence, so that a doubtful quote is checked against the paper.
  function ocrNote(result) {
    if (typeof result.ocr_confidence !== "number") return null;
    const doubtful = result.ocr_confidence < 0.9;
    const shown = (Math.floor(result.ocr_confidence * 100) / 100).toFixed(2); // rounded down: 0.996 never reads as 1.00
    return el("p", doubtful ? "ocr-note doubtful" : "ocr-note", `OCR识别，置信度 ${shown}${doubtful ? "，请核对原件" : ""}`);
  }

  function sampleBadge() {
    const badge = el("span", "badge sample-badge", "示例");
    badge.title = "本项目编写的示例文件，不是真实文件，不能作为依据引用";
    return badge;
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
    item.dataset.clauseId = result.clause_id;
    item.querySelector(".citation").textContent = result.citation;
    item.querySelector(".citation").tabIndex = -1;  // 更多 moves focus to the first new hit
    item.querySelector(".meta").append(metaLine(result.document));
    if (result.counterpart_of) {
      const badge = el("span", "badge counterpart-badge", "上条的另一版本");
      badge.title = "同一规定在本文件另一版本（或取代它的文件）中的条文，列在上一条之后";
      item.querySelector(".meta").append(badge);
    }
    const path = item.querySelector(".path");
    if (result.location.path.length) path.textContent = result.location.path.join(" › ");
    else path.remove();
    item.querySelector(".text").append(highlighted(result.text, result.highlights));
    const ocr = ocrNote(result);
    if (ocr) item.querySelector(".text").after(ocr);

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

    // 依据链: loaded on the first opening, then only shown and hidden.
    const basisButton = item.querySelector(".open-basis");
    const basisPanel = item.querySelector(".result-basis");
    basisPanel.id = `result-basis-${++basisPanels}`;
    basisButton.setAttribute("aria-controls", basisPanel.id);
    basisButton.setAttribute("aria-label", `依据链：${result.citation}`);
    basisButton.addEventListener("click", () => {
      const show = basisButton.getAttribute("aria-expanded") !== "true";
      basisButton.setAttribute("aria-expanded", String(show));
      basisPanel.hidden = !show;
      if (show && !basisPanel.childElementCount) loadBasis(basisPanel, result.clause_id, false);
    });
    return item;
  }

  function shortQuote(text, limit = QUOTE_CHARS) {
    const chars = Array.from(text || "");
    return chars.length > limit ? `${chars.slice(0, limit).join("")}…` : chars.join("");
  }

  function statusBadge(documentMeta) {
    return documentMeta && documentMeta.status && documentMeta.status !== "现行有效" ? el("span", "badge", documentMeta.status) : null;
  }

  function howLabel(relation) {
    if (!relation || !relation.how) return "";
    const label = HOW_LABELS[relation.how] || relation.how;
    return relation.how === "restates" && typeof relation.similarity === "number"
      ? `${label}（相似度 ${relation.similarity.toFixed(2)}）`
      : label;
  }

  // One related clause: a link opening its context (and with it its own 依据链); the clause the context
  // shows, and references with no clause in the index, as plain text.
  function relatedEntry(item, selfIds, inContext) {
    const nodes = [];
    if (item.clause_id && !selfIds.has(item.clause_id)) {
      const link = el("button", "basis-link", item.citation);
      link.type = "button";
      link.title = "查看此条上下文及其依据链";
      link.addEventListener("click", () => openContext(item.clause_id, item, inContext ? null : link));
      nodes.push(link);
    } else {
      const plain = el("span", item.clause_id ? "basis-self" : "basis-plain", item.citation);
      if (item.clause_id) plain.setAttribute("aria-current", "true");
      nodes.push(plain);
    }
    const badge = statusBadge(item.document);
    if (badge) nodes.push(badge);
    if (!item.clause_id && item.resolved === false) nodes.push(el("span", "badge basis-missing", "未收录"));
    const how = item.relation && item.relation.how !== "unresolved" ? howLabel(item.relation) : "";
    if (how) nodes.push(el("span", `basis-how how-${item.relation.how}`, how));
    return nodes;
  }

  function relatedKey(item) {
    return item.clause_id || `doc:${item.citation}`;
  }

  // A titled list of related clauses, the first few shown and the rest behind a button.
  function relatedGroup(title, items, selfIds, inContext, className = "") {
    const group = el("div", `basis-group ${className}`.trim());
    const list = el("ul", "basis-list");
    const entries = items.map((item) => {
      const entry = el("li", "basis-item");
      entry.append(...relatedEntry(item, selfIds, inContext));
      return entry;
    });
    list.append(...entries.slice(0, RELATED_SHOWN));
    group.append(el("h4", "basis-heading", `${title}（${items.length}）`), list);
    if (entries.length > RELATED_SHOWN) {
      const more = el("button", "more", `展开其余 ${entries.length - RELATED_SHOWN} 条`);
      more.type = "button";
      more.addEventListener("click", () => {
        list.append(...entries.slice(RELATED_SHOWN));
        more.remove();
        const next = entries[RELATED_SHOWN].querySelector("button, span");
        if (next && next.focus) next.focus();
      });
      group.append(more);
    }
    return group;
  }

  function renderBasis(body, inContext) {
    const selfIds = new Set(inContext ? [body.clause.clause_id, body.chain[0] && body.chain[0].clause_id].filter(Boolean) : []);
    const nodes = [];
    const chain = el("ol", "basis-chain");
    chain.setAttribute("aria-label", "依据链：自本条向上至法律");
    body.chain.forEach((step, at) => {
      const item = el("li", at === 0 ? "chain-step chain-self" : "chain-step");
      item.append(...relatedEntry(step, selfIds, inContext));
      if (at === 0) item.append(el("span", "basis-how", "本条"));
      chain.append(item);
    });
    const chainGroup = el("div", "basis-group");
    chainGroup.append(el("h4", "basis-heading", "依据链"), chain);
    if (body.chain.length < 2) chainGroup.append(el("p", "empty-note", "未发现上位依据。"));
    nodes.push(chainGroup);

    const onChain = new Set(body.chain.map(relatedKey));
    const otherBases = body.bases.filter((item) => !onChain.has(relatedKey(item)));
    const below = new Set(body.implemented_by.map(relatedKey));
    const asBases = new Set(body.bases.map(relatedKey));
    const groups = [
      ["其他依据", otherBases, "basis-others"],
      ["下位落实条款", body.implemented_by, "basis-implemented"],
      ["被引用", body.cited_by.filter((item) => !below.has(relatedKey(item))), "basis-cited-by"],
      ["其他引用", body.cites.filter((item) => !asBases.has(relatedKey(item))), "basis-cites"],
      ["罚则", body.penalties, "basis-penalties"],
      ["对应义务", body.duties, "basis-duties"],
    ];
    for (const [title, items, className] of groups) {
      if (items.length) nodes.push(relatedGroup(title, items, selfIds, inContext, className));
    }
    return nodes;
  }

  async function loadBasis(container, clauseId, inContext) {
    const seq = (container.basisSeq = (container.basisSeq || 0) + 1);
    container.setAttribute("aria-busy", "true");
    container.replaceChildren(el("p", "status loading", "正在查找依据…"));
    try {
      const body = await api(`clauses/${encodeURIComponent(clauseId)}/related`);
      if (seq !== container.basisSeq) return;
      container.replaceChildren(...renderBasis(body, inContext));
    } catch (failure) {
      if (seq !== container.basisSeq) return;
      const box = el("div", "error");
      showError(box, failure);
      container.replaceChildren(box);
    } finally {
      if (seq === container.basisSeq) container.removeAttribute("aria-busy");
    }
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

  // What is wrong with the dates as typed, in Chinese, or null; `partial` where the person may still be typing.
  function dateProblem() {
    for (const [input, name] of [[dateFrom, "起始日期"], [dateTo, "截止日期"]]) {
      if (input.validity && input.validity.badInput) return { input, partial: true, message: `${name}不完整，请填写年、月、日。` };
      if (!input.value) continue;
      const year = Number(input.value.slice(0, 4));
      if (!/^\d{4}-\d{2}-\d{2}$/.test(input.value) || year < MIN_YEAR || year > MAX_YEAR) {
        return { input, partial: true, message: `${name}的年份应为 ${MIN_YEAR} 至 ${MAX_YEAR} 年之间的四位数。` };
      }
    }
    if (dateFrom.value && dateTo.value && dateFrom.value > dateTo.value) {
      return { input: dateFrom, both: true, partial: false, message: `起始日期 ${dateFrom.value} 晚于截止日期 ${dateTo.value}，请调整日期范围。` };
    }
    return null;
  }

  function showDateProblem(problem) {
    for (const input of [dateFrom, dateTo]) {
      input.toggleAttribute("aria-invalid", problem !== null && (problem.both || problem.input === input));
    }
    if (!problem) {
      if (errorBox.dataset.source === "dates") errorBox.hidden = true;
      return;
    }
    errorBox.replaceChildren(el("strong", null, "日期有误："), document.createTextNode(problem.message));
    errorBox.dataset.source = "dates";
    errorBox.hidden = false;
  }

  // A date searches once it is whole and valid: after a pause in typing, or on leaving the field.
  function dateSettled(leaving) {
    clearTimeout(dateTimer);
    const problem = dateProblem();
    if (problem && problem.partial && !leaving) return;  // a year half typed: wait
    showDateProblem(problem);
    if (!problem && query.value.trim() && (!searched || String(searchParams()) !== searched.key)) runSearch();
  }

  function searchStatus(body, shown) {
    const more = shown >= MAX_TOP_K ? `（最多显示 ${MAX_TOP_K} 条；可细化检索词或筛选条件）` : "";
    return `显示前 ${shown} 条结果${more} · 用时 ${body.took_ms} 毫秒`;
  }

  async function runSearch() {
    const q = query.value.trim();
    if (!q) {
      query.focus();
      return;
    }
    const problem = dateProblem();
    showDateProblem(problem);
    if (problem) {
      problem.input.focus();
      return;
    }
    const params = searchParams();
    history.replaceState(history.state, "", `?${params}${location.hash}`);
    const seq = ++searchSeq;
    searched = { key: String(params), params, shown: 0 };
    errorBox.hidden = true;
    moreButton.hidden = true;
    resultList.setAttribute("aria-busy", "true");
    statusLine.textContent = "正在检索…";
    statusLine.classList.remove("empty");
    statusLine.classList.add("loading");
    const asked = new URLSearchParams(params);
    asked.set("top_k", String(TOP_K));
    try {
      const body = await api("search", asked);
      if (seq !== searchSeq) return;
      noticeLine.textContent = body.notice || "";
      noticeLine.hidden = !body.notice;
      resultList.replaceChildren(...body.results.map(renderResult));
      searched.shown = body.results.length;
      moreButton.hidden = body.results.length < TOP_K;
      statusLine.classList.toggle("empty", !body.results.length);
      statusLine.textContent = body.results.length
        ? searchStatus(body, body.results.length)
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

  // 更多: the same search asked for ten more (ranking does not depend on how many are asked for); the hits
  // already shown stay where they are and focus moves to the first new one.
  async function showMore() {
    if (!searched || !searched.shown) return;
    const seq = searchSeq;
    const current = searched;
    const asked = new URLSearchParams(current.params);
    asked.set("top_k", String(Math.min(current.shown + TOP_K, MAX_TOP_K)));
    moreButton.disabled = true;
    moreButton.textContent = "正在加载…";
    try {
      const body = await api("search", asked);
      if (seq !== searchSeq) return;
      const seen = new Set([...resultList.children].map((item) => item.dataset.clauseId));
      const added = body.results.filter((result) => !seen.has(result.clause_id)).map(renderResult);
      resultList.append(...added);
      current.shown = resultList.children.length;
      moreButton.hidden = body.results.length < Number(asked.get("top_k")) || current.shown >= MAX_TOP_K || !added.length;
      statusLine.textContent = searchStatus(body, current.shown);
      const first = added[0] && added[0].querySelector(".citation");
      if (first) first.focus();
      else statusLine.textContent = `${statusLine.textContent} · 没有更多结果`;
    } catch (failure) {
      if (seq === searchSeq) showError(errorBox, failure);
    } finally {
      moreButton.disabled = false;
      moreButton.textContent = "更多结果";
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

  // The panel opens at its top (title, 关闭, 依据链, the clause among its neighbours, then the outline) with
  // focus on its title. Opening it adds a history entry, so that the back button closes it (on a phone it
  // covers the page).
  async function openContext(clauseId, fromResult, opener, { showInResults = false } = {}) {
    const seq = ++contextSeq;
    contextOpener = opener || contextOpener;
    const wasHidden = context.hidden;
    context.hidden = false;
    document.body.classList.add("context-open");
    if (wasHidden && !contextInHistory) {
      history.pushState({ context: true }, "", location.href);
      contextInHistory = true;
    }
    contextError.hidden = true;
    contextTitle.textContent = "正在加载…";
    unitList.setAttribute("aria-busy", "true");
    context.scrollTop = 0;
    contextHeading.focus();
    loadBasis(contextBasis, clauseId, true);
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
      if (showInResults) showClauseAsResult({ ...body.clause, citation: (fromResult && fromResult.citation) || body.clause.citation });
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

  // Closing returns to where the panel was opened from: the opener's tab (引用核验 included) and the opener.
  function closeContext({ fromHistory = false } = {}) {
    if (context.hidden) return;
    context.hidden = true;
    document.body.classList.remove("context-open");
    if (contextInHistory) {
      contextInHistory = false;
      if (!fromHistory) history.back();
    }
    const panel = contextOpener && contextOpener.isConnected && contextOpener.closest('[role="tabpanel"]');
    if (panel && panel.hidden) selectTab(tabs.find((tab) => tab.getAttribute("aria-controls") === panel.id));
    if (contextOpener && contextOpener.isConnected) contextOpener.focus();
  }

  // A clause opened from 引用核验 stands on the search tab's left side too, in place of older hits.
  function showClauseAsResult(clause) {
    ++searchSeq;  // a search still under way must not replace it
    searched = null;
    query.value = clause.citation;
    history.replaceState(history.state, "", `?${new URLSearchParams({ q: clause.citation })}${location.hash}`);
    errorBox.hidden = true;
    noticeLine.hidden = true;
    moreButton.hidden = true;
    resultList.removeAttribute("aria-busy");
    statusLine.classList.remove("loading", "empty");
    statusLine.textContent = "引用核验中查看的条文：";
    resultList.replaceChildren(renderResult(clause));
  }

  // 引用核验: every citation of a pasted text marked in place and listed with its verdict.
  function verdictClass(verdict) {
    const severity = verdict === "ok" ? "is-ok" : WARN_VERDICTS.has(verdict) ? "is-warn" : "is-error";
    return `verdict-${verdict} ${severity}`;
  }

  function bookTitle(text) {
    return text.startsWith("《") ? text : `《${text}》`;
  }

  // One checked citation as a list item; draft.js lists the problems of a plan with it too.
  function checkItem(found, { number = null, openable = true } = {}) {
    const item = el("li", `check-item ${verdictClass(found.verdict)}`);
    if (number !== null) item.dataset.n = String(number);
    const head = el("p", "check-head");
    head.append(el("span", "verdict-label", VERDICT_LABELS[found.verdict] || found.verdict), el("span", "check-cited", found.text));
    if (found.citation && found.citation !== found.text) head.append(el("span", "check-normal", `→ ${found.citation}`));
    const badge = found.verdict === "ok" ? null : statusBadge(found);
    if (badge && !["repealed", "not_in_force"].includes(found.verdict)) head.append(badge);
    item.append(head);
    if (found.message) item.append(el("p", "check-message", found.message));
    if (found.verdict === "ok" && found.quote) item.append(el("q", "quote", shortQuote(found.quote)));
    if (found.current && found.current.citation) item.append(el("p", "check-current", `现行版本：${found.current.citation}`));
    if (found.verdict !== "ok" && found.suggestions && found.suggestions.length) {
      const suggestions = found.suggestions.slice(0, 5).map(bookTitle);
      item.append(el("p", "check-suggest", `${found.verdict === "unknown_document" || found.verdict === "ambiguous" ? "相近文件" : "可能是"}：${suggestions.join("；")}`));
    }
    const target = (found.current && found.current.clause_id) || found.clause_id;
    if (openable && target) {
      const open = el("button", "open-context", found.current && found.current.clause_id ? "查看现行条文" : "查看上下文");
      open.type = "button";
      open.setAttribute("aria-label", `查看上下文：${(found.current && found.current.citation) || found.citation || found.text}`);
      // The clause as checked: its citation names the 款 or 项 the text cited (or the current version's).
      const checked = { clause_id: target, citation: (found.current && found.current.citation) || found.citation, highlights: [] };
      open.addEventListener("click", () => {
        selectTab(tabs[0]);
        openContext(target, checked.citation ? checked : null, open, { showInResults: true });
      });
      item.append(open);
    }
    return item;
  }

  function checkedText(text, citations) {
    const chars = Array.from(text);
    const fragment = document.createDocumentFragment();
    let at = 0;
    citations
      .map((found, index) => ({ found, number: index + 1 }))
      .sort((a, b) => a.found.span[0] - b.found.span[0])
      .forEach(({ found, number }) => {
        const [start, end] = found.span || [];
        if (!(start >= at) || !(end > start) || end > chars.length) return;
        if (start > at) fragment.append(chars.slice(at, start).join(""));
        const mark = el("mark", `cite-mark ${verdictClass(found.verdict)}`, chars.slice(start, end).join(""));
        mark.dataset.n = String(number);
        mark.dataset.verdict = found.verdict;
        mark.title = [VERDICT_LABELS[found.verdict] || found.verdict, found.message].filter(Boolean).join("：");
        fragment.append(mark);
        at = end;
      });
    if (at < chars.length) fragment.append(chars.slice(at).join(""));
    return fragment;
  }

  function checkSummaryText(body) {
    const total = body.citations.length;
    if (!total) return "未识别出条文引用。引用请写作《文件名称》第某条（第某款、第（某）项）的形式。";
    const counts = Object.entries(body.summary || {})
      .sort(([a], [b]) => Object.keys(VERDICT_LABELS).indexOf(a) - Object.keys(VERDICT_LABELS).indexOf(b))
      .map(([verdict, count]) => `${VERDICT_LABELS[verdict] || verdict} ${count}`)
      .join(" · ");
    const verdict = body.problems ? `其中 ${body.problems} 处有问题` : "全部正确";
    return `共 ${total} 处引用，${verdict}（${counts}）。`;
  }

  async function runCheck() {
    const text = checkInput.value;
    checkError.hidden = true;
    if (!text.trim()) {
      checkInput.focus();
      return;
    }
    const seq = ++checkSeq;
    const button = checkForm.querySelector('button[type="submit"]');
    button.disabled = true;
    checkResult.setAttribute("aria-busy", "true");
    checkStatus.textContent = "正在核验引用…";
    checkStatus.classList.add("loading");
    try {
      const body = await api("citations/check", null, { method: "POST", json: { text } });
      if (seq !== checkSeq) return;
      checkSummary.textContent = checkSummaryText(body);
      checkSummary.classList.toggle("has-problems", body.problems > 0);
      checkText.replaceChildren(checkedText(text, body.citations));
      checkList.replaceChildren(...body.citations.map((found, at) => checkItem(found, { number: at + 1 })));
      checkResult.hidden = false;
      checkStatus.textContent = "";
    } catch (failure) {
      if (seq !== checkSeq) return;
      checkStatus.textContent = "";
      checkResult.hidden = true;
      showError(checkError, failure);
    } finally {
      if (seq === checkSeq) {
        button.disabled = false;
        checkResult.removeAttribute("aria-busy");
        checkStatus.classList.remove("loading");
      }
    }
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
  for (const control of [docType, region, includeSuperseded]) {
    control.addEventListener("change", () => { if (query.value.trim()) runSearch(); });
  }
  for (const input of [dateFrom, dateTo]) {
    input.addEventListener("input", () => {
      clearTimeout(dateTimer);
      dateTimer = setTimeout(() => dateSettled(false), DATE_SETTLE_MS);
    });
    input.addEventListener("blur", () => dateSettled(true));
  }
  moreButton.addEventListener("click", showMore);
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
  $("context-close").addEventListener("click", () => closeContext());
  window.addEventListener("popstate", () => {
    if (!context.hidden && contextInHistory) closeContext({ fromHistory: true });
  });
  checkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    runCheck();
  });
  checkInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runCheck();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (keyBox.open) keyBox.open = false;
    else if (!context.hidden) closeContext();
  });

  // The helpers other tools on this page (draft.js) build on; loaded after this file.
  window.PolicyPage = Object.freeze({ api, request, el, showError, errorText, metaLine, checkItem, VERDICT_LABELS });

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
