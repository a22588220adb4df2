import type { CredentialCheck } from './signing';

/** What the verify page says about a certificate's signed credential, from the app's own check. */
export function presentCredentialCheck(url: string, check: CredentialCheck) {
  return {
    url,
    signatureValid: check.signature,
    signatureText: check.signature
      ? 'امضای دیجیتال مدرک (Data Integrity، eddsa-rdfc-2022) درست است و متن آن پس از صدور تغییر نکرده است.'
      : 'امضای دیجیتال مدرک درست نیست.',
    statusText: !check.statusChecked
      ? 'وضعیت مدرک در فهرست ابطال بررسی نشد.'
      : check.revoked
        ? 'در فهرست وضعیت صادرکننده، این مدرک باطل یا جایگزین شده است.'
        : 'در فهرست وضعیت صادرکننده، این مدرک باطل نشده است.',
    verified: check.verified,
  };
}
