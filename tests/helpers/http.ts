import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from './factories';

export type Agent = ReturnType<typeof request.agent>;

/** The `_csrf` value of the first form on a page (or the csrf-token meta tag). */
export function csrfFrom(html: string): string {
  const match = /name="_csrf"[^>]*value="([^"]+)"/.exec(html) ?? /name="csrf-token"[^>]*content="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

/** A browser-like agent: keeps cookies, reads the CSRF token from a page before posting. */
export async function csrfOf(agent: Agent, path = '/login'): Promise<string> {
  let res = await agent.get(path);
  // A logged-in user asking for /login is sent home: any page of theirs carries the token.
  for (let hops = 0; hops < 3 && res.status >= 300 && res.status < 400; hops++) res = await agent.get(res.headers.location);
  return csrfFrom(res.text);
}

/** Posts a form as a browser would: the CSRF token from `from`, then the fields. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string | string[]>, from = '/login') {
  const token = await csrfOf(agent, from);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: token });
}

/** An agent logged in as username (password from the factories unless given). */
export async function loginAs(app: Express, username: string, password = PASSWORD): Promise<Agent> {
  const agent = request.agent(app);
  const res = await postForm(agent, '/login', { username, password });
  if (res.status !== 303 || res.headers.location?.startsWith('/login')) {
    throw new Error(`login as ${username} failed: ${res.status} ${res.headers.location ?? ''}`);
  }
  return agent;
}

/** A supertest parser that keeps the body as bytes (PDFs, ZIPs, spreadsheets): `.buffer(true).parse(binary)`. */
export function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
