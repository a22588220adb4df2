/**
 * `npm run rotate-issuer-key`: adds a new Ed25519 key to issuer_keys; it signs every credential and status
 * list from the next start of the app on. The older keys stay in the did:web document, so credentials they
 * signed keep verifying. Prints the new public key (never the secret). Restart every app instance after.
 * With a did:key issuer (BASE_URL not https) a new key is a new issuer: see README, "Open Badges".
 */
import { loadConfig } from '../src/config';
import { createSequelize, prepareDatabase } from '../src/db';
import { migrate } from '../src/db/migrator';
import { IssuerKeys } from '../src/services/issuer-keys';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.issuerKeySeed) throw new Error('ISSUER_KEY_SEED is set: that key signs whatever is stored; unset it to rotate stored keys');
  const sequelize = createSequelize(config);
  try {
    await prepareDatabase(sequelize);
    await migrate(sequelize);
    const keys = new IssuerKeys(sequelize, undefined);
    await keys.ensure();
    const publicKey = await keys.rotate();
    console.log(`New issuer key ${publicKey}: restart the app to sign with it.`);
    if (!config.baseUrl.startsWith('https://'))
      console.log('BASE_URL is not https: the issuer is did:key, so the new key is a new issuer identifier.');
  } finally {
    await sequelize.close();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
