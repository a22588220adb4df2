import { generate } from '@digitalbazaar/ed25519-multikey';
import { QueryTypes, type Sequelize } from 'sequelize';

/** One Ed25519 key of the credential issuer. The secret half never leaves this module's callers' signing. */
export interface IssuerKey {
  publicKeyMultibase: string;
  secretKeyMultibase: string;
}

interface KeyRow {
  id: number;
  public_key_multibase: string;
  secret_key_multibase: string;
}

async function keyFromSeed(seedHex: string): Promise<IssuerKey> {
  const pair = await generate({ seed: Buffer.from(seedHex, 'hex') });
  const exported = await pair.export({ publicKey: true, secretKey: true });
  return { publicKeyMultibase: exported.publicKeyMultibase, secretKeyMultibase: exported.secretKeyMultibase };
}

async function newKey(): Promise<IssuerKey> {
  const pair = await generate();
  const exported = await pair.export({ publicKey: true, secretKey: true });
  return { publicKeyMultibase: exported.publicKeyMultibase, secretKeyMultibase: exported.secretKeyMultibase };
}

/**
 * Where the issuer's keys live, like the session secret: the key given by ISSUER_KEY_SEED, or else the
 * newest row of `issuer_keys`, generated on first start. Older rows stay so that a did:web document
 * still lists the keys that signed earlier credentials (rotation). Nothing here is ever rendered,
 * exported or logged.
 */
export class IssuerKeys {
  private loaded: Promise<{ signing: IssuerKey; all: string[] }> | null = null;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly seedHex: string | undefined,
  ) {}

  private async rows(): Promise<KeyRow[]> {
    return this.sequelize.query<KeyRow>('SELECT id, public_key_multibase, secret_key_multibase FROM issuer_keys ORDER BY id', {
      type: QueryTypes.SELECT,
    });
  }

  /** Creates the first key when there is none; several instances starting at once agree on one (id 1). */
  async ensure(): Promise<void> {
    if (this.seedHex || (await this.rows()).length) return;
    const key = await newKey();
    await this.sequelize.query(
      'INSERT INTO issuer_keys (id, public_key_multibase, secret_key_multibase, created_at) VALUES (1, :pub, :sec, :now) ON CONFLICT (id) DO NOTHING',
      { replacements: { pub: key.publicKeyMultibase, sec: key.secretKeyMultibase, now: new Date() } },
    );
  }

  /** Adds a new key that signs from now on (did:web keeps listing the older ones). */
  async rotate(): Promise<string> {
    const key = await newKey();
    const last = (await this.rows()).at(-1)?.id ?? 0;
    await this.sequelize.query('INSERT INTO issuer_keys (id, public_key_multibase, secret_key_multibase, created_at) VALUES (:id, :pub, :sec, :now)', {
      replacements: { id: last + 1, pub: key.publicKeyMultibase, sec: key.secretKeyMultibase, now: new Date() },
    });
    this.loaded = null;
    return key.publicKeyMultibase;
  }

  private load(): Promise<{ signing: IssuerKey; all: string[] }> {
    this.loaded ??= (async () => {
      await this.ensure();
      const rows = await this.rows();
      const stored = rows.map((r) => r.public_key_multibase);
      if (this.seedHex) {
        const signing = await keyFromSeed(this.seedHex);
        return { signing, all: [...stored.filter((k) => k !== signing.publicKeyMultibase), signing.publicKeyMultibase] };
      }
      const last = rows.at(-1)!;
      return { signing: { publicKeyMultibase: last.public_key_multibase, secretKeyMultibase: last.secret_key_multibase }, all: stored };
    })();
    this.loaded.catch(() => {
      this.loaded = null;
    });
    return this.loaded;
  }

  /** The key that signs new credentials and status lists. */
  async signingKey(): Promise<IssuerKey> {
    return (await this.load()).signing;
  }

  /** Every public key the issuer vouches for, oldest first, the signing key last. */
  async publicKeys(): Promise<string[]> {
    return (await this.load()).all;
  }
}

const stores = new WeakMap<Sequelize, IssuerKeys>();

/** The one key store of a database (each app instance keeps its keys loaded once). */
export function issuerKeys(sequelize: Sequelize, seedHex: string | undefined): IssuerKeys {
  let store = stores.get(sequelize);
  if (!store) {
    store = new IssuerKeys(sequelize, seedHex);
    stores.set(sequelize, store);
  }
  return store;
}
