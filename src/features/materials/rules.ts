import type { CurrentUser } from '../../middleware/auth';

/** Who adds, orders and deletes a course's materials: admins, and the instructor of that course. */
export function canManageMaterials(user: CurrentUser, course: { instructorId: number | null }): boolean {
  return user.role === 'admin' || (user.role === 'instructor' && course.instructorId === user.id);
}

/**
 * Who sees and downloads a course's materials: those who manage them, and the liaisons enrolled in
 * it and approved. Anyone else is told the material does not exist (404).
 */
export function canSeeMaterials(
  user: CurrentUser | undefined,
  course: { instructorId: number | null },
  enrollmentStatus: string | null,
): boolean {
  if (!user) return false;
  return canManageMaterials(user, course) || (user.role === 'liaison' && enrollmentStatus === 'approved');
}
