import { z } from "@hono/zod-openapi";

/** Pieces of route declarations the admin and signed routers share. */
export const ErrorBodySchema = z
  .object({ error: z.string(), message: z.string(), field: z.string().optional(), requestId: z.string().optional() })
  .openapi("Error");

/** A documented error response with the one error body. */
export const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ErrorBodySchema } } });

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
