/** An API answer other than success, with GitHub's error body. */
export class HttpError extends Error {
  readonly status: number;
  readonly errors?: unknown[];
  readonly headers: Record<string, string>;
  /** Overrides the route's documentation_url. */
  readonly documentationUrl?: string;

  constructor(
    status: number,
    message: string,
    options: { errors?: unknown[]; headers?: Record<string, string>; documentationUrl?: string } = {},
  ) {
    super(message);
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.documentationUrl = options.documentationUrl;
  }
}

export const notFound = () => new HttpError(404, 'Not Found');

/** 422 in the shape of GitHub's JSON-schema validation failures. */
export const invalidRequest = (detail: string) => new HttpError(422, `Invalid request.\n\n${detail}`);
