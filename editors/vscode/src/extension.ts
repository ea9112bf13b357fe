// The SOP extension: starts `sop lsp` for .sop files, and shows the page
// `sop render --to html` makes of the file beside the editor, updated as
// the author types (the server's `sop/preview` request).

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

interface Preview {
  html: string | null;
  stale: boolean;
  diagnostics: { message: string; range: { start: { line: number } } }[];
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("sop").get<string>("path") || "sop";
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ language: "sop" }],
    outputChannelName: "SOP",
  };
  client = new LanguageClient("sop", "SOP", server, options);
  await client.start();

  context.subscriptions.push(
    vscode.commands.registerCommand("sop.openPreview", () => openPreview(context)),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function openPreview(context: vscode.ExtensionContext): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "sop") {
    void vscode.window.showInformationMessage("Open a .sop file to preview it.");
    return;
  }
  const document = editor.document;
  const panel = vscode.window.createWebviewPanel(
    "sopPreview",
    `Preview ${basename(document.uri)}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    // The page is static: no scripts, no access to local files.
    { enableScripts: false, localResourceRoots: [] },
  );
  let timer: NodeJS.Timeout | undefined;
  const refresh = async () => {
    if (!client) {
      return;
    }
    try {
      const preview = await client.sendRequest<Preview>("sop/preview", {
        textDocument: { uri: document.uri.toString() },
      });
      panel.webview.html = page(preview);
    } catch (error) {
      panel.webview.html = message(`The preview failed: ${String(error)}`);
    }
  };
  const changes = vscode.workspace.onDidChangeTextDocument((event) => {
    if (event.document.uri.toString() === document.uri.toString()) {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(() => void refresh(), 200);
    }
  });
  panel.onDidDispose(() => {
    changes.dispose();
    if (timer) {
      clearTimeout(timer);
    }
  });
  context.subscriptions.push(changes);
  void refresh();
}

/// The rendered page, with a banner when it is older than the text.
function page(preview: Preview): string {
  if (preview.html === null) {
    const first = preview.diagnostics[0];
    return message(
      first
        ? `Fix the errors to see the preview. Line ${first.range.start.line + 1}: ${first.message}`
        : "Nothing to preview yet.",
    );
  }
  if (!preview.stale) {
    return preview.html;
  }
  const count = preview.diagnostics.length;
  const banner =
    `<div style="position:sticky;top:0;padding:.5rem 1rem;background:#fffbeb;color:#92400e;` +
    `border-bottom:1px solid #f59e0b;font:14px system-ui,sans-serif">` +
    `The file has ${count} problem${count === 1 ? "" : "s"}: this is the last version without errors.</div>`;
  return preview.html.replace(/<body([^>]*)>/, `<body$1>${banner}`);
}

function message(text: string): string {
  const escaped = text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
  return `<!DOCTYPE html><html><body style="font:14px system-ui,sans-serif;padding:1rem">${escaped}</body></html>`;
}

function basename(uri: vscode.Uri): string {
  const parts = uri.path.split("/");
  return parts[parts.length - 1] ?? uri.path;
}
