/**
 * The file API of a session (docs/api.md, "Files in the sandbox"): what the lab
 * page's editor lists, opens and saves. Paths are the sandbox's own; a relative
 * one is taken from the lab's working directory.
 */
import * as z from 'zod/mini';

/** Largest file the editor opens or saves: 1 MiB of text is far more than any lab's file. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Entries of one folder listed at most; a listing cut there says so (`truncated`). */
export const MAX_FOLDER_ENTRIES = 1000;
/** Linux's PATH_MAX. */
export const MAX_PATH_LENGTH = 4096;

/**
 * A path in the sandbox. A NUL byte cannot be part of a Linux path, and every
 * other character can: the sandbox's own file system decides the rest.
 */
export const FilePathSchema = z.string().check(
  z.minLength(1),
  z.maxLength(MAX_PATH_LENGTH),
  // eslint-disable-next-line no-control-regex
  z.regex(/^[^\u0000]*$/, 'must not contain a NUL byte'),
);

/** `GET …/files?path=`: a folder's entries; without `path`, the lab's working directory. */
export const FolderQuerySchema = z.strictObject({ path: z.optional(FilePathSchema) });
export type FolderQuery = z.infer<typeof FolderQuerySchema>;

/** `GET …/file?path=`: one file's text. */
export const FileQuerySchema = z.strictObject({ path: FilePathSchema });
export type FileQuery = z.infer<typeof FileQuerySchema>;

export const FolderEntrySchema = z.object({
  name: z.string(),
  /** A symbolic link is described by what it points to; `link` says it is one. */
  type: z.enum(['file', 'folder', 'other']),
  link: z.optional(z.boolean()),
  /** Bytes, for files. */
  size: z.optional(z.number().check(z.nonnegative())),
});
export type FolderEntry = z.infer<typeof FolderEntrySchema>;

export const FolderSchema = z.object({
  /** The folder's absolute path. */
  path: z.string(),
  /** Folders first, then files, each by name. */
  entries: z.array(FolderEntrySchema),
  /** More than MAX_FOLDER_ENTRIES entries: only the first ones are listed. */
  truncated: z.boolean(),
});
export type Folder = z.infer<typeof FolderSchema>;

/** The SHA-256 of a file's bytes, in hex: what a save compares to see a change made meanwhile. */
export const FileHashSchema = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const FileTextSchema = z.object({
  /** The file's absolute path. */
  path: z.string(),
  content: z.string(),
  hash: FileHashSchema,
  size: z.number().check(z.nonnegative()),
});
export type FileText = z.infer<typeof FileTextSchema>;

/** `PUT …/file`. */
export const SaveFileBodySchema = z.strictObject({
  path: FilePathSchema,
  content: z.string(),
  /**
   * The hash of the file as the editor opened it: the save is refused (409
   * FILE_CHANGED) if the file in the sandbox is no longer that. `null`: the file
   * must not exist yet. Left out: overwrite whatever is there (after the learner
   * said so).
   */
  baseHash: z.optional(z.nullable(FileHashSchema)),
});
export type SaveFileBody = z.infer<typeof SaveFileBodySchema>;

export const SavedFileSchema = z.object({
  path: z.string(),
  hash: FileHashSchema,
  size: z.number().check(z.nonnegative()),
});
export type SavedFile = z.infer<typeof SavedFileSchema>;
