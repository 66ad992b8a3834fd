import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** One file of a Triton model repository, as it will be stored in the object store. */
export interface RepositoryFile {
    /** Absolute path on disk. */
    path: string;
    /** Path relative to the repository root, always with `/` separators (`cifar10-pytorch/1/model.ts`). */
    relativePath: string;
    /** Object key: `<prefix>/<relativePath>`. */
    key: string;
    /** Hex SHA-256 of the content: a changed file re-uploads, an unchanged one does not. */
    sha256: string;
}

/** Thrown for a model repository folder that Triton could not serve. */
export class ModelRepositoryError extends Error {}

/** How a user turns the committed `config.pbtxt` files into a servable repository. */
export const BUILD_HINT = "build the model first with `npm run build:model` (trains CIFAR-10 and exports 1/model.ts; see docs/model.md)";

/**
 * Lists every file of a Triton model repository (hidden files skipped), checking the layout Triton
 * expects: `<root>/<model>/config.pbtxt` plus at least one numeric version folder holding a file.
 * Files are sorted by key so that the resources built from them are registered in a stable order.
 */
export function scanModelRepository(root: string, prefix: string): RepositoryFile[] {
    try {
        return scan(root, prefix);
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (e instanceof ModelRepositoryError || typeof err.code !== "string") {
            throw e;
        }
        // A file or folder that cannot be read (EACCES, EPERM, EIO, …): said, never a stack trace.
        throw new ModelRepositoryError(`cannot read ${err.path ?? root} (${err.code}): ` +
            (err.code === "EACCES" || err.code === "EPERM" ? "make it readable by the user who runs pulumi" : err.message.split("\n")[0]));
    }
}

function scan(root: string, prefix: string): RepositoryFile[] {
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
        throw new ModelRepositoryError(`model repository folder ${root} does not exist`);
    }
    const models = modelsIn(root);
    if (models.length === 0) {
        throw new ModelRepositoryError(`model repository folder ${root} holds no model (no <model>/config.pbtxt)`);
    }
    const [unbuilt] = unbuiltModels(root, models);
    if (unbuilt !== undefined) {
        throw new ModelRepositoryError(
            `model ${unbuilt} in ${root} has a config.pbtxt but no version folder with a model file ` +
            `(expected ${unbuilt}/1/model.ts): ${BUILD_HINT}`);
    }
    return listFiles(root)
        .map(file => {
            const relativePath = path.relative(root, file).split(path.sep).join("/");
            return {
                path: file,
                relativePath,
                key: `${prefix}/${relativePath}`,
                sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
            };
        })
        .sort((a, b) => a.key.localeCompare(b.key));
}

/** The models of a repository (default: every `<model>/config.pbtxt`) that have no numeric version folder holding a file. */
export function unbuiltModels(root: string, models = modelsIn(root)): string[] {
    return models.filter(model => !fs.readdirSync(path.join(root, model), { withFileTypes: true })
        .some(e => e.isDirectory() && /^[0-9]+$/.test(e.name) && listFiles(path.join(root, model, e.name)).length > 0));
}

function modelsIn(root: string): string[] {
    return fs.readdirSync(root, { withFileTypes: true })
        .filter(e => e.isDirectory() && !e.name.startsWith(".") && fs.existsSync(path.join(root, e.name, "config.pbtxt")))
        .map(e => e.name)
        .sort();
}

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true })
        .filter(e => !e.name.startsWith("."))
        .flatMap(e => {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) {
                return listFiles(full);
            }
            return e.isFile() ? [full] : [];
        });
}

/** One hash of a whole repository (keys and contents): changes when any file does. */
export function repositoryFingerprint(files: RepositoryFile[]): string {
    const h = crypto.createHash("sha256");
    for (const f of files) {
        h.update(`${f.key}\0${f.sha256}\n`);
    }
    return h.digest("hex");
}
