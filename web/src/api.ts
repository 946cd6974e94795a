// The control-plane API (docs/openapi.yaml): JSON in and out, session cookie, CSRF header.

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** An API refusal: the HTTP status, the error code and the per-field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** Called when the API says the session is gone (idle timeout, logout elsewhere). */
let onLoggedOut: (code: string) => void = () => {};
export function whenLoggedOut(fn: (code: string) => void): void {
  onLoggedOut = fn;
}

function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)ivrcast_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function headers(json: boolean): Record<string, string> {
  const out: Record<string, string> = { "X-CSRF-Token": csrfToken() };
  if (json) out["Content-Type"] = "application/json";
  return out;
}

async function refusal(res: Response): Promise<ApiError> {
  let code = "http_" + res.status;
  let message = res.statusText;
  let details: FieldProblem[] = [];
  try {
    const body = await res.json();
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
    details = body.error?.details ?? [];
  } catch {
    // not JSON: keep the status
  }
  const err = new ApiError(res.status, code, message, details);
  if (res.status === 401 && code === "not_logged_in") onLoggedOut(code);
  return err;
}

/** One JSON call; resolves with the parsed body (undefined for 204), rejects with ApiError. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await refusal(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A binary GET (audio playback), as a Blob. */
export async function fetchBlob(path: string): Promise<Blob> {
  const res = await fetch(path, { credentials: "same-origin" });
  if (!res.ok) throw await refusal(res);
  return res.blob();
}

/** Uploads a file body with progress (fetch has no upload progress; XHR does). */
export function upload<T>(
  method: string,
  path: string,
  file: Blob,
  progress: (sent: number, total: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Content-Type", "audio/wav");
    xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload did not reach the server"));
    xhr.onload = async () => {
      const res = new Response(xhr.responseText || null, {
        status: xhr.status,
        statusText: xhr.statusText,
      });
      if (xhr.status >= 200 && xhr.status < 300)
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
      else reject(await refusal(res));
    };
    xhr.send(file);
  });
}
