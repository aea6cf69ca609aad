/**
 * The llhttp request-vector format (`llhttp-request-vectors/1`, see
 * test/fixtures/llhttp/README.md), validated with zod so that a broken file is a
 * one-line error rather than a crash halfway through a run.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const field = z.tuple([z.string(), z.string()]);

const message = z.object({
  method: z.string().optional(),
  url: z.string().optional(),
  protocol: z.string().optional(),
  versionMajor: z.number().optional(),
  versionMinor: z.number().optional(),
  headers: z.array(field).optional(),
  trailers: z.array(field).optional(),
  body_base64: z.string().optional(),
  headersComplete: z.boolean().optional(),
  complete: z.boolean().optional(),
  keepAlive: z.boolean().optional(),
});

const expectation = z.union([
  z.object({
    ok: z.literal(true),
    messages: z.array(message),
    upgrade_offset: z.number().int().nonnegative().optional(),
    finish: z.enum(['safe', 'unsafe']).optional(),
  }),
  z.object({
    ok: z.literal(false),
    error_after_messages: z.number().int().nonnegative(),
    reason: z.string(),
    error_name: z.string(),
    error_offset: z.number().optional(),
    messages: z.array(message),
  }),
]);

const vector = z.object({
  id: z.string(),
  mode: z.string(),
  lenient_flags: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  raw_base64: z.string(),
  expect: expectation,
});

const vectorFile = z.object({
  format: z.literal('llhttp-request-vectors/1'),
  vectors: z.array(vector),
});

/** One expected message of a vector. */
export type ExpectedMessage = z.infer<typeof message>;
/** One test vector. */
export type Vector = z.infer<typeof vector>;

/** A vectors file that cannot be used; its message is one line naming the file and the problem. */
export class VectorFileError extends Error {
  override readonly name = 'VectorFileError';
}

/** Read and validate a vectors file. */
export function readVectors(path: string): Vector[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VectorFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VectorFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = vectorFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VectorFileError(
      `${path} is not an llhttp-request-vectors/1 file: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data.vectors;
}
