// The 新旧对照 tab: a repealed or older text beside the articles in force that carry its rules, the amounts,
// deadlines and bodies that changed marked in both columns, and the table as .docx or .xlsx. Also the check
// tab's 全部替换为现行条文: every citation of a repealed or older text replaced by its successor's, checked again.
// Uses the helpers app.js exposes; API data is only ever placed with textContent.
"use strict";

(() => {
  const { api, request, el, showError } = window.PolicyPage;
  const $ = (id) => document.getElementById(id);
  const HOW = { same: "未变", amended: "修改", split: "拆分", merged: "合并", none: "无对应条文" };
  const KINDS = { amounts: "金额", deadlines: "期限", subjects: "主体" };

  const select = $("compare-text");
  const table = $("compare-table");
  const statusLine = $("compare-status");
  const errorBox = $("compare-error");
  let loaded = false;

  // The text with each changed phrase (an amount, a deadline, a body) marked.
  function marked(text, phrases, className) {
    const fragment = document.createDocumentFragment();
    const wanted = phrases.filter(Boolean).sort((a, b) => b.length - a.length);
    let at = 0;
    while (at < text.length) {
      let next = -1;
      let phrase = "";
      for (const candidate of wanted) {
        const found = text.indexOf(candidate, at);
        if (found >= 0 && (next < 0 || found < next)) {
          next = found;
          phrase = candidate;
        }
      }
      if (next < 0) break;
      fragment.append(document.createTextNode(text.slice(at, next)), el("mark", className, phrase));
      at = next + phrase.length;
    }
    fragment.append(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function side(citation, text, phrases, className) {
    const cell = el("td");
    const body = el("span", "compare-text");
    body.append(marked(text, phrases, className));
    cell.append(el("span", "compare-cite", citation), body);
    return cell;
  }

  function rowOf(row) {
    const line = el("tr");
    line.dataset.how = row.how;
    const changes = row.changes || {};
    const olds = Object.values(changes).flatMap((change) => change.old);
    const news = Object.values(changes).flatMap((change) => change.new);
    line.append(side(row.old.citation, row.old.text, olds, "compare-old"));
    const how = el("td", `compare-how${row.how === "none" ? " compare-none" : ""}`, HOW[row.how] || row.how);
    for (const [kind, change] of Object.entries(changes)) {
      if (!row.successors.length) break;
      how.append(el("span", "compare-changes", `${KINDS[kind] || kind}有变化`));
    }
    line.append(how);
    if (!row.successors.length) {
      line.append(el("td", "compare-none", "现行文本中没有承接该规则的条文"));
    } else {
      const cell = el("td");
      for (const successor of row.successors) {
        const part = side(successor.citation, successor.text, news, "compare-new");
        cell.append(...part.childNodes);
      }
      line.append(cell);
    }
    return line;
  }

  async function loadTexts() {
    if (loaded) return;
    loaded = true;
    try {
      const body = await api("comparisons");
      select.replaceChildren(...body.texts.map((text) => {
        const label = `《${text.old.title}》${text.old.date ? `（${text.old.date}）` : ""} → 《${text.new.title}》`;
        const option = el("option", null, label);
        option.value = text.old.doc_id;
        return option;
      }));
      if (!body.texts.length) statusLine.textContent = "索引中没有已废止或已修改且有现行对应文本的文件。";
      else await show(select.value);
    } catch (failure) {
      loaded = false;
      showError(errorBox, failure);
    }
  }

  async function show(docId) {
    errorBox.hidden = true;
    statusLine.textContent = "正在加载对照表…";
    try {
      const body = await api(`comparisons/${encodeURIComponent(docId)}`);
      const rows = body.rows;
      const none = rows.filter((row) => row.old.paragraph === null && row.how === "none").length;
      table.tBodies[0].replaceChildren(...rows.map(rowOf));
      table.hidden = false;
      const articles = rows.filter((row) => row.old.paragraph === null).length;
      statusLine.textContent = `共 ${articles} 条，其中 ${none} 条在现行文本中没有对应条文。`;
    } catch (failure) {
      statusLine.textContent = "";
      table.hidden = true;
      showError(errorBox, failure);
    }
  }

  async function download(suffix) {
    errorBox.hidden = true;
    try {
      const response = await request(`comparisons/${encodeURIComponent(select.value)}.${suffix}`, { accept: "*/*" });
      const link = el("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = `${select.selectedOptions[0].textContent.replace(/[《》（）→\s]/g, "")}.${suffix}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (failure) {
      showError(errorBox, failure);
    }
  }

  select.addEventListener("change", () => show(select.value));
  $("compare-docx").addEventListener("click", () => download("docx"));
  $("compare-xlsx").addEventListener("click", () => download("xlsx"));
  $("tab-compare").addEventListener("click", loadTexts);
  if (location.hash === "#compare") loadTexts();

  // 全部替换为现行条文 in the check tab: replace from the end so the spans before stay valid, then check again.
  const checkForm = $("check-form");
  const checkInput = $("check-input");
  const replaceButton = el("button", null, "全部替换为现行条文");
  replaceButton.type = "button";
  replaceButton.id = "check-replace";
  checkForm.querySelector(".draft-options").append(replaceButton);
  const checkError = $("check-error");
  replaceButton.addEventListener("click", async () => {
    const text = checkInput.value;
    if (!text.trim()) return;
    checkError.hidden = true;
    try {
      const body = await api("citations/check", null, { method: "POST", json: { text } });
      const changes = body.citations
        .map((found) => ({ span: found.span, to: found.replacement || (found.verdict === "older_version" && found.current && found.current.clause_id ? found.current.citation : null) }))
        .filter((change) => change.to)
        .sort((a, b) => b.span[0] - a.span[0]);
      let fixed = text;
      for (const change of changes) fixed = fixed.slice(0, change.span[0]) + change.to + fixed.slice(change.span[1]);
      checkInput.value = fixed;
      $("check-status").textContent = changes.length ? `已替换 ${changes.length} 处引用，重新核验…` : "没有可替换为现行条文的引用。";
      if (changes.length) checkForm.requestSubmit();
    } catch (failure) {
      showError(checkError, failure);
    }
  });
})();
