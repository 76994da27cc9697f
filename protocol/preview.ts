/**
 * Previews: a web server the learner runs in the sandbox, opened in a browser
 * tab through the lab server (docs/api.md, "Previews"). The lab page asks for a
 * one-time link with the session's token; opening it on the preview's own host
 * sets that browser's cookie for it.
 */
import * as z from 'zod/mini';

export const PortSchema = z.int().check(z.gte(1), z.lte(65535));

/** `POST /api/sessions/:id/previews` */
export const PreviewRequestSchema = z.object({ port: PortSchema });
export type PreviewRequest = z.infer<typeof PreviewRequestSchema>;

/** Its answer: a link that works once, until `expiresAt`, and the origin the preview is served from. */
export const PreviewLinkSchema = z.object({
  port: PortSchema,
  url: z.url(),
  origin: z.url(),
  expiresAt: z.iso.datetime(),
});
export type PreviewLink = z.infer<typeof PreviewLinkSchema>;

/** `GET /api/sessions/:id/previews/ports`: the ports something listens on in the sandbox. */
export const ListeningPortsSchema = z.object({ ports: z.array(PortSchema) });
export type ListeningPorts = z.infer<typeof ListeningPortsSchema>;

/** Where the one-time link leads on a preview's host; no app path starts with it in practice. */
export const PREVIEW_OPEN_PATH = '/__drydock_preview/open';
