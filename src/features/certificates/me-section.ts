import type { Sequelize } from 'sequelize';
import { statements } from '../../db/prepared';
import type { Certificate } from '../../models';
import type { CurrentUser } from '../../middleware/auth';
import { parseFields } from './fields';
import { presentCertificate } from './presenter';
import { credentialPath } from '../credentials/credential';

/**
 * The liaison's certificates for their /me page (section view me/certificates): plain rows, never
 * the PDF. `held` (certificate id → course id): those waiting for the course's evaluation, shown
 * with the way to it instead of their files.
 */
export async function loadMyCertificates(
  sequelize: Sequelize,
  user: CurrentUser,
  held: Map<number, number> = new Map(),
): Promise<Record<string, unknown>> {
  const rows = await statements(sequelize).all<{
    id: number;
    serial: string;
    code: string;
    status: Certificate['status'];
    issued_at: Date | string;
    status_reason: string | null;
    override_reason: string | null;
    fields: string;
    has_credential: number | string | boolean;
  }>(
    `SELECT ct.id, ct.serial, ct.code, ct.status, ct.issued_at, ct.status_reason, ct.override_reason, ct.fields,
            CASE WHEN ct.credential IS NULL THEN 0 ELSE 1 END AS has_credential
       FROM certificates ct JOIN enrollments e ON e.id = ct.enrollment_id
      WHERE e.user_id = :userId
      ORDER BY ct.issued_at DESC, ct.id DESC`,
    { userId: user.id },
  );
  return {
    certificates: rows.map((c) => {
      const fields = parseFields(c.fields);
      const certificate = {
        id: c.id,
        serial: c.serial,
        code: c.code,
        status: c.status,
        issuedAt: new Date(c.issued_at),
        statusReason: c.status_reason,
        overrideReason: c.override_reason,
      };
      const evaluateFirst = held.get(Number(c.id)) ?? null;
      const credentialLink = Number(c.has_credential) === 1 && evaluateFirst === null ? credentialPath(c.code) : null;
      return {
        ...presentCertificate(certificate),
        courseTitle: fields.courseTitle,
        courseCode: fields.courseCode,
        credentialUrl: credentialLink,
        evaluateFirst,
      };
    }),
  };
}
