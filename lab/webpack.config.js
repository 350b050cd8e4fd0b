// The course's JupyterLab front end: one bundle with the extensions listed in package.json's
// "jupyterlab" field, plus their settings schemas and themes copied next to it (build/).
// A development-mode build without source maps: several times faster than a production one
// and a fifth of the memory, at a bundle size that does not matter on localhost.
const path = require("path");
const webpack = require("webpack");
const { Build } = require("@jupyterlab/builder");
const miniSVGDataURI = require("mini-svg-data-uri");
const data = require("./package.json");

const output = path.join(__dirname, "build");
const assets = Build.ensureAssets({
  packageNames: [...data.jupyterlab.extensions, ...data.jupyterlab.mimeExtensions],
  output,
});

module.exports = [
  {
    entry: ["./index.js"],
    output: { path: output, filename: "bundle.js", publicPath: "auto" },
    bail: true,
    devtool: false,
    mode: "development",
    cache: false,
    // One copy of yjs: packages that require() it and packages that import it would otherwise
    // get its CommonJS and ES builds, two instances that reject each other's documents.
    resolve: { alias: { yjs$: path.join(__dirname, "node_modules", "yjs", "dist", "yjs.mjs") } },
    module: {
      rules: [
        // Some dependencies are ES modules that import without file extensions.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, use: ["style-loader", "css-loader"] },
        { test: /\.html$/, type: "asset/resource" },
        { test: /\.md$/, type: "asset/source" },
        { test: /\.(jpg|png|gif)$/, type: "asset/resource" },
        { test: /\.js\.map$/, type: "asset/resource" },
        { test: /\.(woff2?|ttf)(\?v=\d+\.\d+\.\d+)?$/, type: "asset" },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: "asset/resource" },
        // In CSS an SVG is a data URI; imported from JavaScript it is the SVG's text.
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, type: "asset/inline", generator: { dataUrl: (c) => miniSVGDataURI(c.toString()) } },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: "asset/source" },
      ],
    },
    plugins: [new webpack.DefinePlugin({ process: { cwd: () => "/", env: {} } })],
  },
].concat(assets);
