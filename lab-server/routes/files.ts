/**
 * The session's files, for the lab page's editor (docs/api.md, "Files in the
 * sandbox"): list a folder, open a file, save one. Behind the session's bearer
 * token like every session route, so only the learner's page reaches them: staff
 * watching a terminal hold no token and get no file access. The work is
 * files/sandbox-files.ts's; this maps its refusals to answers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  FileQuerySchema,
  FileTextSchema,
  FolderQuerySchema,
  FolderSchema,
  MAX_FILE_BYTES,
  SaveFileBodySchema,
  SavedFileSchema,
  type FileQuery,
  type FileText,
  type Folder,
  type FolderQuery,
  type SaveFileBody,
  type SavedFile,
} from '../../protocol/files.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { FileRefusal, type RefusalKind } from '../files/file-refusal.ts';
import { SandboxFiles } from '../files/sandbox-files.ts';
import { availableSessions, bearerToken, idParams } from './sessions.ts';

const CODES: Record<RefusalKind, ErrorCode> = {
  'not-found': 'FILE_NOT_FOUND',
  refused: 'FILE_REFUSED',
  'too-large': 'FILE_TOO_LARGE',
  'not-text': 'FILE_NOT_TEXT',
  changed: 'FILE_CHANGED',
};

/**
 * A save's body holds up to MAX_FILE_BYTES of text, JSON-escaped: room for that
 * with every line break and quote escaped; beyond it the answer is a 413 as for
 * any oversized body, within it the file's own size is judged (FILE_TOO_LARGE).
 */
const SAVE_BODY_LIMIT = 3 * MAX_FILE_BYTES;

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FileRefusal) throw new AppError(CODES[error.kind], error.message);
    throw error;
  }
}

export async function fileRoutes(app: FastifyInstance): Promise<void> {
  /** The session's files, once its sandbox is ready. */
  const filesOf = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const session = await availableSessions(app).lookup(request.params.id, bearerToken(request));
    session.touch();
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    if (session.state !== 'ready' || !session.sandbox)
      throw new AppError('SESSION_NOT_READY', `The sandbox is not ready yet: ${session.message}`);
    return { session, files: new SandboxFiles(session.sandbox, session.lab.manifest.workdir) };
  };

  app.get<{ Params: { id: string }; Querystring: FolderQuery }>(
    '/sessions/:id/files',
    {
      schema: {
        params: idParams,
        querystring: FolderQuerySchema,
        response: { 200: FolderSchema },
      },
    },
    async (request): Promise<Folder> => {
      const { files } = await filesOf(request);
      return answer(() => files.list(request.query.path));
    },
  );

  app.get<{ Params: { id: string }; Querystring: FileQuery }>(
    '/sessions/:id/file',
    {
      schema: {
        params: idParams,
        querystring: FileQuerySchema,
        response: { 200: FileTextSchema },
      },
    },
    async (request): Promise<FileText> => {
      const { files } = await filesOf(request);
      return answer(() => files.read(request.query.path));
    },
  );

  app.put<{ Params: { id: string }; Body: SaveFileBody }>(
    '/sessions/:id/file',
    {
      bodyLimit: SAVE_BODY_LIMIT,
      schema: {
        params: idParams,
        body: SaveFileBodySchema,
        response: { 200: SavedFileSchema },
      },
    },
    async (request): Promise<SavedFile> => {
      const { session, files } = await filesOf(request);
      const { path, content, baseHash } = request.body;
      const saved = await answer(() => files.write(path, content, baseHash));
      request.log.info(
        { session: session.id, path: saved.path, bytes: saved.size },
        'file saved from the editor',
      );
      return saved;
    },
  );
}
