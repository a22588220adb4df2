/**
 * The certificates feature's use cases, in one place for callers outside the feature (the seed,
 * the benchmark): what the admin and the public do with certificates.
 */
export { courseEligibility, eligibility, recordMarks } from './eligibility';
export { issueCertificates, reissueCertificate, revokeCertificate, reserveSerialNumbers } from './issuing';
export { certificatePdf, streamCourseZip, trainingRecordPdf } from './documents';
export { verifyCode, verifyUpload } from './verification';
export { loadMyCertificates } from './me-section';
export { PdfRenderer } from '../../services/pdf/renderer';
