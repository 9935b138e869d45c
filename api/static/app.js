// The staff search page: plain JavaScript over the /v1 API, no framework, no network beyond this server.
"use strict";

const BADGES = { exact: "本级", ancestor: "上级", descendant: "下级", other: "其他地区" };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  const key = sessionStorage.getItem("policy-qa-key");
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    const entered = window.prompt("此服务需要访问密钥（X-API-Key）：");
    if (entered) { sessionStorage.setItem("policy-qa-key", entered); return api(path, options); }
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
  return body;
}

// The answer with its figures marked: figure offsets index the hit's text.
function highlighted(hit) {
  const node = el("p", { class: "answer" });
  const base = hit.answer_offsets.start;
  let at = 0;
  const figures = hit.figures.filter((f) => f.start >= base && f.end <= hit.answer_offsets.end)
    .sort((a, b) => a.start - b.start);
  for (const figure of figures) {
    const start = figure.start - base, end = figure.end - base;
    if (start < at) continue;
    node.append(hit.answer.slice(at, start), el("mark", {}, hit.answer.slice(start, end)));
    at = end;
  }
  node.append(hit.answer.slice(at));
  return node;
}

function copyButton(text) {
  const button = el("button", { class: "small secondary copy", type: "button" }, "复制引用");
  button.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(text); } catch (error) {
      const area = el("textarea", {}, text); document.body.append(area); area.select();
      document.execCommand("copy"); area.remove();
    }
    button.textContent = "已复制";
    setTimeout(() => { button.textContent = "复制引用"; }, 1500);
  });
  return button;
}

function hitCard(hit) {
  const badge = hit.relation ? el("span", { class: `badge ${hit.relation}` }, BADGES[hit.relation]) : null;
  return el("article", { class: "hit", "data-provision": hit.provision_id },
    el("header", {}, badge, el("span", { class: "citation" }, hit.citation), copyButton(hit.citation)),
    highlighted(hit),
    el("details", {}, el("summary", {}, "条款全文"), el("p", {}, hit.text)),
    el("a", { class: "more", href: `#/provision/${encodeURIComponent(hit.provision_id)}` }, "在文件中查看"));
}

function show(section) {
  for (const id of ["results", "comparison", "provision", "library"]) $(id).hidden = id !== section;
  $("ask").hidden = section === "library";
}

async function search(question, place) {
  show("results");
  $("status").textContent = "查询中…";
  const body = { query: question, top_k: 5 };
  if (place) body.jurisdiction = place;
  try {
    const result = await api("/v1/search", { method: "POST", body: JSON.stringify(body) });
    const info = result.jurisdiction;
    const results = $("results");
    results.replaceChildren();
    if (info.scope.length && !info.covered) {
      results.append(el("p", { class: "notice" },
        `本库没有${info.requested || info.detected.join("、")}或其上级地区的文件；以下为其他地区的规定，不适用于该地区。`));
    }
    for (const hit of result.hits) results.append(hitCard(hit));
    $("status").textContent = result.hits.length
      ? `${result.hits.length} 条结果${info.scope.length ? "（地区：" + info.scope.join(" › ") + "）" : ""}`
      : "没有找到相关条款。";
  } catch (error) {
    $("status").textContent = `查询失败：${error.message}`;
  }
}

// A span of a text marked: the figure inside its provision.
function marked(text, start, end) {
  return el("p", { class: "answer" }, text.slice(0, start), el("mark", {}, text.slice(start, end)), text.slice(end));
}

function withUnit(figure) {
  const forms = { "平方米": ["平方米", "平米", "㎡"], "%": ["%", "％"] }[figure.unit] || [figure.unit];
  return figure.unit && !forms.some((form) => figure.text.includes(form)) ? figure.text + figure.unit : figure.text;
}

// One figure per place: the cell opens onto the provision it was read from.
function figureCell(row) {
  const figure = row.figure;
  if (!figure) return el("td", { class: "none" }, "—", row.note ? el("small", {}, row.note) : null);
  const label = [figure.year ? `${figure.year}年` : null, figure.indicator].filter(Boolean).join(" · ");
  return el("td", { class: "figure" },
    el("details", {},
      el("summary", {}, el("strong", {}, withUnit(figure)), label ? el("small", {}, label) : null),
      marked(row.hit.text, figure.start, figure.end)));
}

function yearSelector(question, rows, year) {
  const years = [...new Set(rows.flatMap((row) => row.years))].sort();
  if (years.length < 2) return null;
  const select = el("select", { id: "compare-year", "aria-label": "年份" },
    el("option", { value: "" }, "最终目标"), ...years.map((y) => el("option", { value: String(y) }, `${y}年`)));
  select.value = year ? String(year) : "";
  select.addEventListener("change", () => {
    const params = new URLSearchParams({ q: question });
    if (select.value) params.set("year", select.value);
    location.hash = `/compare?${params}`;
  });
  return el("label", { class: "year" }, "年份 ", select);
}

async function compare(question, year) {
  show("comparison");
  $("status").textContent = "对比中…";
  try {
    const body = { query: question };
    if (year) body.year = Number(year);
    const result = await api("/v1/compare", { method: "POST", body: JSON.stringify(body) });
    const rows = result.rows.map((row) => el("tr", {},
      el("th", { scope: "row" }, row.jurisdiction),
      figureCell(row),
      el("td", {}, row.hit
        ? el("a", { href: `#/provision/${encodeURIComponent(row.hit.provision_id)}` }, row.hit.citation)
        : el("span", { class: "none" }, row.note || ""))));
    $("comparison").replaceChildren(
      yearSelector(question, result.rows, result.year) || "",
      result.note ? el("p", { class: "note" }, result.note) : "",
      el("table", { class: "compare" },
        el("thead", {}, el("tr", {}, el("th", {}, "地区"), el("th", {}, "数值（点开看条款原文）"), el("th", {}, "出处"))),
        el("tbody", {}, ...rows)));
    $("status").textContent = `“${question}”各地对比${result.year ? `（${result.year}年）` : ""}`;
  } catch (error) {
    $("status").textContent = `对比失败：${error.message}`;
  }
}

function outlineTree(headings, path) {
  return el("ul", {}, ...headings.map((heading) => {
    const compact = (text) => text.replace(/\s/g, "");
    const own = compact(`${heading.marker}${heading.title}`).slice(0, 8);
    const current = path.some((step) => compact(step).startsWith(own));
    return el("li", { class: current ? "current" : "" },
      el("span", {}, `${heading.marker}${heading.marker.startsWith("附件") ? " " : ""}${heading.title}`),
      heading.children.length ? outlineTree(heading.children, path) : null);
  }));
}

async function provision(id) {
  show("provision");
  $("status").textContent = "读取原文…";
  try {
    const detail = await api(`/v1/provisions/${encodeURIComponent(id)}`);
    const document_ = await api(`/v1/documents/${encodeURIComponent(detail.document.id)}`);
    const current = detail.provision;
    $("outline").replaceChildren(el("h2", {}, document_.title), outlineTree(document_.outline, current.path));
    const neighbour = (p) => p ? el("p", { class: "neighbour" }, p.text) : null;
    $("context").replaceChildren(
      el("h2", {}, detail.citation, " ", copyButton(detail.citation)),
      el("p", { class: "path" }, current.path.join(" › ")),
      neighbour(detail.previous),
      el("p", { class: "current", id: "current" }, current.text),
      neighbour(detail.next));
    $("current").scrollIntoView({ block: "center" });
    const marked = $("outline").querySelectorAll("li.current");
    if (marked.length) marked[marked.length - 1].scrollIntoView({ block: "nearest" });
    $("status").textContent = `${document_.title}${document_.number ? "（" + document_.number + "）" : ""}`;
  } catch (error) {
    $("status").textContent = `读取失败：${error.message}`;
  }
}

// --- the documents view: the corpus, uploads and removals (needs the admin key) -----------------

// A write sends the admin key; the service says 401 (none or wrong) or 403 (a read key, or writes
// disabled), and the page asks for the admin key once per session.
async function write(path, options) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = {};
    const key = sessionStorage.getItem("policy-qa-admin-key");
    if (key) headers["X-API-Key"] = key;
    const response = await fetch(path, { ...options, headers });
    const body = await response.json();
    if (response.ok) return body;
    const keyProblem = response.status === 401 || body.type === "/problems/admin-key";
    if (!keyProblem || attempt) throw new Error(body.detail || body.title || response.statusText);
    const entered = window.prompt("修改文件库需要管理密钥（X-API-Key）：");
    if (!entered) throw new Error("没有管理密钥，未修改文件库。");
    sessionStorage.setItem("policy-qa-admin-key", entered);
  }
}

const STAGES = { reading: "读取文件", removing: "移除文件", indexing: "建立索引", encoding: "向量编码",
                 switching: "切换到新索引" };

// Follows a job until the change is live (or failed), showing its stage and progress.
async function follow(job, report) {
  while (job.status === "queued" || job.status === "running") {
    const { done, total } = job.progress;
    report(job.status === "queued" ? "排队中…" : `${STAGES[job.stage] || "处理中"}${total ? ` ${done}/${total}` : ""}…`,
           total ? done / total : null);
    await new Promise((resolve) => setTimeout(resolve, 400));
    job = await write(`/v1/jobs/${job.id}`, { method: "GET" });
  }
  if (job.status === "failed") throw new Error(job.error);
  return job;
}

function day(value) { return value || "—"; }

async function library() {
  show("library");
  $("status").textContent = "读取文件库…";
  try {
    const { documents } = await api("/v1/documents");
    const rows = documents.map((d) => el("tr", { "data-document": d.id },
      el("td", {}, el("strong", {}, d.title), el("div", { class: "muted" }, d.id)),
      el("td", {}, d.number || "—"), el("td", {}, d.jurisdiction),
      el("td", {}, `成文 ${day(d.written)}`, el("br"), `施行 ${day(d.effective)}`,
         d.expires ? el("span", {}, el("br"), `有效至 ${d.expires}`) : null),
      el("td", { class: "count" }, String(d.provisions ?? "—")),
      el("td", {}, el("button", { class: "small secondary remove", type: "button",
                                  onclick: () => remove(d) }, "删除"))));
    $("documents").replaceChildren(
      el("thead", {}, el("tr", {}, ...["文件", "文号", "地区", "日期", "条款", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows));
    $("status").textContent = `文件库共 ${documents.length} 件文件`;
  } catch (error) {
    $("status").textContent = `读取失败：${error.message}`;
  }
}

function progress(text, share) {
  $("upload-status").textContent = text;
  $("upload-progress").hidden = share === null;
  if (share !== null) $("upload-progress").value = share;
}

async function upload(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  if ($("upload-place").value.trim()) form.append("jurisdiction", $("upload-place").value.trim());
  $("send").disabled = true;
  try {
    progress("上传中…", 0);
    const job = await follow(await write("/v1/documents", { method: "POST", body: form }), progress);
    progress(`已上线：${job.document.title}（${job.document.id}）`, null);
    $("upload").reset();
    await library();
  } catch (error) {
    progress(`未添加：${error.message}`, null);
  } finally {
    $("send").disabled = false;
  }
}

async function remove(document_) {
  if (!window.confirm(`确定从文件库删除《${document_.title}》吗？`)) return;
  try {
    progress("删除中…", null);
    await follow(await write(`/v1/documents/${encodeURIComponent(document_.id)}`, { method: "DELETE" }), progress);
    progress(`已删除：${document_.title}`, null);
    await library();
  } catch (error) {
    progress(`未删除：${error.message}`, null);
  }
}

function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith("/provision/")) return provision(hash.slice("/provision/".length));
  if (hash === "/documents") return library();
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const question = params.get("q");
  if (!question) { show("results"); return; }
  $("question").value = question;
  $("place").value = params.get("place") || "";
  return path === "/compare" ? compare(question, params.get("year")) : search(question, params.get("place"));
}

function go(view) {
  const question = $("question").value.trim();
  if (!question) return;
  const params = new URLSearchParams({ q: question });
  if (view === "search" && $("place").value) params.set("place", $("place").value);
  location.hash = `/${view}?${params}`;
}

async function places() {
  try {
    const { documents } = await api("/v1/documents");
    for (const name of [...new Set(documents.map((d) => d.jurisdiction))]) {
      $("place").append(el("option", { value: name }, name));
    }
  } catch (error) { /* the picker stays "不限"; the search still works */ }
}

$("ask").addEventListener("submit", (event) => { event.preventDefault(); go("search"); });
$("upload").addEventListener("submit", upload);
$("compare").addEventListener("click", () => go("compare"));
window.addEventListener("hashchange", route);
places().then(route);
