/**
 * `npm run verify-credential -- credential.json [status-list.json …] [did.json]`: checks an Open Badges 3.0
 * credential offline, with the app's strict loader (bundled, pinned contexts; did:key computed) and no
 * network. For an auditor with files only: a did:web issuer needs its DID document (did.json) among the
 * files, and the revocation status is checked only when the status list credential is given too
 * (saved from the URL in the credential's `credentialStatus.statusListCredential`).
 * Prints what was checked; exits 0 when the credential verifies, 1 otherwise, 2 on bad usage.
 */
import fs from 'node:fs';
import { strictDocumentLoader } from '../src/features/credentials/contexts';
import { checkCredential } from '../src/features/credentials/signing';

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a JSON file (${(err as Error).message})`);
  }
}

async function main(): Promise<number> {
  const files = process.argv.slice(2).filter((a) => a !== '--');
  if (!files.length) {
    console.error('usage: npm run verify-credential -- credential.json [status-list.json …] [did.json]');
    return 2;
  }
  const [credential, ...extra] = files.map(readJson);
  // The given files are the only documents besides the bundled contexts, keyed by their own id.
  const given = new Map(extra.map((doc) => [String(doc.id), doc]));
  const loader = strictDocumentLoader(async (url) => given.get(url) ?? null);
  const status = credential.credentialStatus as { statusListCredential?: string } | undefined;
  const hasList = Boolean(status?.statusListCredential && given.has(status.statusListCredential));
  const result = await checkCredential(credential, loader, { status: hasList });
  const issuer = credential.issuer as { id?: string; name?: string } | string;
  const subject = credential.credentialSubject as { name?: string; achievement?: { name?: string } } | undefined;
  console.log(`credential: ${String(credential.id ?? files[0])}`);
  console.log(`issuer:     ${typeof issuer === 'string' ? issuer : `${issuer?.id} (${issuer?.name ?? ''})`}`);
  console.log(`subject:    ${subject?.name ?? '—'} — ${subject?.achievement?.name ?? '—'}`);
  console.log(`signature:  ${result.signature ? 'valid (DataIntegrityProof, eddsa-rdfc-2022)' : 'INVALID'}`);
  if (!status) console.log('status:     none in the credential');
  else if (!hasList) console.log(`status:     not checked (offline); give the list saved from ${status.statusListCredential}`);
  else console.log(`status:     ${result.statusChecked ? (result.revoked ? 'REVOKED' : 'not revoked') : 'could not be checked'}`);
  for (const error of result.errors) console.log(`error:      ${error}`);
  console.log(result.verified ? 'VERIFIED' : 'NOT VERIFIED');
  return result.verified ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(2);
  },
);
