/**
 * A browser-like HTTP client for the scripts: one cookie jar, the CSRF token of the last page seen,
 * no automatic redirects. Built on Node's fetch.
 */
export interface Reply {
  status: number;
  location: string | null;
  text: string;
}

export class Client {
  cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(public base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    body?: string | URLSearchParams,
    headers: Record<string, string> = {},
    timeoutMs = 30_000,
  ): Promise<Reply> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : body.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const type = res.headers.get('content-type') ?? '';
    const text = type.includes('pdf') || type.includes('zip') || type.includes('spreadsheet') ? '' : await res.text();
    const token = /name="_csrf"[^>]*value="([^"]+)"/.exec(text) ?? /name="csrf-token"[^>]*content="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1];
    return { status: res.status, location: res.headers.get('location'), text };
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /** Posts a form with the CSRF token of the last page seen (fields may repeat: pass pairs). */
  post(path: string, fields: Record<string, string> | [string, string][] = {}): Promise<Reply> {
    const form = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    if (this.csrf && !form.has('_csrf')) form.set('_csrf', this.csrf);
    return this.request('POST', path, form);
  }

  /** Logs in; true when the app accepted the credentials. Fetches a page after, for a fresh CSRF token. */
  async login(username: string, password: string): Promise<boolean> {
    await this.get('/login');
    const res = await this.post('/login', { username, password });
    const ok = res.status === 303 && !(res.location ?? '').startsWith('/login');
    if (ok) {
      let page = await this.get(res.location ?? '/');
      for (let hops = 0; hops < 3 && page.status >= 300 && page.status < 400 && page.location; hops++) page = await this.get(page.location);
    }
    return ok;
  }
}
