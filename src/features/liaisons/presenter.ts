import { hasKnownPlacePrefix } from '../../lib/national-code';
import type { User } from '../../models';
import type { Role, UserStatus } from '../../models/user';

export const ROLE_LABELS: Record<Role, string> = { admin: 'مدیر سامانه', liaison: 'رابط', instructor: 'مدرس' };
export const STATUS_LABELS: Record<UserStatus, string> = { pending: 'در انتظار تأیید', active: 'فعال', disabled: 'غیرفعال' };
export const STATUS_BADGES: Record<UserStatus, string> = { pending: 'warning', active: 'success', disabled: 'secondary' };

export interface AccountView {
  id: number;
  role: Role;
  roleLabel: string;
  username: string;
  fullName: string;
  fatherName: string;
  nationalCode: string;
  /** A note for the admin: the code's place prefix is not in the published list (never a reason to refuse). */
  unlistedPlacePrefix: boolean;
  mobile: string;
  email: string;
  countyName: string;
  countySlug: string;
  position: string;
  status: UserStatus;
  statusLabel: string;
  statusBadge: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** Whether they get an SMS the day before each session. */
  smsReminders: boolean;
}

/** An account as pages show it: plain data, the county by name. */
export function presentAccount(user: User): AccountView {
  const status = user.status as UserStatus;
  return {
    id: user.id,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role],
    username: user.username,
    fullName: user.fullName,
    fatherName: user.fatherName ?? '',
    nationalCode: user.nationalCode ?? '',
    unlistedPlacePrefix: !!user.nationalCode && !hasKnownPlacePrefix(user.nationalCode),
    mobile: user.mobile ?? '',
    email: user.email ?? '',
    countyName: user.county?.name ?? '',
    countySlug: user.county?.slug ?? '',
    position: user.position ?? '',
    status,
    statusLabel: STATUS_LABELS[status],
    statusBadge: STATUS_BADGES[status],
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
    smsReminders: user.smsReminders !== false,
  };
}

/** The values an edit form starts from (ASCII digits, as a person would type them). */
export function formValues(view: AccountView): Record<string, string> {
  return {
    fullName: view.fullName,
    fatherName: view.fatherName,
    nationalCode: view.nationalCode,
    mobile: view.mobile,
    email: view.email,
    county: view.countySlug,
    position: view.position,
    username: view.username,
    role: view.role,
    smsReminders: view.smsReminders ? '1' : '',
  };
}
