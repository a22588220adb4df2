import { type Response, Router } from 'express';
import type { Services } from '../../services';
import { NotFoundError } from '../../lib/errors';
import { idParam } from '../../lib/params';
import { CREDENTIAL_MEDIA_TYPE } from './credential';
import { didDocument, storedStatusList } from './service';

/** How long a verifier may reuse a status list: short, so a revocation shows within a minute. */
const STATUS_LIST_MAX_AGE_S = 60;

function sendJson(res: Response, type: string, body: string, maxAgeS: number): void {
  res.set('Content-Type', `${type}; charset=utf-8`);
  res.set('Cache-Control', `public, max-age=${maxAgeS}`);
  res.set('Access-Control-Allow-Origin', '*');
  res.send(body);
}

/** The issuer's public documents: its DID document (did:web) and its Bitstring Status Lists. No session, no writes. */
export function credentialRoutes(services: Services): Router {
  const router = Router();
  const ctx = { sequelize: services.sequelize, config: services.config, issuerKeys: services.issuerKeys };

  router.get(['/.well-known/did.json', '/did.json'], async (_req, res) => {
    const document = await didDocument(ctx);
    if (!document) throw new NotFoundError('صادرکننده با did:key شناخته می‌شود؛ سند did:web ندارد (BASE_URL با https نیست).');
    sendJson(res, 'application/did+ld+json', JSON.stringify(document), 300);
  });

  router.get('/credentials/status/:id', async (req, res) => {
    const list = await storedStatusList(services.sequelize, idParam(req.params.id));
    if (!list) throw new NotFoundError('این فهرست وضعیت وجود ندارد.');
    sendJson(res, CREDENTIAL_MEDIA_TYPE, list, STATUS_LIST_MAX_AGE_S);
  });

  return router;
}
