import { Certificate, Enrollment } from '../../models';
import type { CurrentUser } from '../../middleware/auth';
import { parseFields } from './fields';
import { presentCertificate } from './presenter';

/** The liaison's certificates for their /me page (section view me/certificates). */
export async function loadMyCertificates(user: CurrentUser): Promise<Record<string, unknown>> {
  const certificates = await Certificate.findAll({
    attributes: { exclude: ['pdf'] },
    include: [{ model: Enrollment, as: 'enrollment', attributes: [], where: { userId: user.id } }],
    order: [['issuedAt', 'DESC'], ['id', 'DESC']],
  });
  return {
    certificates: certificates.map((c) => {
      const fields = parseFields(c.fields);
      return { ...presentCertificate(c), courseTitle: fields.courseTitle, courseCode: fields.courseCode };
    }),
  };
}
