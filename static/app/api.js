// The JSON API as the screens use it: the session's tokens, Chinese error messages, uploads.
const { reactive } = Vue;

export const session = reactive({
  access: localStorage.getItem("access_token") || "",
  refresh: localStorage.getItem("refresh_token") || "",
  subjectId: Number(localStorage.getItem("subject_id")) || null,
});

export function saveTokens(pair) {
  session.access = pair.access_token || "";
  session.refresh = pair.refresh_token || "";
  session.subjectId = pair.subject_id || null;
  localStorage.setItem("access_token", session.access);
  localStorage.setItem("refresh_token", session.refresh);
  localStorage.setItem("subject_id", session.subjectId ? String(session.subjectId) : "");
}

export function clearTokens() {
  saveTokens({});
  for (const name of ["access_token", "refresh_token", "subject_id"]) localStorage.removeItem(name);
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

const NETWORK = "网络异常，请检查网络后重试";

/** The Chinese half of the API's bilingual "中文 / English" message. */
export function chinese(message) {
  return String(message || "").split(" / ")[0] || "请求失败，请稍后再试";
}

async function errorOf(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    body = null;
  }
  const err = (body && body.error) || {};
  return new ApiError(resp.status, err.code || "http_" + resp.status, chinese(err.message), err.details);
}

/** A random id of this browser, sent where the API limits abuse per device (never stored with a tip). */
export function deviceId() {
  let id = localStorage.getItem("device-id");
  if (!id) {
    id = newKey();
    localStorage.setItem("device-id", id);
  }
  return id;
}

/** A random key for one form instance: a retried or double-tapped submit files once. */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function refreshed() {
  if (!session.refresh) return false;
  const resp = await fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: session.refresh }),
  }).catch(() => null);
  if (!resp || !resp.ok) {
    clearTokens();
    return false;
  }
  saveTokens(await resp.json());
  return true;
}

/**
 * Call the API; resolve with the parsed body (or the Response for `raw`), reject with ApiError.
 * options: method, body (JSON), headers, auth (default true), raw, key (Idempotency-Key).
 */
export async function api(path, options = {}) {
  const { method = "GET", body, auth = true, raw = false, key, headers: extra = {} } = options;
  const send = () => {
    const headers = { ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && session.access) headers.Authorization = "Bearer " + session.access;
    if (key) headers["Idempotency-Key"] = key;
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let resp;
  try {
    resp = await send();
    if (resp.status === 401 && auth && session.access && (await refreshed())) resp = await send();
  } catch (e) {
    throw new ApiError(0, "network", NETWORK);
  }
  if (!resp.ok) throw await errorOf(resp);
  if (raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

/**
 * Upload one file with progress (XHR: fetch has no upload progress). options: path, field (the
 * multipart name), extra (other form fields), headers, auth (default true).
 */
export function uploadEvidence(file, onProgress, options = {}) {
  const { path = "/api/v1/evidence", field = "file", extra = {}, headers = {}, auth = true } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    if (auth && session.access) xhr.setRequestHeader("Authorization", "Bearer " + session.access);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      const err = (body && body.error) || {};
      reject(new ApiError(xhr.status, err.code || "http_" + xhr.status, chinese(err.message)));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", NETWORK));
    const form = new FormData();
    for (const [name, value] of Object.entries(extra)) form.append(name, value);
    form.append(field, file, file.name);
    xhr.send(form);
  });
}

/** Save a binary answer (PDF) the way a phone browser can; resolve with the server's file name. */
export async function download(path, name) {
  const resp = await api(path, { raw: true, headers: { Accept: "application/pdf" } });
  const given = /filename="([^"]+)"/.exec(resp.headers.get("content-disposition") || "");
  name = given ? given[1] : name;
  const blob = await resp.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  return name;
}
