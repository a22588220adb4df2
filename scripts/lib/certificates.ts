import type { Services } from '../../src/services';
import { issueCertificates } from '../../src/features/certificates/service';

/**
 * Issues the demo's certificates through the certificates feature's own use case
 * (issueCertificates: eligibility, serials, the real PDF, audit), for every eligible liaison of each
 * finished course. Returns how many were issued.
 */
export async function issueDemoCertificates(
  services: Services,
  adminId: number,
  courseIds: number[],
  log: (line: string) => void,
): Promise<number> {
  const ctx = { ...services, actor: { id: adminId, ip: null } };
  let issued = 0;
  try {
    for (const courseId of courseIds) {
      const certificates = await issueCertificates(ctx, courseId);
      issued += certificates.length;
    }
  } finally {
    await services.pdf.close();
  }
  log(`${issued} certificates issued through the certificates feature`);
  return issued;
}
