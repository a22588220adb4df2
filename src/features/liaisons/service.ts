import crypto from 'node:crypto';
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { County, User } from '../../models';
import type { UserStatus } from '../../models/user';
import { FormError, NotFoundError, type FieldErrors } from '../../lib/errors';
import { hashPassword, verifyPassword } from '../../lib/password';
import { searchKey } from '../../lib/persian';
import type { Outbox } from '../../services/outbox';
import { recordAudit, type Actor } from '../../services/audit';
import { endSessionsOf } from '../../services/sessions';
import type { Settings } from '../../services/settings';
import type { AdminAccountInput, ProfileInput, RegisterInput } from './schemas';
import { notifyUsers } from '../notifications/service';
import { findAccount } from './queries';

/** What search compares against: name, username, national code and mobile, however they were typed. */
export function accountSearchKey(u: { fullName: string; username: string; nationalCode: string | null; mobile: string | null }): string {
  return searchKey([u.fullName, u.username, u.nationalCode ?? '', u.mobile ?? ''].join(' '));
}

const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of 14 characters (about 80 bits) without look-alike letters, to hand out once. */
export function generatePassword(length = 14): string {
  let out = '';
  for (const byte of crypto.randomBytes(length * 2)) {
    if (byte < 256 - (256 % PASSWORD_ALPHABET.length)) out += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}

export const MESSAGES = {
  duplicateNationalCode: 'با این کد ملی قبلاً حسابی ساخته شده است. اگر رمز خود را فراموش کرده‌اید با روابط عمومی اداره کل تماس بگیرید.',
  duplicateUsername: 'این نام کاربری گرفته شده است؛ نام دیگری برگزینید.',
  unknownCounty: 'شهرستان را از فهرست انتخاب کنید.',
  wrongCurrentPassword: 'گذرواژهٔ فعلی نادرست است.',
};

/** A county a person may choose: active, or the one the account already has. */
async function chooseCounty(slug: string, keepId: number | null = null, transaction?: Transaction): Promise<County> {
  const county = await County.findOne({ where: { slug }, transaction });
  if (!county || (!county.active && county.id !== keepId)) throw new FormError({ county: MESSAGES.unknownCounty });
  return county;
}

/** Refuses (409) a national code or username another account already has. */
async function assertUnique(
  input: { nationalCode?: string | null; username?: string },
  exceptId: number | null,
  transaction?: Transaction,
) {
  const fields: FieldErrors = {};
  const notMe = exceptId ? { id: { [Op.ne]: exceptId } } : {};
  if (input.nationalCode && (await User.count({ where: { nationalCode: input.nationalCode, ...notMe }, transaction }))) {
    fields.nationalCode = MESSAGES.duplicateNationalCode;
  }
  if (input.username && (await User.count({ where: { username: input.username, ...notMe }, transaction }))) {
    fields.username = MESSAGES.duplicateUsername;
  }
  if (Object.keys(fields).length) throw new FormError(fields, 409);
}

/** Runs a write; a unique-key race lost to another request becomes the same 409 as the check before it. */
async function withUniqueness<T>(
  input: { nationalCode?: string | null; username?: string },
  exceptId: number | null,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintError) {
      await assertUnique(input, exceptId);
      throw new FormError({ _form: 'این اطلاعات هم‌زمان برای حساب دیگری ثبت شد.' }, 409);
    }
    throw err;
  }
}

/**
 * A liaison signs up: the county must be an active one, the national code and username free.
 * The account is active at once when the admin turned auto-activation on, otherwise it waits.
 */
export async function signUpLiaison(sequelize: Sequelize, settings: Settings, input: RegisterInput, ip: string): Promise<User> {
  const county = await chooseCounty(input.county);
  await assertUnique(input, null);
  const passwordHash = await hashPassword(input.password);
  const status: UserStatus = (await settings.autoActivate()) ? 'active' : 'pending';
  return withUniqueness(input, null, () =>
    sequelize.transaction(async (transaction) => {
      const user = await User.create(
        {
          role: 'liaison',
          username: input.username,
          passwordHash,
          fullName: input.fullName,
          fatherName: input.fatherName,
          nationalCode: input.nationalCode,
          mobile: input.mobile,
          email: null,
          countyId: county.id,
          position: input.position,
          status,
          searchKey: accountSearchKey(input),
          lastLoginAt: null,
        },
        { transaction },
      );
      await recordAudit(sequelize, { id: user.id, ip }, 'user.sign-up', { type: 'user', id: user.id }, { status }, transaction);
      return user;
    }),
  );
}

/** A liaison or instructor edits their own details; the national code and username stay as they are. */
export async function updateOwnProfile(sequelize: Sequelize, actor: Actor & { id: number }, input: ProfileInput): Promise<User> {
  return sequelize.transaction(async (transaction) => {
    const user = await User.findByPk(actor.id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!user) throw new NotFoundError();
    const county = await chooseCounty(input.county, user.countyId, transaction);
    const changes = {
      fullName: input.fullName,
      fatherName: input.fatherName,
      mobile: input.mobile,
      email: input.email,
      countyId: county.id,
      position: input.position,
      smsReminders: input.smsReminders,
    };
    const changed = Object.keys(changes).filter((k) => user.get(k) !== changes[k as keyof typeof changes]);
    await user.update(
      { ...changes, searchKey: accountSearchKey({ ...input, username: user.username, nationalCode: user.nationalCode }) },
      { transaction },
    );
    await recordAudit(sequelize, actor, 'user.profile', { type: 'user', id: user.id }, { changed }, transaction);
    return user;
  });
}

/** A person changes their own password after proving they know the current one. */
export async function changeOwnPassword(
  sequelize: Sequelize,
  actor: Actor & { id: number },
  current: string,
  next: string,
  sessionId?: string,
): Promise<void> {
  const user = await User.findByPk(actor.id);
  if (!user) throw new NotFoundError();
  if (!(await verifyPassword(user.passwordHash, current))) throw new FormError({ currentPassword: MESSAGES.wrongCurrentPassword });
  const passwordHash = await hashPassword(next);
  await sequelize.transaction(async (transaction) => {
    await User.update({ passwordHash }, { where: { id: user.id }, transaction });
    // Whoever is logged in elsewhere with the old password is logged out; this session stays.
    await endSessionsOf(sequelize, user.id, { except: sessionId, transaction });
    await recordAudit(sequelize, actor, 'user.password.change', { type: 'user', id: user.id }, null, transaction);
  });
}

export interface CreatedAccount {
  user: User;
  /** The password made up for the account, to show once; null when the admin typed one. */
  generatedPassword: string | null;
}

/** An admin creates a liaison or instructor account, active at once. */
export async function createAccount(
  sequelize: Sequelize,
  actor: Actor,
  input: AdminAccountInput,
  password: string | null,
): Promise<CreatedAccount> {
  const county = await chooseCounty(input.county);
  await assertUnique(input, null);
  const generatedPassword = password ? null : generatePassword();
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  const user = await withUniqueness(input, null, () =>
    sequelize.transaction(async (transaction) => {
      const created = await User.create(
        {
          ...accountFields(input, county.id),
          passwordHash,
          status: 'active',
          searchKey: accountSearchKey(input),
          lastLoginAt: null,
        },
        { transaction },
      );
      await recordAudit(sequelize, actor, 'user.create', { type: 'user', id: created.id }, { role: input.role }, transaction);
      return created;
    }),
  );
  return { user, generatedPassword };
}

/** The columns of an account an admin sets, on creating it or correcting it. */
function accountFields(input: AdminAccountInput, countyId: number) {
  return {
    role: input.role,
    username: input.username,
    fullName: input.fullName,
    fatherName: input.fatherName,
    nationalCode: input.nationalCode,
    mobile: input.mobile,
    email: input.email,
    countyId,
    position: input.position,
  };
}

/** An admin corrects an account's details, national code and username included. */
export async function updateAccount(sequelize: Sequelize, actor: Actor, id: number, input: AdminAccountInput): Promise<User> {
  const existing = await findAccount(id);
  await assertUnique(input, id);
  return withUniqueness(input, id, () =>
    sequelize.transaction(async (transaction) => {
      const user = await User.findByPk(existing.id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!user) throw new NotFoundError('این حساب پیدا نشد.');
      const county = await chooseCounty(input.county, user.countyId, transaction);
      const changes = accountFields(input, county.id);
      const changed = Object.keys(changes).filter((k) => user.get(k) !== changes[k as keyof typeof changes]);
      await user.update({ ...changes, searchKey: accountSearchKey(input) }, { transaction });
      await recordAudit(sequelize, actor, 'user.update', { type: 'user', id: user.id }, { changed }, transaction);
      return user;
    }),
  );
}

/** What an account's owner is told when an admin activates it (on /me, and by email when they gave one). */
export const ACTIVATED = {
  message: 'حساب کاربری شما در سامانهٔ رابط فعال شد؛ اکنون می‌توانید وارد شوید و در دوره‌ها ثبت‌نام کنید.',
  link: '/courses',
  subject: 'سامانهٔ رابط: حساب شما فعال شد',
  sms: 'سامانهٔ رابط: حساب شما فعال شد؛ اکنون می‌توانید وارد شوید.',
};

/** An admin activates (a pending or disabled account) or disables an account; a disabled one is logged out at once. */
export async function setAccountStatus(
  sequelize: Sequelize,
  outbox: Outbox,
  actor: Actor,
  id: number,
  status: 'active' | 'disabled',
): Promise<User> {
  await findAccount(id);
  return sequelize.transaction(async (transaction) => {
    const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!user) throw new NotFoundError('این حساب پیدا نشد.');
    const from = user.status;
    if (from !== status) {
      await user.update({ status }, { transaction });
      if (status === 'disabled') await endSessionsOf(sequelize, id, { transaction });
      await recordAudit(
        sequelize,
        actor,
        status === 'active' ? 'user.activate' : 'user.disable',
        { type: 'user', id },
        { from },
        transaction,
      );
      if (status === 'active') await notifyUsers(sequelize, outbox, [id], ACTIVATED, transaction);
    }
    return user;
  });
}

/** An admin sets a new password for an account, or has one made up; returns the made-up one. */
export async function resetPassword(sequelize: Sequelize, actor: Actor, id: number, password: string | null): Promise<string | null> {
  const user = await findAccount(id);
  const generated = password ? null : generatePassword();
  const passwordHash = await hashPassword(password ?? generated!);
  await sequelize.transaction(async (transaction) => {
    await User.update({ passwordHash }, { where: { id: user.id }, transaction });
    await endSessionsOf(sequelize, user.id, { transaction });
    await recordAudit(
      sequelize,
      actor,
      'user.password.reset',
      { type: 'user', id: user.id },
      { generated: Boolean(generated) },
      transaction,
    );
  });
  return generated;
}

/** An admin turns automatic activation of sign-ups on or off. */
export async function changeAutoActivate(sequelize: Sequelize, settings: Settings, actor: Actor, value: boolean): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await settings.setAutoActivate(value, transaction);
    await recordAudit(sequelize, actor, 'settings.auto-activate', { type: 'setting', id: null }, { value }, transaction);
  });
}
