/**
 * The editor's side of the file API (docs/api.md, "Files in the sandbox"): a
 * folder's entries, a file's text, a save. Answers are parsed with protocol/files.ts
 * by lab-api.ts's request; a refusal is an ApiError whose message names the file
 * and says why.
 */
import {
  FileTextSchema,
  FolderSchema,
  SavedFileSchema,
  type FileText,
  type Folder,
  type SavedFile,
} from '../../protocol/files.ts';
import { request } from './lab-api.ts';

export interface SessionKey {
  id: string;
  token: string;
}

const base = (session: SessionKey) => `/api/sessions/${encodeURIComponent(session.id)}`;

/** A folder's entries; without `path`, the lab's working directory. */
export function listFolder(session: SessionKey, path?: string): Promise<Folder> {
  const query = path === undefined ? '' : `?path=${encodeURIComponent(path)}`;
  return request(`${base(session)}/files${query}`, FolderSchema, { token: session.token });
}

export function openFile(session: SessionKey, path: string): Promise<FileText> {
  return request(`${base(session)}/file?path=${encodeURIComponent(path)}`, FileTextSchema, {
    token: session.token,
  });
}

/**
 * Saves `content`. `baseHash`: the hash the file was opened with (a change made
 * meanwhile is refused, FILE_CHANGED); `null` for a new file; left out to
 * overwrite, once the learner said so.
 */
export function saveFile(
  session: SessionKey,
  path: string,
  content: string,
  baseHash?: string | null,
): Promise<SavedFile> {
  return request(`${base(session)}/file`, SavedFileSchema, {
    method: 'PUT',
    token: session.token,
    body: { path, content, ...(baseHash === undefined ? {} : { baseHash }) },
  });
}
