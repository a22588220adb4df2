import { from } from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalcredentials/data-integrity';
import { cryptosuite } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import { issue, verifyCredential as verifyProof } from '@digitalcredentials/vc';
import type { IssuerKey } from '../../services/issuer-keys';
import type { DocumentLoader } from './contexts';
import { verificationMethodId } from './issuer';
import { listBit } from './status-list';

/** Signs a credential with an eddsa-rdfc-2022 Data Integrity proof. The credential is not changed after. */
export async function signCredential(
  credential: Record<string, unknown>,
  did: string,
  key: IssuerKey,
  documentLoader: DocumentLoader,
): Promise<Record<string, unknown>> {
  const pair = await from({ id: verificationMethodId(did, key.publicKeyMultibase), controller: did, ...key });
  const suite = new DataIntegrityProof({ signer: pair.signer(), cryptosuite });
  return issue({ credential: structuredClone(credential), suite, documentLoader });
}

export interface CredentialCheck {
  /** Proof valid and not revoked. */
  verified: boolean;
  signature: boolean;
  statusChecked: boolean;
  revoked: boolean;
  errors: string[];
}

function messages(error: unknown): string[] {
  if (!error) return [];
  const e = error as { message?: string; errors?: unknown[] };
  if (Array.isArray(e.errors) && e.errors.length) return e.errors.flatMap(messages);
  return [String(e.message ?? error).slice(0, 300)];
}

interface StatusEntry {
  type?: string;
  statusPurpose?: string;
  statusListIndex?: string;
  statusListCredential?: string;
}

const issuerId = (issuer: unknown): unknown => (issuer && typeof issuer === 'object' ? (issuer as { id?: unknown }).id : issuer);

/** Reads the revocation bit of a credential's BitstringStatusListEntry; throws when it cannot be trusted. */
async function revocationBit(
  credential: Record<string, unknown>,
  entry: StatusEntry,
  suite: object,
  documentLoader: DocumentLoader,
): Promise<boolean> {
  if (entry.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation' || !entry.statusListCredential) {
    throw new Error('credentialStatus is not a revocation BitstringStatusListEntry');
  }
  const list = (await documentLoader(entry.statusListCredential)).document as Record<string, unknown>;
  const listCheck = await verifyProof({ credential: list, suite, documentLoader });
  if (!listCheck.verified) throw new Error(`the status list does not verify: ${messages(listCheck.error).join('; ')}`);
  if (issuerId(list.issuer) !== issuerId(credential.issuer)) throw new Error('the status list has another issuer');
  const subject = list.credentialSubject as { type?: string; statusPurpose?: string; encodedList?: string };
  if (subject?.type !== 'BitstringStatusList' || subject.statusPurpose !== 'revocation' || !subject.encodedList) {
    throw new Error('not a revocation BitstringStatusList');
  }
  const index = Number.parseInt(entry.statusListIndex ?? '', 10);
  if (!Number.isSafeInteger(index) || index < 0) throw new Error('statusListIndex is not an index');
  return listBit(subject.encodedList, index);
}

/**
 * Checks a credential's proof and, when it has a BitstringStatusListEntry, its bit: the status list is
 * loaded through the same strict loader, its own proof verified, its issuer compared, and the bit read
 * here (a status library answering `verified` for a revoked credential is the pitfall this avoids).
 * With `status: false` (an auditor offline without the list) the status is reported as not checked.
 */
export async function checkCredential(
  credential: Record<string, unknown>,
  documentLoader: DocumentLoader,
  options: { status?: boolean } = {},
): Promise<CredentialCheck> {
  const suite = new DataIntegrityProof({ cryptosuite });
  const status = { checked: false, revoked: false, errors: [] as string[] };
  // The library calls this only after the proof verified; its answer stays apart from the signature's.
  const checkStatus = async ({ credential: checked }: { credential: Record<string, unknown> }) => {
    if (options.status === false) return { verified: true };
    try {
      status.revoked = await revocationBit(checked, checked.credentialStatus as StatusEntry, suite, documentLoader);
      status.checked = true;
    } catch (err) {
      status.errors.push(`status: ${(err as Error).message}`.slice(0, 300));
    }
    return { verified: true };
  };
  const proof = await verifyProof({ credential, suite, documentLoader, checkStatus });
  const signature = proof.verified === true;
  const statusOk = !credential.credentialStatus || options.status === false || status.checked;
  return {
    verified: signature && statusOk && !status.revoked,
    signature,
    statusChecked: status.checked,
    revoked: status.revoked,
    errors: [...messages(proof.error), ...status.errors],
  };
}
