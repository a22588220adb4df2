import http from 'node:http';
import type net from 'node:net';

export interface SentSms {
  receptor: string;
  sender: string;
  message: string;
  localid: string;
}

export interface SmsStandIn {
  /** The base address to give as SMS_API_URL. */
  url: string;
  apiKey: string;
  sent: SentSms[];
  /** Requests refused while down. */
  refused: number;
  /** false: every request is answered 503, as a provider that is down. */
  up: boolean;
  /** Set: every request is answered this way instead — a Kavenegar refusal (its code, e.g. 418), a malformed body, or no answer. */
  trouble: { refuse: number } | 'malformed' | 'hang' | null;
  /** Messages to a mobile 09xxxxxxxxx. */
  to(mobile: string): string[];
  close(): Promise<void>;
}

/** A local stand-in for Kavenegar's REST API: POST /v1/{key}/sms/send.json, answered as Kavenegar documents it. */
export function smsStandIn(apiKey = 'test-kavenegar-key'): Promise<SmsStandIn> {
  let nextId = 5000;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== `/v1/${apiKey}/sms/send.json`) {
        res.writeHead(404).end(JSON.stringify({ return: { status: 404, message: 'not found' } }));
        return;
      }
      if (standIn.trouble === 'hang') return; // never answers (the socket closes with the server)
      if (standIn.trouble === 'malformed') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"return": {"status": 2');
        return;
      }
      if (standIn.trouble) {
        const status = standIn.trouble.refuse;
        res
          .writeHead(status, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ return: { status, message: 'refused' }, entries: null }));
        return;
      }
      if (!standIn.up) {
        standIn.refused++;
        res.writeHead(503).end();
        return;
      }
      const form = new URLSearchParams(raw);
      const sms = {
        receptor: form.get('receptor') ?? '',
        sender: form.get('sender') ?? '',
        message: form.get('message') ?? '',
        localid: form.get('localid') ?? '',
      };
      standIn.sent.push(sms);
      const body = JSON.stringify({
        return: { status: 200, message: 'تایید شد' },
        entries: [
          {
            messageid: ++nextId,
            message: sms.message,
            status: 1,
            statustext: 'در صف ارسال',
            sender: sms.sender,
            receptor: sms.receptor,
            cost: 120,
          },
        ],
      });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
    });
  });
  const standIn: SmsStandIn = {
    url: '',
    apiKey,
    sent: [],
    refused: 0,
    up: true,
    trouble: null,
    to: (mobile) => standIn.sent.filter((s) => s.receptor === mobile).map((s) => s.message),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      standIn.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      resolve(standIn);
    });
  });
}
