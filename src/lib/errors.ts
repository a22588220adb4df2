/** Errors that carry the HTTP status they should answer with and a Persian message for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'صفحه یا موردی که خواستید پیدا نشد.') {
    super(404, message);
  }
}

/** The app is too busy for this request now: 503, with how many seconds to wait (Retry-After). */
export class ServiceUnavailableError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'شما اجازهٔ این کار را ندارید.') {
    super(403, message);
  }
}

export type FieldErrors = Record<string, string>;

/**
 * A refusal tied to form fields: the route re-renders its form with these messages next to the
 * fields (400), or 409 for a conflict such as a duplicate.
 */
export class FormError extends HttpError {
  constructor(
    readonly fields: FieldErrors,
    status = 400,
    message = 'لطفاً خطاهای فرم را برطرف کنید.',
  ) {
    super(status, message);
  }
}

/** A refusal of an action (not a form): a full course, a closed window. */
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}

export class BadRequestError extends HttpError {
  constructor(message = 'درخواست نامعتبر است.') {
    super(400, message);
  }
}
