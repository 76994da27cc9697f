/**
 * Writes an imported lab: the lab folder (lab.yaml, scripts, files/), its lesson,
 * and IMPORT-REPORT.md beside lab.yaml, which `drydock labs verify` reads back to
 * explain a failure by what could not be mapped.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { ImportedLab, ImportReport } from './convert.ts';

export const REPORT_FILE = 'IMPORT-REPORT.md';
const UNMAPPED_HEADING = '## Could not be mapped';
const LAB_SCHEMA = fileURLToPath(new URL('../../../lab-format/lab.schema.json', import.meta.url));

export class ImportTargetError extends Error {}

const list = (items: string[], none: string) =>
  items.length ? items.map((item) => `- ${item}`).join('\n') : `- ${none}`;

export function formatReport(lab: ImportedLab, source: string): string {
  const { report } = lab;
  return `# Import report: ${lab.slug}

Imported from the Killercoda scenario in \`${source}\` by \`drydock import killercoda\`.
${report.unmapped.length ? `**${report.unmapped.length} part(s) could not be mapped**: the lab says so in its intro, and the tasks they concern cannot pass until someone rewrites them.` : 'Everything in the scenario was mapped; check the notes below, then run `drydock labs verify ' + lab.slug + '`.'}

${UNMAPPED_HEADING}

${list(report.unmapped, 'nothing')}

## Runs differently than on Killercoda

${list(report.changed, 'nothing')}

## Mapped

${list(report.mapped, 'nothing')}
`;
}

/** The unmapped items of an imported lab's report; undefined for a lab that was not imported. */
export function unmappedOf(labDir: string): string[] | undefined {
  const file = join(labDir, REPORT_FILE);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const section = text.split(UNMAPPED_HEADING)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('- ') && line !== '- nothing')
    .map((line) => line.slice(2));
}

export interface Written {
  labDir: string;
  lessonFile: string;
  reportFile: string;
  files: string[];
}

export function writeImportedLab(
  lab: ImportedLab,
  options: { labsDir: string; lessonsDir: string; source: string },
): Written {
  const labDir = join(options.labsDir, lab.slug);
  const lessonFile = join(options.lessonsDir, `${lab.slug}.md`);
  for (const taken of [labDir, lessonFile])
    if (existsSync(taken))
      throw new ImportTargetError(`${taken} exists already; choose another --slug or --out`);
  const written: string[] = [];
  const put = (path: string, write: (full: string) => void) => {
    const full = join(labDir, path);
    mkdirSync(dirname(full), { recursive: true });
    write(full);
    written.push(full);
  };
  const schema = relative(labDir, LAB_SCHEMA);
  put('lab.yaml', (full) =>
    writeFileSync(
      full,
      `# yaml-language-server: $schema=${schema}\n# Imported from Killercoda: read ${REPORT_FILE} first.\n${stringify(lab.manifest, { lineWidth: 100 })}`,
    ),
  );
  for (const [path, file] of Object.entries(lab.files))
    put(path, (full) => {
      if ('copy' in file) {
        copyFileSync(file.copy, full);
        // Killercoda's chmod is applied by setup; the file's own mode comes along too.
        chmodSync(full, 0o644 | (statSync(file.copy).mode & 0o111));
      } else writeFileSync(full, file.text);
    });
  put(REPORT_FILE, (full) => writeFileSync(full, formatReport(lab, options.source)));
  mkdirSync(options.lessonsDir, { recursive: true });
  writeFileSync(lessonFile, lab.lesson);
  return {
    labDir,
    lessonFile,
    reportFile: join(labDir, REPORT_FILE),
    files: [...written, lessonFile],
  };
}

export type { ImportReport };
