/**
 * Expressive Code plugin: a code block marked ```` ```sh run ```` (or `run interrupt`)
 * leaves the build with `data-run="run"` (or `"interrupt"`) and its command text in
 * `data-run-code` on the rendered block, for the lab page's Run buttons
 * (site/scripts/code-actions.ts). How a marker is read is lab-format's
 * (lab-format/run-marker.ts), which also refuses malformed ones when a lab loads;
 * here a block whose marker does not parse simply does not run.
 */
import { definePlugin } from '@astrojs/starlight/expressive-code';
import { parseRunMarker } from '../../lab-format/run-marker.ts';

export function runMarkerPlugin() {
  return definePlugin({
    name: 'drydock-run-marker',
    hooks: {
      postprocessRenderedBlock: ({ codeBlock, renderData }) => {
        const parsed = parseRunMarker(codeBlock.language, codeBlock.meta);
        if ('error' in parsed || !parsed.marker) return;
        renderData.blockAst.properties['dataRun'] = parsed.marker;
        renderData.blockAst.properties['dataRunCode'] = codeBlock.code;
      },
    },
  });
}
