import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { getProcessor, LangVariant } from "sh-syntax";

export type SyntaxVerdict = { ok: true } | { ok: false; message: string };

type Processor = ReturnType<typeof getProcessor>;

/** The project's `lib` has no DOM types, so this names the two WebAssembly calls used here. */
interface WebAssemblyRuntime {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: unknown): Promise<unknown>;
}

const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyRuntime }).WebAssembly;

let processorPromise: Promise<Processor> | undefined;

/**
 * mvdan/sh (through sh-syntax's WASM build) is the authority on whether bash accepts the
 * text. Its JSON tree stops at top-level statements (a command is only a position range),
 * so it cannot drive the risk walker; it gates it instead, and anything it rejects is
 * never classified by our own, more lenient reading.
 */
export async function checkShellSyntax(source: string): Promise<SyntaxVerdict> {
  const processor = await loadProcessor();
  try {
    await processor(source, { variant: LangVariant.LangBash, keepComments: false });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * sh-syntax's default `parse` recompiles the 750 kB module on every call (about 4–5 ms);
 * compiling once and instantiating per call brings a check down to about 1.3 ms.
 */
function loadProcessor(): Promise<Processor> {
  processorPromise ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve("sh-syntax/main.wasm");
    const module = await webAssembly.compile(await readFile(wasmPath));
    // A one-argument callback tells sh-syntax to ask us for each instance.
    return getProcessor((imports: unknown) => webAssembly.instantiate(module, imports));
  })();
  // A failed load must not be cached forever: the next call tries again.
  processorPromise.catch(() => {
    processorPromise = undefined;
  });
  return processorPromise;
}
