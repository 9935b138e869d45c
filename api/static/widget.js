// policy-qa chat bubble for government portals. Paste one tag into a page:
//   <script src="https://SERVICE/static/widget.js" data-jurisdiction="如皋市" defer></script>
// It talks to SERVICE/v1/chat/completions; the portal's origin must be listed in the service's
// POLICY_QA_CORS_ORIGINS. Optional: data-endpoint (another service URL), data-title, data-key
// (an X-API-Key, only for services that require one: it is visible to every visitor).
(function () {
  "use strict";
  const script = document.currentScript;
  const endpoint = (script.dataset.endpoint || new URL(script.src).origin).replace(/\/$/, "");
  const place = script.dataset.jurisdiction || null;
  const title = script.dataset.title || "政策问答";
  const key = script.dataset.key || null;
  const history = [];
  const WINDOW = 8;  // messages sent with each question

  const host = document.createElement("div");
  host.id = "policy-qa-widget";
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      * { box-sizing: border-box; font: 15px/1.55 "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; }
      .bubble { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%;
                border: 0; background: #a3261d; color: #fff; font-size: 24px; cursor: pointer;
                box-shadow: 0 4px 14px rgba(0,0,0,.25); z-index: 2147483000; }
      .panel { position: fixed; right: 20px; bottom: 88px; width: min(380px, calc(100vw - 40px));
               height: min(560px, calc(100vh - 120px)); background: #fff; border-radius: 12px;
               box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column;
               overflow: hidden; z-index: 2147483000; }
      .panel[hidden] { display: none; }
      header { background: #a3261d; color: #fff; padding: 10px 14px; font-weight: 700; }
      .log { flex: 1; overflow: auto; padding: 12px; background: #f6f7f9; }
      .msg { margin: 8px 0; padding: 8px 10px; border-radius: 8px; white-space: pre-wrap; max-width: 92%; }
      .user { background: #a3261d; color: #fff; margin-left: auto; }
      .assistant { background: #fff; border: 1px solid #d9dee5; }
      form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #d9dee5; }
      input { flex: 1; padding: 8px; border: 1px solid #d9dee5; border-radius: 6px; }
      button.send { padding: 8px 12px; border: 0; border-radius: 6px; background: #a3261d; color: #fff; cursor: pointer; }
    </style>
    <button class="bubble" aria-label="${title}" aria-expanded="false">问</button>
    <section class="panel" role="dialog" aria-label="${title}" hidden>
      <header>${title}</header>
      <div class="log" aria-live="polite"></div>
      <form><input name="q" maxlength="500" placeholder="请输入问题，例如：托育用房标准是多少" aria-label="问题">
        <button class="send" type="submit">发送</button></form>
    </section>`;
  const bubble = root.querySelector(".bubble");
  const panel = root.querySelector(".panel");
  const log = root.querySelector(".log");
  const form = root.querySelector("form");

  function add(role, text) {
    const node = document.createElement("div");
    node.className = `msg ${role}`;
    node.textContent = text;
    log.append(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  bubble.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    bubble.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) form.q.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.q.value.trim();
    if (!question) return;
    form.q.value = "";
    add("user", question);
    history.push({ role: "user", content: question });
    const pending = add("assistant", "正在查询…");
    const headers = { "Content-Type": "application/json" };
    if (key) headers["X-API-Key"] = key;
    try {
      const response = await fetch(`${endpoint}/v1/chat/completions`, {
        method: "POST", headers,
        // The latest turns only: a follow-up needs a few, and the request stays small however
        // long the conversation runs (the endpoint reads the last 20 messages at most).
        body: JSON.stringify({ model: "policy-qa", messages: history.slice(-WINDOW), jurisdiction: place }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || response.statusText);
      const reply = body.choices[0].message.content;
      pending.textContent = reply;
      history.push({ role: "assistant", content: reply });
    } catch (error) {
      pending.textContent = `暂时无法回答：${error.message}`;
      history.pop();
    }
  });
})();
