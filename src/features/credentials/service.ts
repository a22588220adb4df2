import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Services } from '../../services';
import { statements } from '../../db/prepared';
import type { IssuerKeys } from '../../services/issuer-keys';
import { codeCandidates } from '../certificates/verification-code';
import { type OwnDocuments, strictDocumentLoader } from './contexts';
import { type CredentialInput, credentialPath, openBadgeCredential } from './credential';
import { presentCredentialCheck } from './presenter';
import { didWebDocument, isDidWeb, issuerDid, issuerProfile } from './issuer';
import { checkCredential, type CredentialCheck, signCredential } from './signing';
import { listPosition, statusEntry, statusListCredential, statusListRange, statusListUrl } from './status-list';

export interface CredentialContext {
  sequelize: Sequelize;
  config: Pick<Services['config'], 'baseUrl'>;
  issuerKeys: IssuerKeys;
  /** Remembered verify-page checks (services.credentialChecks); without it every check is made again. */
  checks?: Services['credentialChecks'];
}

/** The issuer that signs: its identifier and key (made now if the first start did not). For POSTs. */
async function signingIssuer(ctx: CredentialContext) {
  const key = await ctx.issuerKeys.signingKey();
  return { did: issuerDid(ctx.config.baseUrl, key.publicKeyMultibase), key };
}

/** The did:web identifier and its DID document, read only; null when the issuer is a did:key (no https). */
async function didWeb(ctx: CredentialContext): Promise<{ did: string; document: Record<string, unknown> } | null> {
  const did = issuerDid(ctx.config.baseUrl, '');
  if (!isDidWeb(did)) return null;
  return { did, document: didWebDocument(did, await ctx.issuerKeys.publicKeys()) };
}

/** The issuer's key pair, made on first start when none is configured or stored. */
export async function ensureIssuerKey(ctx: CredentialContext): Promise<void> {
  await ctx.issuerKeys.ensure();
}

/** The DID document served at /.well-known/did.json, or null when the issuer is a did:key (no https). */
export async function didDocument(ctx: CredentialContext): Promise<Record<string, unknown> | null> {
  return (await didWeb(ctx))?.document ?? null;
}

/** A signed status list as stored (JSON text), or null. */
export async function storedStatusList(sequelize: Sequelize, listId: number): Promise<string | null> {
  // Read on every view of a verify page (the remembered check compares its digest): a prepared statement.
  const row = await statements(sequelize).get<{ credential: string }>('SELECT credential FROM status_lists WHERE id = :listId', { listId });
  return row?.credential ?? null;
}

/** A certificate's signed credential as stored (JSON text), or null; the code as /verify reads it. */
export async function storedCredential(sequelize: Sequelize, code: string): Promise<string | null> {
  const codes = codeCandidates(code);
  if (!codes.length) return null;
  const row = await statements(sequelize).get<{ credential: string | null }>(
    'SELECT credential FROM certificates WHERE code IN (:first, :second) LIMIT 1',
    {
      first: codes[0],
      second: codes[1] ?? codes[0],
    },
  );
  return row?.credential ?? null;
}

/**
 * The app's own documents as text, by URL: a status list as stored, the DID document as JSON; null
 * for any other URL. The verify page's remembered check compares digests of this text, so a view
 * neither parses nor serializes the status list again.
 */
function ownDocumentTexts(ctx: CredentialContext): (url: string) => Promise<string | null> {
  const listPrefix = `${ctx.config.baseUrl}/credentials/status/`;
  return async (url) => {
    if (url.startsWith(listPrefix)) {
      const listId = Number(url.slice(listPrefix.length));
      return Number.isSafeInteger(listId) ? await storedStatusList(ctx.sequelize, listId) : null;
    }
    const web = await didWeb(ctx);
    return web && url === web.did ? JSON.stringify(web.document) : null;
  };
}

/** The app's own documents for its strict loader: its DID document and its status lists, from the database. */
function ownDocuments(ctx: CredentialContext): OwnDocuments {
  const text = ownDocumentTexts(ctx);
  return async (url) => {
    const found = await text(url);
    return found ? JSON.parse(found) : null;
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const digestOf = (text: string | null) => sha256(text ?? 'null');

/**
 * Whether a check's answer can only stay what it is: no document in it ends its validity
 * (`validUntil`, `expirationDate`) and every start (`validFrom`, `issuanceDate`) had passed at `now`.
 * A credential or status list signed by an instance whose clock runs ahead fails until its start and
 * is checked again each time.
 */
function timeless(documents: unknown[], now: number): boolean {
  return documents.every((document) => {
    if (!document || typeof document !== 'object') return true;
    const d = document as Record<string, unknown>;
    if (d.validUntil !== undefined || d.expirationDate !== undefined) return false;
    return [d.validFrom, d.issuanceDate].every((start) => start === undefined || Date.parse(String(start)) <= now);
  });
}

/** A remembered check: the digest of each of the app's own documents it loaded, by URL, and its answer. */
interface RememberedCheck {
  documents: [url: string, sha256: string][];
  check: CredentialCheck;
}

/**
 * The verify page's own check of a stored credential: proof and status, read from this database.
 * The check is a pure function of the credential and of the documents the strict loader gave it
 * (the bundled contexts and did:key documents are fixed by their URLs; the status list and DID
 * document are read here): remembered under the credential's digest, it is answered again only when
 * every one of those documents, read afresh now, has the digest it had. A revocation on any instance
 * re-signs the stored status list, so the next view here checks again; nothing needs emptying.
 */
export async function checkStoredCredential(
  ctx: CredentialContext,
  json: string,
  /** The app's own documents already read (by URL, as stored): a status list read with the certificate. */
  read: ReadonlyMap<string, string | null> = new Map(),
): Promise<CredentialCheck> {
  const ownText = ownDocumentTexts(ctx);
  const own = async (url: string) => (read.has(url) ? (read.get(url) ?? null) : ownText(url));
  const key = sha256(json);
  const remembered = ctx.checks?.get(key);
  if (remembered) {
    const { documents, check } = JSON.parse(remembered) as RememberedCheck;
    const current = await Promise.all(documents.map(async ([url]) => digestOf(await own(url))));
    if (current.every((digest, i) => digest === documents[i][1])) return check;
  }
  const loaded = new Map<string, { document: object | null; sha256: string }>();
  const recording: OwnDocuments = async (url) => {
    const text = await own(url);
    const document = text ? JSON.parse(text) : null;
    loaded.set(url, { document, sha256: digestOf(text) });
    return document;
  };
  const startedAt = Date.now();
  const credential = JSON.parse(json);
  const check = await checkCredential(credential, strictDocumentLoader(recording));
  if (ctx.checks && timeless([JSON.parse(json), ...[...loaded.values()].map((l) => l.document)], startedAt)) {
    const documents = [...loaded].map(([url, l]): [string, string] => [url, l.sha256]);
    ctx.checks.set(key, JSON.stringify({ documents, check } satisfies RememberedCheck));
  }
  return check;
}

/** The verify page's credential section of the certificate with this code, or null when it has none. */
export async function credentialSection(
  ctx: CredentialContext,
  code: string,
  stored?: { credential: string | null; statusList: { id: number; json: string | null } | null },
) {
  // The verify page hands over the credential and status list it read with the certificate; otherwise they are read here.
  const json = stored ? stored.credential : await storedCredential(ctx.sequelize, code);
  const read = new Map<string, string | null>();
  if (stored?.statusList) read.set(statusListUrl(ctx.config.baseUrl, stored.statusList.id), stored.statusList.json);
  return json ? presentCredentialCheck(credentialPath(code), await checkStoredCredential(ctx, json, read)) : null;
}

/** Hands out `count` status-list indexes, under the counter's row lock (like certificate serials). */
export async function reserveStatusIndexes(sequelize: Sequelize, count: number): Promise<number[]> {
  const last = await sequelize.transaction(async (transaction) => {
    await sequelize.query('INSERT INTO status_list_counter (id, last_index) VALUES (1, -1) ON CONFLICT (id) DO NOTHING', { transaction });
    await sequelize.query('UPDATE status_list_counter SET last_index = last_index + :count WHERE id = 1', {
      replacements: { count },
      transaction,
    });
    const rows = await sequelize.query<{ last_index: number | string }>('SELECT last_index FROM status_list_counter WHERE id = 1', {
      transaction,
      type: QueryTypes.SELECT,
    });
    return Number(rows[0].last_index);
  });
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

async function setBitsOf(sequelize: Sequelize, listId: number, transaction?: Transaction): Promise<number[]> {
  const { from, to } = statusListRange(listId);
  const rows = await sequelize.query<{ status_list_index: number | string }>(
    "SELECT status_list_index FROM certificates WHERE status <> 'valid' AND status_list_index BETWEEN :from AND :to",
    { replacements: { from, to }, transaction, type: QueryTypes.SELECT },
  );
  return rows.map((r) => listPosition(Number(r.status_list_index)).bit);
}

/**
 * The issuer at work: signs certificates' credentials and their status lists. Load it before a
 * transaction opens (it reads the keys), then use it inside.
 */
export async function credentialIssuer(ctx: CredentialContext) {
  const issuer = await signingIssuer(ctx);
  const loader = strictDocumentLoader(ownDocuments(ctx));
  const { baseUrl } = ctx.config;
  const { sequelize } = ctx;

  async function signedList(listId: number, transaction?: Transaction): Promise<string> {
    const unsigned = await statusListCredential(baseUrl, listId, issuer.did, await setBitsOf(sequelize, listId, transaction));
    return JSON.stringify(await signCredential(unsigned, issuer.did, issuer.key, loader));
  }

  return {
    /** Makes sure the status lists holding these indexes exist before credentials point at them. */
    async ensureLists(statusIndexes: number[]): Promise<void> {
      for (const listId of new Set(statusIndexes.map((i) => listPosition(i).listId))) {
        if (await storedStatusList(sequelize, listId)) continue;
        await sequelize.query(
          'INSERT INTO status_lists (id, credential, updated_at) VALUES (:listId, :credential, :now) ON CONFLICT (id) DO NOTHING',
          {
            replacements: { listId, credential: await signedList(listId), now: new Date() },
          },
        );
      }
    },

    /** The signed OpenBadgeCredential of a certificate being issued (JSON text, stored and never re-signed). */
    async signCertificate(input: Omit<CredentialInput, 'issuer' | 'status' | 'baseUrl'> & { statusIndex: number }): Promise<string> {
      const unsigned = openBadgeCredential({
        ...input,
        baseUrl,
        issuer: issuerProfile(issuer.did, baseUrl),
        status: statusEntry(baseUrl, input.statusIndex),
      });
      return JSON.stringify(await signCredential(unsigned, issuer.did, issuer.key, loader));
    },

    /**
     * Re-signs the lists holding these indexes from the certificates' statuses, inside the transaction
     * that changed them. The row is locked first, so concurrent revocations queue and none is lost.
     */
    async resignLists(statusIndexes: (number | null)[], transaction: Transaction): Promise<void> {
      const listIds = new Set(statusIndexes.filter((i): i is number => i !== null).map((i) => listPosition(i).listId));
      for (const listId of listIds) {
        const now = new Date();
        await sequelize.query('UPDATE status_lists SET updated_at = :now WHERE id = :listId', {
          replacements: { now, listId },
          transaction,
        });
        await sequelize.query('UPDATE status_lists SET credential = :credential WHERE id = :listId', {
          replacements: { listId, credential: await signedList(listId, transaction) },
          transaction,
        });
      }
    },
  };
}

export type CredentialIssuer = Awaited<ReturnType<typeof credentialIssuer>>;
