import { HttpError } from "./errors";

/** A parsed request body: form fields (repeated names become arrays) or a JSON object. */
export type Fields = Record<string, unknown>;

const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data";
const JSON_TYPE = "application/json";

/**
 * Reads a form-encoded, multipart or JSON body of at most `limit` bytes. Every string in it,
 * names included, is well-formed UTF-16: JSON can spell a lone surrogate ("\ud800"), which
 * becomes U+FFFD here, as undecodable bytes in a form do, so no later step (HTMLRewriter,
 * storage, an email) meets one. Throws 415 for other content types, 413 past the limit,
 * 400 when it does not parse.
 */
export async function readFields(request: Request, limit: number): Promise<Fields> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== FORM && type !== MULTIPART && type !== JSON_TYPE) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send the form as ${FORM}, ${MULTIPART} or ${JSON_TYPE}.`,
    );
  }
  const bytes = await readLimited(request, limit);
  try {
    if (type === FORM) return fromFormData(new URLSearchParams(new TextDecoder().decode(bytes)));
    if (type === JSON_TYPE) return asObject(JSON.parse(new TextDecoder().decode(bytes), wellFormed));
    // A body re-wrapped in a Request keeps its original headers, so multipart boundaries parse.
    const copy = new Request(request.url, { method: "POST", headers: request.headers, body: bytes });
    return fromFormData(await copy.formData());
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "malformed", "The request body could not be parsed.");
  }
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  // A declared length is the body's length (HTTP framing), so it can be read at once;
  // only a chunked body has to be counted as it arrives.
  if (request.headers.has("content-length")) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(limit);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "too_large", `The request body is larger than ${limit} bytes.`);
}

/** JSON.parse's reviver, which runs on every value, innermost first: strings and names made well-formed. */
function wellFormed(_key: string, value: unknown): unknown {
  if (typeof value === "string") return value.toWellFormed();
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  // fromEntries defines each name as an own property, so "__proto__" stays a plain field.
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name.toWellFormed(), field]));
}

function asObject(value: unknown): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "malformed", "The JSON body must be an object.");
  }
  return value as Fields;
}

function fromFormData(form: FormData | URLSearchParams): Fields {
  // No prototype, so a field named "__proto__" is just a field.
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of form) {
    if (typeof value !== "string") continue; // files are never part of a Swagbox form
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[name] = [existing, value];
  }
  return fields;
}
