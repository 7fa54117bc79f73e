// The 整改方案 tab: problems in, suggested bases out; the person drops what does not apply, fills the
// plan's columns and downloads the reviewed plan from POST drafts/export. Uses the helpers app.js exposes;
// API data is only ever placed with textContent.
"use strict";

(() => {
  const { request, el, showError, errorText, metaLine, checkItem } = window.PolicyPage;
  const $ = (id) => document.getElementById(id);
  const MAX_PROBLEMS = 50;
  const MAX_PROBLEM_CHARS = 500;
  const QUOTE_CHARS = 80;
  // The plan's columns per problem, as the API names them (the template's data-field attributes).
  const FIELDS = ["target", "measures", "leader", "unit", "partners", "owner", "deadline_kind", "deadline", "signoff", "evidence"];
  // format → what to ask for, the file's extension, and how the page names it
  const FORMATS = {
    docx: { accept: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extension: "docx", name: "Word", button: "draft-docx" },
    xlsx: { accept: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extension: "xlsx", name: "整改台账", button: "draft-xlsx" },
    markdown: { accept: "text/markdown", extension: "md", name: "Markdown", button: "draft-markdown" },
  };
  // A leading list number such as "1." "2、" "(3)" "四、", but not the year in "2023年以来".
  const NUMBERING = /^\s*(?:[(（]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,3}\s*[.、．)）]|[一二三四五六七八九十]{1,3}\s*、)\s*/;

  const form = $("draft-form");
  const input = $("draft-input");
  const titleInput = $("draft-title");
  const issuerInput = $("draft-issuer");
  const dateInput = $("draft-date");
  const basesSelect = $("draft-bases");
  const statusLine = $("draft-status");
  const errorBox = $("draft-error");
  const list = $("draft-list");
  const exportBox = $("draft-export");
  const filesNote = $("draft-files-note");
  const template = $("draft-problem-template");
  const generateButton = form.querySelector('button[type="submit"]');
  const checkBox = $("draft-check");
  const checkSummary = $("draft-check-summary");
  const checkList = $("draft-check-list");
  const anywayButton = $("draft-anyway");

  // The draft as the server returned it, and per problem what the person removed and filled in.
  let draft = null;
  let reviews = [];
  let draftSeq = 0;
  // The format whose download waits for 仍然下载 after the citation check found problems.
  let pendingFormat = null;

  function problemLines(text) {
    return text.split(/\r?\n/).map((line) => line.replace(NUMBERING, "").trim()).filter(Boolean);
  }

  function newReview(fields = {}) {
    return { removedBases: new Set(), removedObligations: new Set(), removedPenalties: new Set(), fields: { ...fields } };
  }

  function keptBases(problem, review) {
    return problem.bases.filter((_, at) => !review.removedBases.has(at));
  }

  // Obligations are the sentences of the bases, so removing a basis removes its obligations too.
  function keptObligations(problem, review) {
    const kept = new Set(keptBases(problem, review).map((base) => base.clause_id));
    return problem.obligations
      .map((obligation, at) => ({ obligation, at }))
      .filter(({ obligation, at }) => kept.has(obligation.clause_id) && !review.removedObligations.has(at));
  }

  function shortQuote(text, limit = QUOTE_CHARS) {
    const chars = Array.from(text);
    return chars.length > limit ? `${chars.slice(0, limit).join("")}…` : text;
  }

  function removeButton(label, onRemove) {
    const button = el("button", "remove", "×");
    button.type = "button";
    button.title = "移除";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", onRemove);
    return button;
  }

  // After a removal, focus lands on the next remove button in the same list, or on the section heading.
  function refocus(container, heading, position) {
    const buttons = [...container.querySelectorAll("button.remove")];
    (buttons[Math.min(position, buttons.length - 1)] || heading).focus();
  }

  function citedItem(result, removeLabel, onRemove) {
    const item = el("li", "cited");
    const head = el("div", "cited-head");
    head.append(el("span", "cited-citation", result.citation), removeButton(`${removeLabel}：${result.citation}`, onRemove));
    const meta = el("p", "meta");
    meta.append(metaLine(result.document));
    const quote = el("q", "quote", shortQuote(result.text));
    item.append(head, meta, quote);
    if (Array.from(result.text).length > QUOTE_CHARS) {
      const toggle = el("button", "more", "展开全文");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.addEventListener("click", () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        quote.textContent = open ? result.text : shortQuote(result.text);
        toggle.textContent = open ? "收起" : "展开全文";
        toggle.setAttribute("aria-expanded", String(open));
      });
      item.append(toggle);
    }
    return item;
  }

  // Bases come most relevant first; shown grouped by authority (法律 first), relevance order within a group.
  function renderBases(card, problem, review) {
    const groups = card.querySelector(".basis-groups");
    const heading = card.querySelector(".bases-heading");
    const kept = keptBases(problem, review).length;
    heading.querySelector(".count").textContent = `（保留 ${kept} / ${problem.bases.length} 条）`;
    const restore = card.querySelector(".restore");
    restore.hidden = review.removedBases.size === 0;
    restore.textContent = `恢复已移除的依据（${review.removedBases.size}）`;
    if (!problem.bases.length) {
      groups.replaceChildren(el("p", "empty-note", problem.notice || "未检索到依据，可换一种表述后重新生成。"));
      return;
    }
    const nodes = [];
    let group = null;
    let groupType = null;
    let shown = 0;
    const authority = (base) => (base.document.authority ?? 9);
    const order = problem.bases.map((base, at) => at).sort((a, b) => {
      const [x, y] = [problem.bases[a], problem.bases[b]];
      return authority(x) - authority(y) || (x.document.doc_type || "").localeCompare(y.document.doc_type || "") || a - b;
    });
    order.forEach((at) => {
      const base = problem.bases[at];
      if (review.removedBases.has(at)) return;
      const position = shown++;
      const docType = base.document.doc_type || "其他";
      if (group === null || docType !== groupType) {
        groupType = docType;
        group = el("ul", "cited-list");
        const block = el("div", "basis-group");
        block.append(el("h4", "group-heading", docType), group);
        nodes.push(block);
      }
      group.append(citedItem(base, "移除依据", () => {
        review.removedBases.add(at);
        renderBases(card, problem, review);
        renderObligations(card, problem, review);
        refocus(groups, heading, position);
      }));
    });
    if (!nodes.length) nodes.push(el("p", "empty-note", "已移除全部依据。"));
    groups.replaceChildren(...nodes);
  }

  function renderObligations(card, problem, review) {
    const items = card.querySelector(".obligations");
    const heading = card.querySelector(".obligations-heading");
    const kept = keptObligations(problem, review);
    if (!kept.length) {
      items.replaceChildren(el("li", "empty-note", "所保留的依据中没有识别出义务性语句，可在“整改措施”中自行填写。"));
      return;
    }
    items.replaceChildren(...kept.map(({ obligation, at }) => {
      const item = el("li", "obligation");
      const words = el("span", "sentence", obligation.sentence);
      const source = el("span", "source", `（${obligation.citation}）`);
      const label = `移除整改要求：${shortQuote(obligation.sentence, 30)}`;
      item.append(words, source, removeButton(label, () => {
        const position = kept.findIndex((entry) => entry.at === at);
        review.removedObligations.add(at);
        renderObligations(card, problem, review);
        refocus(items, heading, position);
      }));
      return item;
    }));
  }

  function renderPenalties(card, problem, review) {
    const items = card.querySelector(".penalties");
    const heading = card.querySelector(".penalties-heading");
    const kept = problem.penalties.map((penalty, at) => ({ penalty, at })).filter(({ at }) => !review.removedPenalties.has(at));
    if (!kept.length) {
      items.replaceChildren(el("li", "empty-note", problem.penalties.length ? "已移除全部罚则。" : "未找到与这些依据关联的罚则条款。"));
      return;
    }
    items.replaceChildren(...kept.map(({ penalty, at }, position) => citedItem(penalty, "移除罚则", () => {
      review.removedPenalties.add(at);
      renderPenalties(card, problem, review);
      refocus(items, heading, position);
    })));
  }

  function renderProblem(problem, review, number) {
    const card = template.content.firstElementChild.cloneNode(true);
    card.querySelector(".draft-number").textContent = `问题 ${number}`;
    card.querySelector(".draft-problem-text").textContent = problem.problem;
    card.querySelector("legend").textContent = `问题 ${number} 的整改安排（写入方案正文和整改清单）`;
    // A skip link past the bases and requirements: the problem's fields in two key presses.
    const skip = card.querySelector(".skip-fields");
    skip.setAttribute("aria-label", `填写问题 ${number} 的整改安排`);
    skip.addEventListener("click", (event) => {
      event.preventDefault();
      card.querySelector(".draft-fields [data-field]").focus();
    });
    renderBases(card, problem, review);
    renderObligations(card, problem, review);
    renderPenalties(card, problem, review);
    card.querySelector(".restore").addEventListener("click", () => {
      review.removedBases.clear();
      renderBases(card, problem, review);
      renderObligations(card, problem, review);
      card.querySelector(".bases-heading").focus();
    });
    for (const field of card.querySelectorAll("[data-field]")) {
      field.value = review.fields[field.dataset.field] || problem[field.dataset.field] || "";
      field.addEventListener("input", () => { review.fields[field.dataset.field] = field.value; });
    }
    return card;
  }

  function checkProblems(problems) {
    if (!problems.length) return "请先输入至少一个问题（每行一个）。";
    if (problems.length > MAX_PROBLEMS) return `一次最多 ${MAX_PROBLEMS} 个问题，当前 ${problems.length} 个；请分批生成。`;
    const long = problems.findIndex((text) => Array.from(text).length > MAX_PROBLEM_CHARS);
    if (long >= 0) return `第 ${long + 1} 个问题超过 ${MAX_PROBLEM_CHARS} 字，请精简后再生成。`;
    return null;
  }

  async function generate() {
    const problems = problemLines(input.value);
    errorBox.hidden = true;
    const problemError = checkProblems(problems);
    if (problemError) {
      errorBox.replaceChildren(problemError);
      errorBox.hidden = false;
      input.focus();
      return;
    }
    // What the person already filled in survives a regeneration, matched by the problem's text.
    const earlier = new Map(draft ? draft.problems.map((problem, at) => [problem.problem, reviews[at].fields]) : []);
    const seq = ++draftSeq;
    generateButton.disabled = true;
    list.setAttribute("aria-busy", "true");
    statusLine.textContent = `正在为 ${problems.length} 个问题检索依据…`;
    statusLine.classList.add("loading");
    const body = {
      problems: problems.map((text) => ({ text })),
      options: { bases_per_problem: Number(basesSelect.value) },
      title: titleInput.value.trim() || null,
      format: "json",
    };
    try {
      const response = await request("drafts/rectification", { method: "POST", json: body });
      const result = await response.json();
      if (seq !== draftSeq) return;
      draft = result;
      hideCheck();
      reviews = draft.problems.map((problem) => newReview(earlier.get(problem.problem)));
      list.replaceChildren(...draft.problems.map((problem, at) => renderProblem(problem, reviews[at], at + 1)));
      exportBox.hidden = false;
      filesNote.hidden = false;
      const rules = (draft.signoff_rules || []).map((rule) => rule.citation);
      statusLine.textContent = `已为 ${draft.problems.length} 个问题列出依据建议。请移除不适用的依据，填写整改措施、责任单位等后下载。`
        + (rules.length ? `销号（验收）标准和佐证材料已按${rules.join("、")}起草，可修改。` : "");
    } catch (failure) {
      if (seq !== draftSeq) return;
      statusLine.textContent = "";
      showError(errorBox, failure);
    } finally {
      if (seq === draftSeq) {
        generateButton.disabled = false;
        list.removeAttribute("aria-busy");
        statusLine.classList.remove("loading");
      }
    }
  }

  function reviewedProblems() {
    return draft.problems.map((problem, at) => {
      const review = reviews[at];
      const filled = Object.fromEntries(FIELDS.map((name) => [name, (review.fields[name] ?? problem[name] ?? "").trim() || null]));
      return {
        ...problem,
        bases: keptBases(problem, review),
        obligations: keptObligations(problem, review).map(({ obligation }) => obligation),
        penalties: problem.penalties.filter((_, index) => !review.removedPenalties.has(index)),
        ...filled,
      };
    });
  }

  function fileName(title, extension) {
    return `${title.replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 80) || "整改方案"}.${extension}`;
  }

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = el("a", "offscreen");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  // Every citation the file will carry: the kept bases, penalties and the sources of the kept obligations.
  function planCitations() {
    const citations = new Set();
    for (const problem of reviewedProblems()) {
      for (const item of [...problem.bases, ...problem.penalties, ...problem.obligations]) {
        if (item.citation) citations.add(item.citation);
      }
    }
    return [...citations];
  }

  function hideCheck() {
    pendingFormat = null;
    checkBox.hidden = true;
    checkList.replaceChildren();
  }

  function showCheck(body, format) {
    pendingFormat = format;
    const problems = body.citations.filter((found) => found.verdict !== "ok");
    checkSummary.textContent = `下载前核验：方案中的 ${body.citations.length} 处引用有 ${body.problems} 处问题。`
      + "可移除相应依据后重新下载，或确认无误后仍然下载。";
    checkList.replaceChildren(...problems.map((found) => checkItem(found, { openable: false })));
    anywayButton.textContent = "仍然下载";
    anywayButton.setAttribute("aria-label", `仍然下载 ${FORMATS[format].name} 文件`);
    checkBox.hidden = false;
  }

  // Before a download the plan's citations go through POST citations/check: with problems the file waits
  // for 仍然下载; when the check itself fails, the download goes ahead with a note.
  async function exportPlan(format, button) {
    if (!draft) return;
    hideCheck();
    errorBox.hidden = true;
    const citations = planCitations();
    let note = "";
    if (citations.length) {
      button.disabled = true;
      statusLine.textContent = "正在核验方案中的引用…";
      try {
        const response = await request("citations/check", { method: "POST", json: { text: citations.join("\n") } });
        const body = await response.json();
        if (body.problems > 0) {
          showCheck(body, format);
          statusLine.textContent = `方案中有 ${body.problems} 处引用需要核对，见下方。`;
          return;
        }
      } catch (failure) {
        note = `（未能核验引用：${errorText(failure)}）`;
      } finally {
        button.disabled = false;
        keepFocus(button);
      }
    }
    await download(format, button, note);
  }

  async function download(format, button, note = "") {
    if (!draft) return;
    const title = titleInput.value.trim() || draft.title;
    const { accept, extension, name } = FORMATS[format];
    errorBox.hidden = true;
    button.disabled = true;
    statusLine.textContent = `正在生成 ${name} 文件…`;
    try {
      const response = await request("drafts/export", {
        method: "POST",
        json: { title, issuer: issuerInput.value.trim() || null, date: dateInput.value || null, format, problems: reviewedProblems() },
        accept,
      });
      saveBlob(await response.blob(), fileName(format === "xlsx" ? `${title}整改台账` : title, extension));
      statusLine.textContent = `已下载《${title}》。${note}`;
    } catch (failure) {
      statusLine.textContent = "";
      showError(errorBox, failure);
    } finally {
      button.disabled = false;
      keepFocus(button);
    }
  }

  // A disabled button loses focus (and 仍然下载 hides itself): focus goes back to the download button, not
  // to the top of the page.
  function keepFocus(button) {
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.closest("[hidden]")) button.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    generate();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      generate();
    }
  });
  for (const [format, { button }] of Object.entries(FORMATS)) {
    $(button).addEventListener("click", (event) => exportPlan(format, event.currentTarget));
  }
  // The 落款's date is today's unless the person sets another (the file writes it 2026年12月7日).
  if (!dateInput.value) {
    const now = new Date();
    dateInput.value = [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((part, at) => String(part).padStart(at ? 2 : 4, "0")).join("-");
  }
  anywayButton.addEventListener("click", async () => {
    const format = pendingFormat;
    if (!format) return;
    hideCheck();
    await download(format, $(FORMATS[format].button));
  });
  // A removal or restore changes what the file cites: the last check no longer applies.
  list.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("button.remove, button.restore")) hideCheck();
  });
})();
