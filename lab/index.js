// Starts the course's JupyterLab: the plugins of every extension in package.json's
// "jupyterlab" field, less the few that need a server or service this build does not have.
import { JupyterLab } from "@jupyterlab/application";
import { PageConfig } from "@jupyterlab/coreutils";

// Chunks and assets load from the server's static URL; set before any CSS is imported.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption("fullStaticUrl") + "/";

const styles = import("./build/style.js");

// Plugins left out: language servers (no jupyter-lsp here) and the news feed (no network).
const SKIP = [/:language-server/, /:announcements/];
const keep = (mod) => {
  const plugins = Array.isArray(mod.default) ? mod.default : [mod.default];
  return plugins.filter((p) => !SKIP.some((re) => re.test(p.id)));
};

const extensions = [
  import("@jupyterlab/application-extension"),
  import("@jupyterlab/apputils-extension"),
  import("@jupyterlab/codemirror-extension"),
  import("@jupyterlab/completer-extension"),
  import("@jupyterlab/console-extension"),
  import("@jupyterlab/docmanager-extension"),
  import("@jupyterlab/documentsearch-extension"),
  import("@jupyterlab/filebrowser-extension"),
  import("@jupyterlab/fileeditor-extension"),
  import("@jupyterlab/help-extension"),
  import("@jupyterlab/launcher-extension"),
  import("@jupyterlab/mainmenu-extension"),
  import("@jupyterlab/markdownviewer-extension"),
  import("@jupyterlab/markedparser-extension"),
  import("@jupyterlab/mathjax-extension"),
  import("@jupyterlab/metadataform-extension"),
  import("@jupyterlab/notebook-extension"),
  import("@jupyterlab/rendermime-extension"),
  import("@jupyterlab/running-extension"),
  import("@jupyterlab/shortcuts-extension"),
  import("@jupyterlab/statusbar-extension"),
  import("@jupyterlab/theme-light-extension"),
  import("@jupyterlab/theme-dark-extension"),
  import("@jupyterlab/toc-extension"),
  import("@jupyterlab/tooltip-extension"),
  import("@jupyterlab/translation-extension"),
  import("@jupyterlab/ui-components-extension"),
  import("@jupyter-widgets/jupyterlab-manager"),
];

const mimeExtensions = [
  import("@jupyterlab/json-extension"),
  import("@jupyterlab/pdf-extension"),
  import("@jupyterlab/vega5-extension"),
  import("@jupyterlab/javascript-extension"),
];

window.addEventListener("load", async () => {
  await styles;
  const lab = new JupyterLab({ mimeExtensions: await Promise.all(mimeExtensions) });
  lab.registerPlugins((await Promise.all(extensions)).flatMap(keep));
  await lab.start();
  await lab.restored;
  // Tests wait for this, and reach the application through it.
  window.jupyterapp = lab;
  document.body.dataset.gradbookLab = "ready";
});
