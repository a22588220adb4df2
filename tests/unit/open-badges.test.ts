import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '@digitalbazaar/ed25519-multikey';
import { strictDocumentLoader } from '../../src/features/credentials/contexts';
import { normalizeForSigning } from '../../src/features/credentials/credential';
import { issuerDid } from '../../src/features/credentials/issuer';
import { checkCredential, signCredential } from '../../src/features/credentials/signing';
import sqlite3 from 'sqlite3';
import { listBit, listIdSql, listPosition, statusListCredential } from '../../src/features/credentials/status-list';

const ZWNJ = '\u200c';
/** «آ» as a pasted decomposed pair (alef + madda above) and Arabic ي/ك: what a form can deliver. */
const TYPED_NAME = `علي رضا${ZWNJ}پور ا\u0653رین كاظمی`;
const SIGNED_NAME = `علی رضا${ZWNJ}پور آرین کاظمی`;

async function issuerKey() {
  const pair = await generate();
  const key = await pair.export({ publicKey: true, secretKey: true });
  return {
    did: issuerDid('http://rabet.test', key.publicKeyMultibase),
    key: { publicKeyMultibase: key.publicKeyMultibase, secretKeyMultibase: key.secretKeyMultibase },
  };
}

function badge(did: string, name: string) {
  return normalizeForSigning({
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: did, type: ['Profile'], name: 'اداره کل بهزیستی استان کرمان' },
    validFrom: '2026-12-01T08:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      name,
      achievement: {
        id: 'http://rabet.test/courses/1#achievement',
        type: ['Achievement'],
        name: 'خبرنویسی',
        criteria: { narrative: 'حضور دست‌کم ۸۰٪' },
      },
    },
  });
}

describe('Open Badges signing', () => {
  it('normalises once before signing: ی/ک, one «آ», ZWNJ kept', () => {
    const normalised = badge('did:key:z6Mk', TYPED_NAME);
    assert.equal(normalised.credentialSubject.name, SIGNED_NAME);
    assert.ok(normalised.credentialSubject.name.includes(ZWNJ));
  });

  it('signs and verifies a name with ZWNJ, ی/ک and «آ»; any other form of one letter breaks the signature', async () => {
    const { did, key } = await issuerKey();
    const loader = strictDocumentLoader();
    const signed = await signCredential(badge(did, TYPED_NAME), did, key, loader);
    const subject = signed.credentialSubject as { name: string };
    assert.equal(subject.name, SIGNED_NAME);
    assert.equal((await checkCredential(signed, loader)).verified, true);

    // Re-indented and reordered JSON is the same credential.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()), null, 4));
    assert.equal((await checkCredential(reordered, loader)).verified, true);

    const altered = (name: string) => ({ ...signed, credentialSubject: { ...(signed.credentialSubject as object), name } });
    for (const name of [
      SIGNED_NAME.replace('ی', 'ي'),
      SIGNED_NAME.replace('ک', 'ك'),
      SIGNED_NAME.replace(ZWNJ, ''),
      SIGNED_NAME.replace(ZWNJ, ' '),
      SIGNED_NAME.replace('آ', 'ا\u0653'),
    ]) {
      const result = await checkCredential(altered(name), loader);
      assert.equal(result.signature, false, `a changed name verified: ${JSON.stringify(name)}`);
    }
  });

  it('refuses every document it does not hold: no remote context, no foreign did:web', async () => {
    const loader = strictDocumentLoader();
    await assert.rejects(loader('https://purl.imsglobal.org/spec/ob/v3p0/context.json'), /refused/);
    await assert.rejects(loader('did:web:example.com'), /refused/);
    await assert.rejects(loader('https://example.com/status/1'), /refused/);
    const context = await loader('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json');
    assert.ok(context.document);
  });

  it('encodes a status list whose set bits read back, and only those', async () => {
    const list = await statusListCredential('http://rabet.test', 1, 'did:key:z6Mk', [3, 131071]);
    const encoded = (list.credentialSubject as { encodedList: string }).encodedList;
    assert.ok(encoded.startsWith('u'));
    assert.deepEqual(await Promise.all([0, 3, 4, 131071].map((i) => listBit(encoded, i))), [false, true, false, true]);
  });

  it('names the issuer did:web on https (with the port encoded) and did:key otherwise', () => {
    assert.equal(issuerDid('https://rabet.behzisti-kerman.ir', 'z6MkX'), 'did:web:rabet.behzisti-kerman.ir');
    assert.equal(issuerDid('https://example.ir:8443/rabet', 'z6MkX'), 'did:web:example.ir%3A8443:rabet');
    assert.equal(issuerDid('http://10.0.0.5:3000', 'z6MkX'), 'did:key:z6MkX');
  });
});

describe('the status list of a status index', () => {
  it('is the same list in SQL (listIdSql) as in listPosition, at and across each list edge', async () => {
    const db = new sqlite3.Database(':memory:');
    const indexes = [0, 1, 131_071, 131_072, 131_073, 262_143, 262_144, 1_000_000];
    const values = indexes.map((i) => `(${i})`).join(', ');
    const rows = await new Promise<{ i: number; list: number }[]>((resolve, reject) =>
      db.all(`SELECT column1 AS i, ${listIdSql('column1')} AS list FROM (VALUES ${values})`, (err, r) =>
        err ? reject(err) : resolve(r as { i: number; list: number }[]),
      ),
    );
    db.close();
    assert.deepEqual(
      rows.map((r) => r.list),
      indexes.map((i) => listPosition(i).listId),
    );
  });
});
