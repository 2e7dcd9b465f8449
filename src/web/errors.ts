/** Errors a handler throws on purpose: a status, a message fit for the user, a stable id. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly id: string = statusCode === 404 ? "not_found" : statusCode === 400 ? "bad_request" : "error",
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message, "bad_request");
export const notFound = (message = "There is nothing at this address.") => new HttpError(404, message, "not_found");
