// Opens BPMN files in bpmn-js, in a browser, for scripts/validate-bpmn.sh.
//
//   node bpmn-js-page.mjs VIEWER.js FILE.bpmn... > page.html
//     writes one page that imports every file with the viewer and writes
//     the result into <pre id="result"> (read it with chromium --dump-dom);
//   node bpmn-js-page.mjs --report DOM.html
//     prints the files with import warnings or missing shapes; exit 1 then.
import { readFileSync } from "node:fs";

const kinds = [
  "participant", "lane", "startEvent", "endEvent", "userTask", "exclusiveGateway",
  "callActivity", "boundaryEvent",
];

if (process.argv[2] === "--report") {
  const dom = readFileSync(process.argv[3], "utf8");
  const match = dom.match(/<pre id="result">([^<]*)<\/pre>/);
  if (!match) {
    console.error("bpmn-js: the page wrote no result (did it load?)");
    process.exit(1);
  }
  const text = match[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  const results = JSON.parse(text);
  let bad = 0;
  for (const r of results) {
    const problems = [];
    if (r.error) problems.push(`import failed: ${r.error}`);
    for (const w of r.warnings) problems.push(`warning: ${w}`);
    if (r.visible !== r.expected) {
      problems.push(`${r.visible} visible shapes, expected ${r.expected}`);
    }
    if (r.connections !== r.flows) {
      problems.push(`${r.connections} connections drawn, expected ${r.flows}`);
    }
    if (problems.length) {
      bad++;
      console.error(`${r.file}:\n  ${problems.join("\n  ")}`);
    }
  }
  const shapes = results.reduce((n, r) => n + r.visible, 0);
  console.log(`bpmn-js: ${results.length} files, ${shapes} shapes shown, ${bad} with problems`);
  process.exit(bad ? 1 : 0);
}

const viewer = readFileSync(process.argv[2], "utf8");
const files = process.argv.slice(3).map((file) => ({
  file,
  xml: readFileSync(file, "utf8"),
}));
const data = JSON.stringify(files).replace(/</g, "\\u003c");
const script = `
const kinds = ${JSON.stringify(kinds)};
const BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
async function main() {
  const files = JSON.parse(document.getElementById("files").textContent);
  const results = [];
  for (const { file, xml } of files) {
    const doc = new DOMParser().parseFromString(xml, "application/xml");
    let expected = 0;
    for (const kind of kinds) expected += doc.getElementsByTagNameNS(BPMN, kind).length;
    const flows = doc.getElementsByTagNameNS(BPMN, "sequenceFlow").length;
    const container = document.createElement("div");
    container.style.width = "1600px";
    container.style.height = "1000px";
    document.body.appendChild(container);
    const viewer = new BpmnJS({ container });
    const result = { file, expected, flows, warnings: [], visible: 0, connections: 0 };
    try {
      const { warnings } = await viewer.importXML(xml);
      result.warnings = warnings.map((w) => String(w.message || w));
      viewer.get("canvas").zoom("fit-viewport");
      const registry = viewer.get("elementRegistry");
      for (const element of registry.getAll()) {
        if (element.type === "label" || !element.businessObject || element.parent === undefined) continue;
        if (element.waypoints) {
          result.connections++;
          continue;
        }
        if (element.id.endsWith("_plane") || element.type === "bpmn:Collaboration" || element.type === "bpmn:Process") continue;
        const box = registry.getGraphics(element).getBoundingClientRect();
        if (box.width > 0 && box.height > 0) result.visible++;
      }
    } catch (e) {
      result.error = String(e && e.message || e);
    }
    viewer.destroy();
    container.remove();
    results.push(result);
  }
  document.getElementById("result").textContent = JSON.stringify(results);
}
main().catch((e) => { document.getElementById("result").textContent = JSON.stringify([{ file: "page", error: String(e), warnings: [], visible: 0, expected: 0, connections: 0, flows: 0 }]); });
`;
process.stdout.write(`<!doctype html><html><head><meta charset="utf-8"><title>bpmn-js</title></head><body>
<pre id="result"></pre>
<script type="application/json" id="files">${data}</script>
<script>${viewer.replace(/<\/script/gi, "<\\/script")}</script>
<script>${script}</script>
</body></html>
`);
