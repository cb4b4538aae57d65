import type { LanguageModel } from "../model/language-model.ts";
import type { Sandbox, SandboxProvider } from "../sandbox/sandbox.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import type { Metrics } from "./metrics.ts";

/**
 * Metrics come from decorating the ports the composition root already wires, so the agent loop,
 * the tools and the sandboxes stay free of observability code and their tests stay unchanged.
 */

/** Every model call is one agent step; its usage feeds the token counters. */
export function instrumentModel(model: LanguageModel, metrics: Metrics): LanguageModel {
  return {
    async complete(request) {
      metrics.stepTaken();
      const reply = await model.complete(request);
      metrics.tokensUsed(reply.usage);
      return reply;
    },
  };
}

/**
 * Counts commands by risk where the policy decides it: the assessment every command passes
 * through. It lives in the per-turn tool context, so it is wrapped per call.
 */
export function instrumentTools(tools: ToolRegistry, metrics: Metrics): ToolRegistry {
  return {
    specs: tools.specs,
    execute(call, context) {
      return tools.execute(call, {
        ...context,
        async assess(command, runner) {
          const assessment = await context.assess(command, runner);
          metrics.commandRun(assessment.level);
          return assessment;
        },
      });
    },
  };
}

/** Times checkpoints and restores of every sandbox the provider hands out. */
export function instrumentSandboxes(provider: SandboxProvider, metrics: Metrics): SandboxProvider {
  // One wrapper per sandbox, so `find` returns the same object each time, as the provider does.
  const wrapped = new WeakMap<Sandbox, Sandbox>();
  const wrap = (sandbox: Sandbox): Sandbox => {
    let instrumented = wrapped.get(sandbox);
    if (!instrumented) {
      instrumented = instrumentSandbox(sandbox, metrics);
      wrapped.set(sandbox, instrumented);
    }
    return instrumented;
  };
  return {
    get description() {
      return provider.description;
    },
    open: async (key, options) => wrap(await provider.open(key, options)),
    async find(key, options) {
      const sandbox = await provider.find(key, options);
      return sandbox && wrap(sandbox);
    },
    describe: (key, options) => provider.describe(key, options),
    nameFor: (key) => provider.nameFor(key),
    ownedNames: (options) => provider.ownedNames(options),
    destroyByName: (name, options) => provider.destroyByName(name, options),
    close: () => provider.close(),
  };
}

function instrumentSandbox(sandbox: Sandbox, metrics: Metrics): Sandbox {
  return {
    get id() {
      return sandbox.id;
    },
    exec: (command, options) => sandbox.exec(command, options),
    readFile: (path, options) => sandbox.readFile(path, options),
    writeFile: (path, content, options) => sandbox.writeFile(path, content, options),
    listCheckpoints: (options) => sandbox.listCheckpoints(options),
    destroy: (options) => sandbox.destroy(options),
    async checkpoint(label, options) {
      const started = performance.now();
      const checkpoint = await sandbox.checkpoint(label, options);
      metrics.checkpointTaken((performance.now() - started) / 1000);
      return checkpoint;
    },
    async restore(checkpointId, options) {
      const started = performance.now();
      await sandbox.restore(checkpointId, options);
      metrics.restoreDone((performance.now() - started) / 1000);
    },
  };
}
