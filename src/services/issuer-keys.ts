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
  private loaded: Promise<{ signing: IssuerKey; all: string[] } | null> | null = null;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly seedHex: string | undefined,
  ) {}

  private async rows(): Promise<KeyRow[]> {
    return this.sequelize.query<KeyRow>('SELECT id, public_key_multibase, secret_key_multibase FROM issuer_keys ORDER BY id', {
      type: QueryTypes.SELECT,
      logging: false,
    });
  }

  /** Creates the first key when there is none; several instances starting at once agree on one (id 1). */
  async ensure(): Promise<void> {
    if (this.seedHex || (await this.rows()).length) return;
    const key = await newKey();
    await this.sequelize.query(
      'INSERT INTO issuer_keys (id, public_key_multibase, secret_key_multibase, created_at) VALUES (1, :pub, :sec, :now) ON CONFLICT (id) DO NOTHING',
      // Never logged (LOG_SQL=1 prints statements with their values).
      { replacements: { pub: key.publicKeyMultibase, sec: key.secretKeyMultibase, now: new Date() }, logging: false },
    );
  }

  /** Adds a new key that signs from now on (did:web keeps listing the older ones). */
  async rotate(): Promise<string> {
    const key = await newKey();
    const last = (await this.rows()).at(-1)?.id ?? 0;
    await this.sequelize.query(
      'INSERT INTO issuer_keys (id, public_key_multibase, secret_key_multibase, created_at) VALUES (:id, :pub, :sec, :now)',
      {
        replacements: { id: last + 1, pub: key.publicKeyMultibase, sec: key.secretKeyMultibase, now: new Date() },
        logging: false,
      },
    );
    this.loaded = null;
    return key.publicKeyMultibase;
  }

  /** Reads the keys (never writes: a GET may call this); null while no key exists yet. */
  private load(): Promise<{ signing: IssuerKey; all: string[] } | null> {
    this.loaded ??= (async () => {
      const rows = await this.rows();
      const stored = rows.map((r) => r.public_key_multibase);
      if (this.seedHex) {
        const signing = await keyFromSeed(this.seedHex);
        return { signing, all: [...stored.filter((k) => k !== signing.publicKeyMultibase), signing.publicKeyMultibase] };
      }
      const last = rows.at(-1);
      if (!last) return null;
      return { signing: { publicKeyMultibase: last.public_key_multibase, secretKeyMultibase: last.secret_key_multibase }, all: stored };
    })();
    const loading = this.loaded;
    loading.then(
      (keys) => {
        if (!keys && this.loaded === loading) this.loaded = null;
      },
      () => {
        if (this.loaded === loading) this.loaded = null;
      },
    );
    return loading;
  }

  /** The key that signs new credentials and status lists (made now if the first start did not). */
  async signingKey(): Promise<IssuerKey> {
    let keys = await this.load();
    if (!keys) {
      await this.ensure();
      keys = await this.load();
    }
    return keys!.signing;
  }

  /** Every public key the issuer vouches for, oldest first, the signing key last; none before the first. */
  async publicKeys(): Promise<string[]> {
    return (await this.load())?.all ?? [];
  }
}
