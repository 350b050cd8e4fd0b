/**
 * TypeScript's language service over the session's cells: type errors before a cell runs,
 * completion and inspection with everything earlier cells declared and the prelude in scope.
 *
 * Each executed cell is a virtual module `__cell_N__.ts` in the working directory (so relative
 * imports resolve as at run time). It ends with `export { every name it declares }`, and a
 * later cell starts with a one-line header importing, for each name, the latest cell that
 * declared it, plus the prelude's exports. Redeclaring a name in a later cell simply makes
 * later headers import the new one, which is how a REPL behaves.
 */
import * as ts from "typescript";
import * as fs from "fs";
import * as path from "path";
import { PACKAGE_ROOT } from "./paths";
import type { ErrorContent, LangRestore, PreludeInfo } from "./messages";
import { CellSyntaxErrorList, convertCell, Converted } from "./convert";
import { bundleDeclarations, bundleScripts, bundleStandardLibrary } from "./dts-bundle";


/** Diagnostics that are artefacts of modelling cells as modules, not mistakes in the cell. */
const IGNORED_CODES = new Set([
  2539, // Cannot assign to 'x' because it is not a variable
  2630, // Cannot assign to 'f' because it is a function
  2628, // Cannot assign to 'E' because it is an enum
  2629, // Cannot assign to 'C' because it is a class
  1108, // A 'return' statement can only be used within a function body
]);

/**
 * Ambient declarations of what the kernel gives every cell: `types/session.d.ts`, the same file
 * the course sources are type-checked against.
 */
export const KERNEL_GLOBALS = fs.readFileSync(path.join(PACKAGE_ROOT, "types", "session.d.ts"), "utf8");

const ROOTS = ["stdlib", "globals", "node_light", "library", "check", "complete", "inspect", "prelude_probe"] as const;

/** The standard library cells see: ES2023, no DOM. */
const STANDARD_LIBS = ["lib.es2023.d.ts"] as const;

/** The library's compiled declarations, which the checker reads as one file (dts-bundle.ts). */
const LIBRARY_DIR = path.join(PACKAGE_ROOT, "dist", "lib");
/** The module cells import the library's names from when its declarations are bundled. */
const LIBRARY_MODULE = "gradbook/lib/index";

/**
 * The part of `@types/node` a cell needs when it imports nothing: the files that declare the
 * globals (`process`, `require`, `console`, `setTimeout`, `Buffer`, `performance`, `__dirname`)
 * and the events module `process` extends, a sixth of the package's 2.2 MB. Parsing the whole
 * package was most of the first cell's wait, and merging its globals a good part of every
 * check. Types these files import from modules left out are `any`; a cell that imports a
 * module, or whose errors name something only the whole package declares, gets all of it.
 */
const NODE_LIGHT_FILES = [
  "compatibility/index.d.ts",
  "globals.typedarray.d.ts",
  "buffer.buffer.d.ts",
  "globals.d.ts",
  "web-globals/abortcontroller.d.ts",
  "web-globals/domexception.d.ts",
  "web-globals/events.d.ts",
  "buffer.d.ts",
  "console.d.ts",
  "events.d.ts",
  "process.d.ts",
  "timers.d.ts",
  "perf_hooks.d.ts",
  "module.d.ts",
];

/** Modules a cell may import without needing all of Node's declarations. */
const LIGHT_IMPORTS = new Set(["gradbook", "tslab"]);

/**
 * Errors that may only mean the light declarations lack a name (`Cannot find name 'fetch'`,
 * `Property 'cpuUsage' does not exist`, `Cannot find namespace 'NodeJS'` ...): the cell is
 * checked again with all of `@types/node` when the name occurs there.
 */
const MAYBE_NODE_CODES = new Set([2304, 2552, 2339, 2551, 2503, 2694, 2724, 2305, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2686, 2688, 2307, 2792]);

export interface LanguageOptions {
  /** Type-check cells before they run (default true). */
  typecheck?: boolean;
  /**
   * "light" (default): cells that import nothing see only the global part of `@types/node`,
   * and get all of it once a cell needs it. "full": all of it from the start. Also
   * $GRADBOOK_NODE_TYPES.
   */
  nodeTypes?: "light" | "full";
  cwd?: string;
  /**
   * Read the library's declarations as one bundled file (default true; $GRADBOOK_DTS_BUNDLE=0
   * reads its 122 files, as tsc would).
   */
  bundleLibrary?: boolean;
}

interface CellFile {
  text: string;
  version: number;
}

export class CellLanguage {
  private readonly files = new Map<string, CellFile>();
  private readonly cwd: string;
  private readonly service: ts.LanguageService;
  /** name → module that last declared it ("./__cell_3__" or the prelude). */
  private readonly owners = new Map<string, string>();
  /** How each cell-declared name was bound, from the cell that last declared it. */
  private readonly bindings = new Map<string, Binding>();
  private readonly pending = new Map<number, { text: string; names: string[]; kinds: Map<string, Binding> }>();
  private readonly checkCache = new Map<string, ErrorContent | null>();
  private readonly convertCache = new Map<string, Converted>();
  private preludeModule: string | null = null;
  private projectVersion = 0;
  private options: ts.CompilerOptions;
  private readonly typecheck: boolean;
  /** `@types/node`'s folder, when installed. */
  private readonly nodeTypesDir: string | null;
  /** Whether cells see all of `@types/node` rather than its global part. */
  private nodeFull: boolean;
  private nodeIdentifiers: Set<string> | null = null;
  /** Whether the library's declarations are the bundle (then "gradbook" names its module). */
  private readonly libraryBundled: boolean;

  constructor(opts: LanguageOptions = {}) {
    this.cwd = opts.cwd ?? process.cwd();
    this.typecheck = opts.typecheck ?? process.env.GRADBOOK_TYPECHECK !== "0";
    const typeRoots = [path.join(PACKAGE_ROOT, "node_modules", "@types"), path.join(this.cwd, "node_modules", "@types")].filter((p) => fs.existsSync(p));
    this.nodeTypesDir = typeRoots.length && fs.existsSync(path.join(typeRoots[0], "node", "index.d.ts")) ? path.join(typeRoots[0], "node") : null;
    this.nodeFull = !this.nodeTypesDir || (opts.nodeTypes ?? process.env.GRADBOOK_NODE_TYPES) === "full";
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: [...STANDARD_LIBS],
      // Light: the root file below stands for @types/node. Full: the whole package.
      types: this.nodeTypesDir && this.nodeFull ? ["node"] : [],
      typeRoots,
      strict: false,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      baseUrl: this.cwd,
      paths: { gradbook: [path.join(PACKAGE_ROOT, "dist", "lib", "index")], "*": [path.join(PACKAGE_ROOT, "node_modules", "*"), path.join(PACKAGE_ROOT, "node_modules", "@types", "*")] },
    };
    const bundling = opts.bundleLibrary ?? process.env.GRADBOOK_DTS_BUNDLE !== "0";
    // The standard library as one file too, while cells see the light part of @types/node
    // (the whole package's `/// <reference lib>` lines would read the lib files again).
    const stdlib = bundling && !this.nodeFull ? bundleStandardLibrary(STANDARD_LIBS) : null;
    if (stdlib !== null) {
      this.setFile(this.rootFile("stdlib"), stdlib);
      this.options.noLib = true;
    }
    this.setFile(this.globalsFile, KERNEL_GLOBALS);
    const bundle = bundling ? bundleDeclarations(LIBRARY_DIR) : null;
    this.libraryBundled = bundle !== null;
    if (bundle !== null) this.setFile(this.rootFile("library"), bundle);
    if (this.nodeTypesDir && !this.nodeFull) {
      const refs = NODE_LIGHT_FILES.map((f) => path.join(this.nodeTypesDir!, f)).filter((f) => fs.existsSync(f));
      const light = bundling ? bundleScripts(refs) : null;
      this.setFile(this.rootFile("node_light"), light ?? refs.map((f) => `/// <reference path=${JSON.stringify(f)} />\n`).join(""));
    }
    // Files on disk (lib.d.ts, @types, packages) are read once: the service asks for every
    // file's snapshot on each new program, and re-reading megabytes per cell is most of a check.
    const diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
    const exists = new Map<string, boolean>();
    const diskExists = (f: string) => {
      let e = exists.get(f);
      if (e === undefined) exists.set(f, (e = fs.existsSync(f)));
      return e;
    };
    const dirsFound = new Set<string>();
    const realpaths = new Map<string, string>();
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      // Earlier cells are not roots: they are reached through the imports of later ones.
      getScriptFileNames: () => ROOTS.map((r) => this.rootFile(r)).filter((f) => this.files.has(f)),
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return ts.ScriptSnapshot.fromString(v.text);
        if (!diskSnapshots.has(f)) diskSnapshots.set(f, diskExists(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined);
        return diskSnapshots.get(f);
      },
      getProjectVersion: () => String(this.projectVersion),
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.files.has(f) || diskExists(f),
      readFile: (f) => this.files.get(f)?.text ?? (diskExists(f) ? fs.readFileSync(f, "utf8") : undefined),
      readDirectory: ts.sys.readDirectory,
      // Resolving the prelude's hundred imports probes the same folders and links again and
      // again. Only folders found are remembered, so a package installed later is seen.
      directoryExists: (d) => dirsFound.has(d) || (ts.sys.directoryExists(d) && !!dirsFound.add(d)),
      getDirectories: ts.sys.getDirectories,
      realpath: (f) => {
        let r = realpaths.get(f);
        if (r === undefined) realpaths.set(f, (r = ts.sys.realpath ? ts.sys.realpath(f) : f));
        return r;
      },
    };
    // Every new program re-resolves the imports of the file that changed, and cell headers
    // import earlier cells: resolve each (directory, name) once. Failures are not kept, so
    // a package installed later is found.
    const resolutionCache = ts.createModuleResolutionCache(this.cwd, (f) => f, this.options);
    const resolved = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
    // The same cache answers the package.json lookups every new program makes for every file.
    (host as { getModuleResolutionCache?: () => ts.ModuleResolutionCache }).getModuleResolutionCache = () => resolutionCache;
    host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) =>
      literals.map((lit) => {
        const name = lit.text;
        const key = `${path.dirname(containingFile)}\0${name}`;
        let r = resolved.get(key);
        if (r) return r;
        // The bundle declares these modules: left unresolved, they are its ambient ones (the
        // package's own name would otherwise resolve to dist/lib's files, a second copy).
        if (this.libraryBundled && (name === "gradbook" || name.startsWith("gradbook/lib/"))) return { resolvedModule: undefined };
        const cell = /^\.\/__cell_\d+__$/.test(name) ? path.join(this.cwd, `${name.slice(2)}.ts`) : null;
        r = cell
          ? { resolvedModule: { resolvedFileName: cell, extension: ts.Extension.Ts, isExternalLibraryImport: false } }
          : ts.resolveModuleName(name, containingFile, options, host as ts.ModuleResolutionHost, resolutionCache, redirected);
        if (r.resolvedModule) resolved.set(key, r);
        return r;
      });
    // Declarations that say `/// <reference types="node" />` (the library's do) get the light
    // part too while cells need no more: otherwise they would pull in the whole package.
    const typeRefCache = ts.createTypeReferenceDirectiveResolutionCache(this.cwd, (f) => f, this.options);
    host.resolveTypeReferenceDirectiveReferences = (refs, containingFile, redirected, options, containingSourceFile) =>
      refs.map((ref) => {
        const name = typeof ref === "string" ? ref : ref.fileName.toLowerCase();
        if (name === "node" && !this.nodeFull && this.files.has(this.rootFile("node_light"))) {
          return { resolvedTypeReferenceDirective: { primary: true, resolvedFileName: this.rootFile("node_light"), isExternalLibraryImport: false } };
        }
        const mode = typeof ref === "string" ? undefined : (ref.resolutionMode ?? (containingSourceFile ? ts.getModeForFileReference(ref, containingSourceFile.impliedNodeFormat) : undefined));
        return ts.resolveTypeReferenceDirective(name, containingFile, options, host as ts.ModuleResolutionHost, redirected, typeRefCache, mode);
      });
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseAll;
    this.service = ts.createLanguageService(host, this.documentRegistry());
  }

  /**
   * A document registry that parses every file without its doc comments until someone
   * inspects something: type errors in TypeScript do not need them (`@ts-ignore` is an
   * ordinary comment), and parsing them was a fifth of the first cell's wait. The first
   * inspection (Shift-Tab) parses the files again, with them, and they stay.
   */
  private documentRegistry(): ts.DocumentRegistry {
    const full = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, this.cwd, ts.JSDocParsingMode.ParseAll);
    let lean: ts.DocumentRegistry | null = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, this.cwd, ts.JSDocParsingMode.ParseForTypeErrors);
    const owner = new Map<string, ts.DocumentRegistry>();
    this.dropLeanDocuments = () => {
      lean = null; // its documents go once the current program is replaced
      owner.clear();
    };
    const route = (p: string, options: ts.CreateSourceFileOptions | ts.ScriptTarget | undefined) => {
      const useLean = lean !== null && typeof options === "object";
      const registry = useLean ? lean! : full;
      owner.set(p, registry);
      return { registry, options: useLean ? { ...(options as ts.CreateSourceFileOptions), jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors } : options };
    };
    return {
      acquireDocument: (...args) => full.acquireDocument(...args),
      updateDocument: (...args) => full.updateDocument(...args),
      acquireDocumentWithKey: (fileName, p, settings, key, snapshot, version, kind, options) => {
        const r = route(p, options);
        return r.registry.acquireDocumentWithKey(fileName, p, settings, key, snapshot, version, kind, r.options);
      },
      updateDocumentWithKey: (fileName, p, settings, key, snapshot, version, kind, options) => {
        const r = route(p, options);
        return r.registry.updateDocumentWithKey(fileName, p, settings, key, snapshot, version, kind, r.options);
      },
      getKeyForCompilationSettings: (settings) => full.getKeyForCompilationSettings(settings),
      releaseDocument: (fileName: string, settings: ts.CompilerOptions, kind?: ts.ScriptKind, format?: ts.ResolutionMode) => full.releaseDocument(fileName, settings, kind!, format),
      releaseDocumentWithKey: (p: ts.Path, key: ts.DocumentRegistryBucketKey, kind?: ts.ScriptKind, format?: ts.ResolutionMode) => {
        const registry = owner.get(p) ?? full;
        owner.delete(p);
        if (registry === full || registry === lean) registry.releaseDocumentWithKey(p, key, kind!, format);
      },
      reportStats: () => full.reportStats(),
    };
  }

  private dropLeanDocuments: () => void = () => undefined;
  private leanDocuments = true;

  /** Doc comments of the standard library and Node from now on (see documentRegistry). */
  private withDocComments(): void {
    if (!this.leanDocuments) return;
    this.leanDocuments = false;
    this.dropLeanDocuments();
    // A new version of a root file makes the service build a new program, which asks the
    // registry for every file again.
    const globals = this.files.get(this.globalsFile)!;
    globals.version++;
    this.projectVersion++;
  }

  private get globalsFile(): string {
    return path.join(this.cwd, "__gradbook_globals__.d.ts");
  }

  private rootFile(kind: (typeof ROOTS)[number]): string {
    if (kind === "globals") return this.globalsFile;
    // A declaration file, so that it is read as one (skipLibCheck) and never checked itself.
    if (kind === "library") return path.join(this.cwd, "__gradbook_library__.d.ts");
    if (kind === "stdlib") return path.join(this.cwd, "__gradbook_stdlib__.d.ts");
    if (kind === "node_light") return path.join(this.cwd, "__gradbook_node__.d.ts");
    return path.join(this.cwd, `__${kind}__.ts`);
  }

  private cellFile(id: number | string): string {
    return path.join(this.cwd, `__cell_${id}__.ts`);
  }

  private setFile(file: string, text: string): void {
    const prev = this.files.get(file);
    if (prev && prev.text === text) return;
    this.files.set(file, { text, version: (prev?.version ?? 0) + 1 });
    this.projectVersion++;
  }

  private deleteFile(file: string): void {
    if (this.files.delete(file)) this.projectVersion++;
  }

  /** Whether cells see all of `@types/node` (after a cell needed more than its globals). */
  get fullNodeTypes(): boolean {
    return this.nodeFull;
  }

  /**
   * From now on, cells see all of `@types/node`. The compiler options change, so the next
   * program resolves afresh, but every file already parsed is reused from the registry.
   */
  private useFullNodeTypes(): void {
    if (this.nodeFull) return;
    this.nodeFull = true;
    this.options = { ...this.options, types: ["node"], noLib: false };
    this.deleteFile(this.rootFile("node_light"));
    this.deleteFile(this.rootFile("stdlib"));
    this.checkCache.clear();
    this.projectVersion++;
  }

  /** A cell that imports a module (other than the prelude's), or declares one, may need any of Node's types. */
  private needsFullNodeTypes(source: string): boolean {
    if (this.nodeFull) return false;
    // `require("x")` is not counted: @types/node types it `any` whatever x is.
    const info = ts.preProcessFile(source, true, false);
    return info.importedFiles.some((f) => !LIGHT_IMPORTS.has(f.fileName)) || info.typeReferenceDirectives.length > 0 || (info.ambientExternalModules?.length ?? 0) > 0;
  }

  /** Whether an error may be the light declarations' fault: it names something `@types/node` declares. */
  private mayBeMissingNodeDeclaration(d: ts.Diagnostic): boolean {
    if (this.nodeFull || !MAYBE_NODE_CODES.has(d.code)) return false;
    const name = /'([A-Za-z_$][\w$]*)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, "\n"))?.[1];
    if (!name) return true;
    if (!this.nodeIdentifiers) {
      // Read once, only when some cell has such an error: every identifier in the package.
      this.nodeIdentifiers = new Set();
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const f = path.join(dir, e.name);
          if (e.isDirectory()) walk(f);
          else if (e.name.endsWith(".d.ts")) for (const m of fs.readFileSync(f, "utf8").matchAll(/[A-Za-z_$][\w$]*/g)) this.nodeIdentifiers!.add(m[0]);
        }
      };
      walk(this.nodeTypesDir!);
    }
    return this.nodeIdentifiers.has(name);
  }

  /**
   * Makes the prelude's exports (values and types) known to every later cell. A different
   * module, or none (the runtime could not load it), replaces what an earlier call set.
   */
  setPrelude(given: PreludeInfo): void {
    const info = { ...given, module: this.checkedModule(given.module) };
    if (this.preludeModule === info.module) return;
    if (this.preludeModule) {
      for (const [n, m] of this.owners) if (m === this.preludeModule) this.owners.delete(n);
      this.checkCache.clear();
      this.preludeModule = null;
    }
    if (!info.module) return;
    // The probe stays a root file: removing it would change the root set, and the service
    // rebuilds a program from scratch whenever that changes.
    const probe = this.rootFile("prelude_probe");
    this.setFile(probe, `import * as __p from ${JSON.stringify(info.module)};\n`);
    const program = this.service.getProgram();
    const sf = program?.getSourceFile(probe);
    const names = new Set(info.names);
    if (program && sf) {
      const checker = program.getTypeChecker();
      const decl = sf.statements[0] as ts.ImportDeclaration;
      const sym = checker.getSymbolAtLocation(decl.moduleSpecifier);
      if (sym) {
        for (const e of checker.getExportsOfModule(sym)) if (e.name !== "default") names.add(e.name);
      } else {
        names.clear(); // no declarations: importing the names would only produce errors
      }
    }
    for (const n of names) if (isImportableName(n) && !this.owners.has(n)) this.owners.set(n, info.module);
    this.preludeModule = info.module;
    this.checkCache.clear();
  }

  /** The module the checker imports for a prelude the runtime loaded: the bundle's, for the library. */
  private checkedModule(module: string | null): string | null {
    if (!module || !this.libraryBundled) return module;
    return path.resolve(module).replace(/\.(c?js|d\.ts|ts)$/, "") === path.join(LIBRARY_DIR, "index") ? LIBRARY_MODULE : module;
  }

  /** Names declared at the top level of a cell (values, types, imports), with how each is bound. */
  private declaredNames(sf: ts.SourceFile): Map<string, Binding> {
    const out = new Map<string, Binding>();
    const bind = (n: ts.BindingName, kind: Binding) => {
      if (ts.isIdentifier(n)) out.set(n.text, kind);
      else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name, kind);
    };
    for (const s of sf.statements) {
      if (ts.isVariableStatement(s)) {
        const kind = s.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing) ? "const" : "mutable";
        s.declarationList.declarations.forEach((d) => bind(d.name, kind));
      } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) out.set(s.name.text, "other");
      else if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) out.set(s.name.text, "other");
      else if (ts.isImportDeclaration(s) && s.importClause) {
        const c = s.importClause;
        if (c.name) out.set(c.name.text, "import");
        if (c.namedBindings) {
          if (ts.isNamespaceImport(c.namedBindings)) out.set(c.namedBindings.name.text, "import");
          else c.namedBindings.elements.forEach((e) => out.set(e.name.text, "import"));
        }
      } else if (ts.isImportEqualsDeclaration(s)) out.set(s.name.text, "import");
    }
    return out;
  }

  /** The one-line header importing every earlier name the cell does not declare itself. */
  private header(exclude: Map<string, Binding>, used: Set<string> | null): string {
    const byModule = new Map<string, string[]>();
    let variables = "";
    for (const [name, mod] of this.owners) {
      if (exclude.has(name) || (used && !used.has(name))) continue;
      if (!byModule.has(mod)) byModule.set(mod, []);
      // An import is read-only: an earlier `let` becomes a variable of the same type, so that
      // assigning to it is checked like an assignment within one cell.
      if (mod !== this.preludeModule && this.bindings.get(name) === "mutable") {
        byModule.get(mod)!.push(`${name} as ${MUTABLE_PREFIX}${name}`);
        variables += `declare let ${name}: typeof ${MUTABLE_PREFIX}${name}; `;
      } else byModule.get(mod)!.push(name);
    }
    let h = "";
    for (const [mod, names] of byModule) h += `import { ${names.join(", ")} } from ${JSON.stringify(mod)}; `;
    return h + variables + "\n";
  }

  /**
   * Assigning to an import (TS2632) is what assigning to an earlier cell's `const` or import
   * looks like here: the error TypeScript gives within one cell. Functions, classes, enums and
   * the prelude's names may be replaced, as a REPL allows.
   */
  private assignmentError(d: ts.Diagnostic, own: Map<string, Binding>): ts.Diagnostic | null {
    const name = /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, "\n"))?.[1];
    if (!name) return null;
    const kind = own.get(name) ?? (this.owners.get(name) !== this.preludeModule ? this.bindings.get(name) : undefined);
    if (kind === "const") return { ...d, code: 2588, messageText: `Cannot assign to '${name}' because it is a constant.` };
    if (kind === "import") return d;
    return null;
  }

  /**
   * The cell as a module. With `allNames` (completion) the header imports every earlier name;
   * otherwise only those the cell's text mentions: the checker checks each import of the
   * header, and importing the prelude's two hundred names into every cell was half of a
   * cell's check. A word that is not a reference (in a string, say) only adds an import.
   */
  private moduleText(source: string, allNames = false): { text: string; headerLength: number; names: string[]; kinds: Map<string, Binding> } {
    const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const kinds = this.declaredNames(sf);
    const names = [...kinds.keys()];
    const used = allNames ? null : new Set(source.match(/[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu) ?? []);
    const header = this.header(kinds, used);
    // `export {}` even with no names: a cell must be a module for top-level await.
    const text = `${header}${source}\n;export { ${names.join(", ")} };\n`;
    return { text, headerLength: header.length, names, kinds };
  }

  /**
   * Converts a cell for running and, unless disabled, type-checks it first. Returns the
   * error to show instead of running, or the converted code.
   */
  compile(id: number, source: string): { ok: true; converted: Converted } | { ok: false; error: ErrorContent } {
    let converted = this.convertCache.get(source);
    if (!converted) {
      try {
        converted = convertCell(source);
      } catch (e) {
        if (e instanceof CellSyntaxErrorList) return { ok: false, error: syntaxErrorContent(e, source) };
        throw e;
      }
      // Re-run cells (and benchmarks) skip parsing; conversion depends on the source alone.
      if (this.convertCache.size > 500) this.convertCache.clear();
      this.convertCache.set(source, converted);
    }
    if (!this.typecheck) return { ok: true, converted };
    const { text, headerLength, names, kinds } = this.moduleText(source);
    let error: ErrorContent | null | undefined = this.checkCache.get(text);
    if (error === undefined) {
      if (this.needsFullNodeTypes(source)) this.useFullNodeTypes();
      // Always the same file name: the set of root files stays the same, so the service can
      // reuse the previous program's structure instead of rebuilding it.
      const file = this.rootFile("check");
      this.setFile(file, text);
      const diagnose = (start: number) =>
        [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)]
          .map((d) => (d.code === 2632 ? this.assignmentError(d, kinds) : d))
          .filter((d): d is ts.Diagnostic => !!d && d.category === ts.DiagnosticCategory.Error && !IGNORED_CODES.has(d.code) && d.start !== undefined && d.start >= start);
      let diags = diagnose(headerLength);
      if (diags.some((d) => this.mayBeMissingNodeDeclaration(d))) {
        this.useFullNodeTypes();
        diags = diagnose(headerLength);
      }
      let shown = { text, headerLength };
      if (diags.some((d) => d.code === 2304)) {
        // An unknown name: check again with every earlier name in scope, for TypeScript's
        // "Did you mean 'tensor'?" (the cell fails either way).
        shown = this.moduleText(source, true);
        this.setFile(file, shown.text);
        diags = diagnose(shown.headerLength);
      }
      error = diags.length ? typeErrorContent(diags, source, shown.headerLength, shown.text) : null;
      if (this.checkCache.size > 500) this.checkCache.clear();
      this.checkCache.set(text, error);
    }
    if (error) return { ok: false, error };
    this.pending.set(id, { text, names, kinds });
    return { ok: true, converted };
  }

  /** After a cell ran: its names now come from it (even if it failed midway, like a REPL). */
  commit(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    // Only cells that declare something are imported by later ones.
    if (p.names.length === 0) return;
    const file = this.cellFile(id);
    this.setFile(file, p.text);
    const mod = "./" + path.basename(file, ".ts");
    for (const n of p.names) {
      this.owners.set(n, mod);
      this.bindings.set(n, p.kinds.get(n) ?? "other");
    }
    // Declarations changed: cached verdicts may no longer hold.
    this.checkCache.clear();
  }

  /**
   * Takes back what cells that ran under an earlier language thread declared, in the order they
   * ran, without checking them again (lang-link.ts ends an idle thread and starts a new one).
   * Each cell's module comes out as it was: its header depends only on the cells before it.
   */
  restore(state: LangRestore): void {
    if (state.prelude) this.setPrelude(state.prelude);
    if (state.nodeFull) this.useFullNodeTypes();
    if (!this.typecheck) return;
    for (const c of state.cells) {
      const { text, names, kinds } = this.moduleText(c.source);
      this.pending.set(c.cell, { text, names, kinds });
      this.commit(c.cell);
    }
  }

  /** Drops a checked cell that never ran. */
  discard(id: number): void {
    this.pending.delete(id);
  }

  complete(code: string, pos: number): { matches: string[]; start: number; end: number; types: { text: string; type: string; start: number; end: number; signature: string }[] } {
    if (this.needsFullNodeTypes(code)) this.useFullNodeTypes();
    const { text, headerLength } = this.moduleText(code, true);
    const file = this.rootFile("complete");
    this.setFile(file, text);
    let start = pos;
    while (start > 0 && /[\w$]/.test(code[start - 1])) start--;
    let end = pos;
    while (end < code.length && /[\w$]/.test(code[end])) end++;
    const prefix = code.slice(start, pos);
    const info = this.service.getCompletionsAtPosition(file, headerLength + pos, { includeCompletionsWithInsertText: true, includeCompletionsForModuleExports: false });
    // `_name` members are internals (Python's convention too): shown only to who types `_`.
    const showPrivate = prefix.startsWith("_");
    const entries = (info?.entries ?? [])
      .filter((e) => !e.name.startsWith("__") && e.name.startsWith(prefix) && !isInternalName(e.name) && (showPrivate || !e.name.startsWith("_")))
      .sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : a.name.localeCompare(b.name)))
      .slice(0, 1000);
    const matches = entries.map((e) => e.name);
    const describe = this.completionDescriber(file, headerLength + start);
    const types = entries.map((e, i) => {
      const d = describe(e.name, i < MAX_SIGNATURES);
      return { text: e.name, type: d?.kind ?? completionKind(e.kind), start, end, signature: d?.signature ?? "" };
    });
    return { matches, start, end, types };
  }

  /**
   * The kind and signature of each completion, from the symbol it names: TypeScript reports
   * every imported name (the prelude's, earlier cells') as an "alias", which says nothing.
   * Members of the expression before a dot, else the names in scope at the word.
   */
  private completionDescriber(file: string, wordStart: number): (name: string, withSignature: boolean) => { kind: string; signature: string } | null {
    const program = this.service.getProgram();
    const sf = program?.getSourceFile(file);
    if (!program || !sf) return () => null;
    const checker = program.getTypeChecker();
    let access: ts.Node | null = null;
    let inner: ts.Node = sf;
    const visit = (node: ts.Node): void => {
      if (node.pos > wordStart || node.end < wordStart) return;
      if (node.getStart(sf) <= wordStart) inner = node;
      if ((ts.isPropertyAccessExpression(node) || ts.isQualifiedName(node)) && wordStart >= (ts.isPropertyAccessExpression(node) ? node.expression : node.left).end) {
        access = ts.isPropertyAccessExpression(node) ? node.expression : node.left;
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(sf, visit);
    const symbols = new Map<string, ts.Symbol>();
    try {
      if (access) {
        const type = checker.getTypeAtLocation(access);
        for (const p of checker.getPropertiesOfType(checker.getApparentType(type))) symbols.set(p.name, p);
        const target = checker.getSymbolAtLocation(access);
        const ns = target && target.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(target) : target;
        if (ns && ns.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) for (const e of checker.getExportsOfModule(ns)) symbols.set(e.name, e);
      } else {
        const flags = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;
        for (const sym of checker.getSymbolsInScope(inner, flags)) if (!symbols.has(sym.name)) symbols.set(sym.name, sym);
      }
    } catch {
      return () => null;
    }
    return (name, withSignature) => {
      let sym = symbols.get(name);
      if (!sym) return null;
      if (sym.flags & ts.SymbolFlags.Alias) {
        try {
          sym = checker.getAliasedSymbol(sym);
        } catch {
          return null;
        }
      }
      // A cell's `let` reaches later cells as `declare let x: typeof __gbv_x` (see header).
      const kind = symbolKind(sym);
      if (!kind) return null;
      let signature = "";
      if (withSignature && (kind === "function" || kind === "class")) {
        try {
          const type = checker.getTypeOfSymbol(sym);
          const sigs = kind === "class" ? type.getConstructSignatures() : type.getCallSignatures();
          if (sigs.length) signature = (kind === "class" ? "new " : "") + checker.signatureToString(sigs[0], undefined, ts.TypeFormatFlags.WriteArrowStyleSignature) + (sigs.length > 1 ? ` (+${sigs.length - 1} overload${sigs.length > 2 ? "s" : ""})` : "");
        } catch {
          signature = "";
        }
      }
      return { kind, signature };
    };
  }

  inspect(code: string, pos: number, detail: number): { found: boolean; text: string } {
    if (this.needsFullNodeTypes(code)) this.useFullNodeTypes();
    this.withDocComments();
    const { text, headerLength } = this.moduleText(code);
    const file = this.rootFile("inspect");
    this.setFile(file, text);
    for (const p of [pos, pos - 1]) {
      if (p < 0) continue;
      const q = this.service.getQuickInfoAtPosition(file, headerLength + p);
      if (!q) continue;
      // Names reach a cell through its header's imports: "(alias) ... import x" is that artefact.
      let out = ts.displayPartsToString(q.displayParts).replace(/^\(alias\) /, "").replace(/\n(?:import|export) [\w$]+$/, "");
      const doc = ts.displayPartsToString(q.documentation);
      if (doc) out += `\n\n${doc}`;
      for (const tag of q.tags ?? []) {
        const t = tag.text ? ts.displayPartsToString(tag.text) : "";
        if (detail > 0 || tag.name === "example" || tag.name === "param" || tag.name === "returns") out += `\n\n@${tag.name}${t ? " " + t : ""}`;
      }
      return { found: true, text: out };
    }
    return { found: false, text: "" };
  }
}

/** How a cell bound a name: `let`/`var`, `const`, an import, or a declaration (function, class...). */
type Binding = "mutable" | "const" | "import" | "other";

/** Header aliases of earlier cells' variables (see `header`). */
const MUTABLE_PREFIX = "__gbv_";

/** Whether `import { name }` parses: an identifier that is not a reserved word (`var`, `new`). */
function isImportableName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name);
}

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with implements interface let " +
    "package private protected public static yield").split(" "),
);

/** Loads the standard library declarations ahead of the first cell, which then checks fast. */
export function warmUp(lang: CellLanguage, preludeModule?: string): void {
  // Reads the prelude's declarations (the runtime confirms later that it loaded), then checks
  // a trivial cell under the same header a first cell gets: that cell then finds everything
  // parsed and bound.
  if (preludeModule && fs.existsSync(`${preludeModule}.d.ts`)) lang.setPrelude({ module: preludeModule, names: [] });
  lang.compile(-1, "0");
  lang.discard(-1);
}

/** The prelude the runtime loads unless told otherwise (without extension), for warming up. */
export function defaultPreludeModule(): string | undefined {
  const spec = process.env.GRADBOOK_PRELUDE;
  if (spec === "none" || spec === "") return undefined;
  return spec ? spec.replace(/\.(c?js|ts)$/, "") : path.join(PACKAGE_ROOT, "dist", "lib", "index");
}

function isInternalName(name: string): boolean {
  return /^__cell_\d+__$|^__gradbook|^__Gb/.test(name);
}

/** Completions that get a signature (computing one per entry of a long list would be slow). */
const MAX_SIGNATURES = 200;

/** Jupyter's completion type of a symbol: function, class, module, variable, property... */
function symbolKind(sym: ts.Symbol): string | null {
  const f = sym.flags;
  if (f & ts.SymbolFlags.Class) return "class";
  if (f & (ts.SymbolFlags.Function | ts.SymbolFlags.Method)) return "function";
  if (f & ts.SymbolFlags.Enum) return "enum";
  if (f & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) return "module";
  if (f & ts.SymbolFlags.EnumMember) return "constant";
  if (f & (ts.SymbolFlags.Property | ts.SymbolFlags.Accessor)) return "property";
  if (f & ts.SymbolFlags.Variable) return "variable";
  if (f & ts.SymbolFlags.Interface) return "interface";
  if (f & ts.SymbolFlags.TypeAlias) return "type";
  return null;
}

function completionKind(kind: string): string {
  const map: Record<string, string> = {
    method: "function",
    function: "function",
    "local function": "function",
    property: "property",
    getter: "property",
    setter: "property",
    var: "variable",
    let: "variable",
    const: "variable",
    "local var": "variable",
    parameter: "variable",
    class: "class",
    interface: "interface",
    type: "type",
    enum: "enum",
    "enum member": "constant",
    module: "module",
    keyword: "keyword",
    alias: "variable",
  };
  return map[kind] ?? kind;
}

function snippet(source: string, line: number, column: number): string[] {
  const text = source.split("\n")[line - 1];
  if (text === undefined) return [];
  const pad = String(line).length;
  return [`  ${line} | ${text}`, `  ${" ".repeat(pad)} | ${" ".repeat(Math.max(0, column - 1))}^`];
}

function syntaxErrorContent(e: CellSyntaxErrorList, source: string): ErrorContent {
  const first = e.errors[0];
  const traceback = [`SyntaxError: ${first.message} (line ${first.line}, column ${first.column})`];
  for (const err of e.errors.slice(0, 5)) {
    traceback.push(`line ${err.line}, column ${err.column}: ${err.message}`, ...snippet(source, err.line, err.column));
  }
  return { ename: "SyntaxError", evalue: `${first.message} (line ${first.line}, column ${first.column})`, traceback };
}

function typeErrorContent(diags: ts.Diagnostic[], source: string, headerLength: number, text: string): ErrorContent {
  const items = diags.map((d) => {
    const off = d.start! - headerLength;
    const before = source.slice(0, Math.min(off, source.length));
    const line = before.split("\n").length;
    const column = off - (before.lastIndexOf("\n") + 1) + 1;
    void text;
    return { line, column, message: `${ts.flattenDiagnosticMessageText(d.messageText, "\n")} (TS${d.code})` };
  });
  items.sort((a, b) => a.line - b.line || a.column - b.column);
  const first = items[0];
  const traceback = [`TypeScript: ${items.length} type error${items.length > 1 ? "s" : ""}; the cell did not run`];
  for (const it of items.slice(0, 10)) traceback.push(`line ${it.line}, column ${it.column}: ${it.message}`, ...snippet(source, it.line, it.column));
  // TS1xxx codes are grammar errors (strict-mode rules the parser alone does not apply). The
  // rest are TypeScript's verdicts, named apart from a TypeError the running code throws.
  const ename = diags.every((d) => d.code < 2000) ? "SyntaxError" : "TSError";
  if (ename === "SyntaxError") traceback[0] = `SyntaxError: the cell did not run`;
  return { ename, evalue: `line ${first.line}, column ${first.column}: ${first.message}`, traceback };
}

/**
 * Whether `code` is a complete cell (Jupyter's is_complete): unclosed brackets, strings or
 * templates at the end mean "incomplete" (indent suggested); other syntax errors, "invalid".
 */
export function isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent: string } {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  const K = ts.SyntaxKind;
  const closes: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = { [K.CloseBraceToken]: K.OpenBraceToken, [K.CloseParenToken]: K.OpenParenToken, [K.CloseBracketToken]: K.OpenBracketToken };
  const stack: ts.SyntaxKind[] = [];
  let unterminated = false;
  for (let tok = scanner.scan(); tok !== K.EndOfFileToken; tok = scanner.scan()) {
    if (tok === K.OpenBraceToken || tok === K.OpenParenToken || tok === K.OpenBracketToken || tok === K.TemplateHead) stack.push(tok);
    else if (closes[tok] !== undefined) {
      const top = stack[stack.length - 1];
      if (tok === K.CloseBraceToken && top === K.TemplateHead) {
        // The `}` of a `${...}`: the template continues (middle) or ends (tail).
        if (scanner.reScanTemplateToken(false) === K.TemplateTail) stack.pop();
      } else if (top === closes[tok]) stack.pop();
      else return { status: "invalid", indent: "" };
    }
    if (scanner.isUnterminated()) {
      // Quotes cannot span lines; templates and block comments can.
      if (tok === K.StringLiteral) return { status: "invalid", indent: "" };
      unterminated = true;
    }
  }
  const depth = stack.length;
  if (depth > 0 || unterminated) {
    const lastLine = code.split("\n").pop() ?? "";
    const baseIndent = /^\s*/.exec(lastLine)![0];
    return { status: "incomplete", indent: depth > 0 ? baseIndent + "  " : "" };
  }
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length === 0) return { status: "complete", indent: "" };
  // A statement cut short at the very end (`let x =`) is incomplete, not wrong.
  if (diags.every((d) => (d.start ?? 0) >= code.trimEnd().length)) return { status: "incomplete", indent: "" };
  return { status: "invalid", indent: "" };
}
