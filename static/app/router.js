// A small hash router: `#/path?query` → { name, params, query }. Only ids and receipts go in paths.
const { reactive } = Vue;

const TABLE = [
  ["home", /^\/?$/],
  ["signin", /^\/signin$/],
  ["verify", /^\/verify$/],
  ["records", /^\/records$/],
  ["record", /^\/records\/(?<id>\d+)$/],
  ["summary", /^\/summary$/],
  ["access-log", /^\/access-log$/],
  ["credit-report", /^\/credit-report$/],
  ["objection", /^\/objection$/],
  ["repair", /^\/repair$/],
  ["pledge", /^\/pledge$/],
  ["pledges", /^\/pledges$/],
  ["tip", /^\/tip$/],
  ["tip-follow", /^\/tip\/follow$/],
  ["cases", /^\/cases$/],
  ["case", /^\/cases\/(?<receipt>[A-Za-z]{2}\d{8}-\d{4,})$/],
  ["notifications", /^\/notifications$/],
  ["chat", /^\/chat$/],
  ["me", /^\/me$/],
];

// Older names the chat's links still use (nlp/skills): the same screens.
const ALIASES = { "/report": "/tip", "/report-status": "/tip/follow" };

export function parse(hash) {
  let [path, qs] = hash.replace(/^#/, "").split("?");
  const query = Object.fromEntries(new URLSearchParams(qs || ""));
  const given = path;
  path = ALIASES[path] || path || "/";
  if (path === "/cases" && query.receipt) path = "/cases/" + query.receipt;
  if (path !== given && given) history.replaceState(null, "", "#" + path + (path.startsWith("/cases/") ? "" : qs ? "?" + qs : ""));
  for (const [name, pattern] of TABLE) {
    const m = pattern.exec(path);
    if (m) return { name, params: { ...(m.groups || {}) }, query, path };
  }
  return { name: "not-found", params: {}, query, path };
}

export const route = reactive(parse(location.hash));

window.addEventListener("hashchange", () => {
  Object.assign(route, parse(location.hash));
  window.scrollTo(0, 0);
});

export function go(path) {
  location.hash = "#" + path;
}
