import { DID_CONTEXT, MULTIKEY_CONTEXT } from './contexts';
import { DIRECTORATE } from '../certificates/fields';

/**
 * The issuer's identifier: `did:web` of BASE_URL when it is https (the key can then rotate: the DID
 * document at /.well-known/did.json lists the keys), otherwise `did:key` of the signing key.
 */
export function issuerDid(baseUrl: string, signingKey: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') return `did:key:${signingKey}`;
  const path = url.pathname.split('/').filter(Boolean).map(encodeURIComponent);
  return ['did:web', encodeURIComponent(url.host), ...path].join(':');
}

export const isDidWeb = (did: string): boolean => did.startsWith('did:web:');

export function verificationMethodId(did: string, publicKeyMultibase: string): string {
  return `${did}#${publicKeyMultibase}`;
}

/** The DID document of a did:web issuer: every key it vouches for may assert credentials. */
export function didWebDocument(did: string, publicKeys: string[]): Record<string, unknown> {
  const methods = publicKeys.map((key) => ({
    id: verificationMethodId(did, key),
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: key,
  }));
  const ids = methods.map((m) => m.id);
  return { '@context': [DID_CONTEXT, MULTIKEY_CONTEXT], id: did, verificationMethod: methods, assertionMethod: ids, authentication: ids };
}

/** The issuer profile printed into every credential: the directorate, by its Persian name and address. */
export function issuerProfile(did: string, baseUrl: string): Record<string, unknown> {
  return { id: did, type: ['Profile'], name: DIRECTORATE, url: baseUrl };
}
