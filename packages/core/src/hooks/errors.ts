/**
 * Thrown when a hook cannot be attached, baked or run. The message always names the hook, and
 * where relevant the layer path, the weight and the shapes involved.
 *
 * @example
 * ```ts
 * try { attachHook(model, myHook); } catch (e) { if (e instanceof HookError) console.error(e.message); }
 * ```
 */
export class HookError extends Error {
  constructor(
    message: string,
    readonly hookName: string,
    readonly layerPath?: string,
  ) {
    super(message);
    this.name = 'HookError';
  }
}
